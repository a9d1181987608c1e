"""A reviewer's rating of one completion: the feedback HoneyHive receives for it, and the log
row's columns that hold it. Both directions live here, so thumbs, stars and labels are encoded in
one place.

``feedback_json`` keys (documented in the README): ``accepted`` (thumbs: true / false / null),
``rating`` (1-5 stars or null), ``labels`` (list of label names), ``comment``, ``reviewer``,
``rated_at`` (ISO 8601, UTC) and ``rating_id`` (one id per submitted rating, so a delivery that
is repeated can be recognised). Every key is always sent: an explicit ``null`` clears a value an
earlier version of the rating had, because HoneyHive merges feedback key by key.

Rubrics (``hive_review.rubrics``): ``rubric_version`` (always) and ``rubric`` (its name, for any
rubric but the default) say what the reviewer rated against, and each dimension of the rubric
beyond the form's own parts goes under its own name (scale 1-5, a categorical value's name,
pass_fail true / false, text; ``null`` when not given).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from hive_review.log import columns as col
from hive_review.missing import is_missing
from hive_review.rubrics.keys import rating_key_parts
from hive_review.rubrics.models import DEFAULT_RUBRIC, DEFAULT_RUBRIC_NAME, Dimension, Rubric, dimension_part

Thumbs = Literal["up", "down"]
STAR_RANGE = range(1, 6)
LABEL_SEPARATOR = ", "


def _present(value: Any) -> bool:
    return not is_missing(value)


@dataclass(frozen=True)
class Rating:
    thumbs: Thumbs | None = None
    stars: int | None = None
    labels: tuple[str, ...] = field(default_factory=tuple)
    comment: str = ""
    ideal_answer: str = ""
    # What the reviewer rated against, and the values of its dimensions beyond the form's own parts
    # (dimension name -> value as feedback_json holds it, None when not given).
    rubric_name: str = DEFAULT_RUBRIC_NAME
    rubric_version: int = DEFAULT_RUBRIC.version
    dimensions: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.thumbs not in (None, "up", "down"):
            raise ValueError(f"thumbs is 'up', 'down' or None, not {self.thumbs!r}")
        if self.stars is not None and self.stars not in STAR_RANGE:
            raise ValueError(f"stars is 1 to 5, not {self.stars!r}")

    @property
    def is_empty(self) -> bool:
        return (
            self.thumbs is None
            and self.stars is None
            and not self.labels
            and not self.comment.strip()
            and not self.ideal_answer.strip()
            and not any(_given(value) for value in self.dimensions.values())
        )

    def feedback_json(self, *, reviewer: str, rated_at: datetime, rating_id: str) -> dict[str, Any]:
        return {
            "accepted": None if self.thumbs is None else self.thumbs == "up",
            "rating": self.stars,
            "labels": list(self.labels),
            "comment": self.comment or None,
            "reviewer": reviewer,
            "rated_at": rated_at.isoformat(),
            "rating_id": rating_id,
            **({} if self.rubric_name == DEFAULT_RUBRIC_NAME else {"rubric": self.rubric_name}),
            "rubric_version": self.rubric_version,
            **{name: (value if _given(value) else None) for name, value in self.dimensions.items()},
        }

    @property
    def ground_truth(self) -> str:
        """Always sent: an empty string clears an ideal answer an earlier version gave (HoneyHive
        treats a missing or null ``ground_truth`` as "not given" and would keep the old one)."""
        return self.ideal_answer

    # ---- the log row ------------------------------------------------------------------------

    def row_values(self) -> dict[str, Any]:
        """The log columns that hold this rating (``None`` for what was not given)."""
        return {
            col.THUMBS: self.thumbs,
            col.RATING: self.stars,
            col.LABELS: join_labels(self.labels),
            col.COMMENT: self.comment or None,
            col.IDEAL_ANSWER: self.ideal_answer or None,
            col.RUBRIC_NAME: self.rubric_name,
            col.RUBRIC_VERSION: self.rubric_version,
            col.DIMENSIONS_JSON: json.dumps(dict(self.dimensions), ensure_ascii=False) if self.dimensions else None,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Rating:
        """The rating a log row holds (missing values of any kind count as not given)."""
        thumbs = row.get(col.THUMBS)
        stars = row.get(col.RATING)
        comment = row.get(col.COMMENT)
        ideal = row.get(col.IDEAL_ANSWER)
        name, version = row.get(col.RUBRIC_NAME), row.get(col.RUBRIC_VERSION)
        return cls(
            thumbs=thumbs if thumbs in ("up", "down") else None,
            stars=int(stars) if _present(stars) else None,
            labels=split_labels(row.get(col.LABELS)),
            comment=str(comment) if _present(comment) else "",
            ideal_answer=str(ideal) if _present(ideal) else "",
            rubric_name=str(name) if _present(name) else DEFAULT_RUBRIC_NAME,
            rubric_version=int(version) if _present(version) else DEFAULT_RUBRIC.version,
            dimensions=_dimensions_of(row.get(col.DIMENSIONS_JSON)),
        )


# ``st.feedback`` numbers its options: thumbs 0 (down) and 1 (up), stars 0-4 for 1-5 stars.
_THUMB_INDEX: dict[str, int] = {"down": 0, "up": 1}


def widget_values(rating: Rating) -> dict[str, Any]:
    """The rating as the form's widgets hold it (thumbs and stars as ``st.feedback`` indices; a
    rubric's own dimensions under ``dimension_part(name)``, see ``dimension_widget_value``)."""
    return {
        "thumbs": _THUMB_INDEX.get(rating.thumbs) if rating.thumbs else None,
        "stars": rating.stars - 1 if rating.stars is not None else None,
        "labels": list(rating.labels),
        "comment": rating.comment,
        "ideal": rating.ideal_answer,
        **{dimension_part(name): _widget_value_of(value) for name, value in rating.dimensions.items()},
    }


def rating_from_widgets(values: Mapping[str, Any], rubric: Rubric = DEFAULT_RUBRIC) -> Rating:
    """The rating the form's widgets hold, rated against ``rubric`` (the inverse of ``widget_values``)."""
    thumbs = {index: name for name, index in _THUMB_INDEX.items()}.get(values.get("thumbs"))  # type: ignore[arg-type]
    stars = values.get("stars")
    return Rating(
        thumbs=thumbs,  # type: ignore[arg-type]
        stars=stars + 1 if stars is not None else None,
        labels=tuple(values.get("labels") or ()),
        comment=(values.get("comment") or "").strip(),
        ideal_answer=(values.get("ideal") or "").strip(),
        rubric_name=rubric.name,
        rubric_version=rubric.version,
        dimensions={d.name: dimension_value(d, values.get(dimension_part(d.name))) for d in rubric.custom_dimensions},
    )


# ---- a rubric's own dimensions ----------------------------------------------------------------------
# In the form, a scale is ``st.feedback("stars")`` (index 0-4), a categorical or pass_fail dimension
# a choice of its value names ("pass" / "fail"), a text a text area. feedback_json holds a scale as
# 1-5, pass_fail as true / false, the others as text.


def dimension_value(dimension: Dimension, widget: Any) -> Any:
    """A dimension's value as feedback_json holds it, from its widget's value (None: not given)."""
    if widget is None or (isinstance(widget, str) and not widget.strip()):
        return None
    if dimension.kind == "scale":
        return int(widget) + 1 if int(widget) in range(5) else None
    if dimension.kind == "pass_fail":
        return {"pass": True, "fail": False}.get(str(widget))
    if dimension.kind == "categorical":
        return str(widget) if str(widget) in dimension.values else None
    return str(widget).strip()


def dimension_widget_value(dimension: Dimension, value: Any) -> Any:
    """The inverse of ``dimension_value``: what the dimension's widget holds for a value."""
    if value is None:
        return None
    if dimension.kind == "scale":
        return int(value) - 1
    if dimension.kind == "pass_fail":
        return "pass" if value else "fail"
    return str(value)


def _widget_value_of(value: Any) -> Any:
    """``dimension_widget_value`` without the rubric at hand: the kind shows in the value."""
    if isinstance(value, bool):
        return "pass" if value else "fail"
    if isinstance(value, int):
        return value - 1
    return value


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _dimensions_of(text: object) -> dict[str, Any]:
    """The ``dimensions_json`` column back to a mapping (nothing for a missing or broken cell)."""
    if not isinstance(text, str) or not text.strip():
        return {}
    try:
        loaded = json.loads(text)
    except ValueError:
        return {}
    return dict(loaded) if isinstance(loaded, dict) else {}


def split_labels(text: object) -> tuple[str, ...]:
    """Labels as the log column holds them ("a, b") back to a tuple."""
    if not isinstance(text, str):
        return ()
    return tuple(label.strip() for label in text.split(",") if label.strip())


def has_rating(row: Mapping[str, Any]) -> bool:
    """Whether a log row holds any part of a rating."""
    parts = (col.THUMBS, col.RATING, col.LABELS, col.COMMENT, col.IDEAL_ANSWER)
    return any(_present(row.get(name)) for name in parts) or any(
        _given(value) for value in _dimensions_of(row.get(col.DIMENSIONS_JSON)).values()
    )


def join_labels(labels: Iterable[str]) -> str | None:
    """Labels as the log column holds them ("a, b"); ``None`` when there are none (the inverse of
    ``split_labels``)."""
    return LABEL_SEPARATOR.join(labels) or None


def widget_part_for_key(key: str, rubric: Rubric = DEFAULT_RUBRIC) -> tuple[str, Any] | None:
    """The rating-form part a queue key sets, with its value as the widget holds it (as
    ``widget_values`` gives it); ``None`` for a key that sets no part of the rating. The keys follow
    the rubric (``hive_review.rubrics.keys``): with the default one, U/D give thumbs, 1-5 stars."""
    return rating_key_parts(rubric).get(key)
