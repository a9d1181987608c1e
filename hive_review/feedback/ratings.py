"""A reviewer's rating of one completion: the feedback HoneyHive receives for it, and the log
row's columns that hold it. Both directions live here, so thumbs, stars and labels are encoded in
one place.

``feedback_json`` keys (documented in the README): ``accepted`` (thumbs: true / false / null),
``rating`` (1-5 stars or null), ``labels`` (list of label names), ``comment``, ``reviewer``,
``rated_at`` (ISO 8601, UTC) and ``rating_id`` (one id per submitted rating, so a delivery that
is repeated can be recognised). Every key is always sent: an explicit ``null`` clears a value an
earlier version of the rating had, because HoneyHive merges feedback key by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from hive_review.log import columns as col

Thumbs = Literal["up", "down"]
STAR_RANGE = range(1, 6)
LABEL_SEPARATOR = ", "


def _present(value: Any) -> bool:
    return value is not None and value == value  # NaN is the only value unequal to itself


@dataclass(frozen=True)
class Rating:
    thumbs: Thumbs | None = None
    stars: int | None = None
    labels: tuple[str, ...] = field(default_factory=tuple)
    comment: str = ""
    ideal_answer: str = ""

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
            col.LABELS: LABEL_SEPARATOR.join(self.labels) or None,
            col.COMMENT: self.comment or None,
            col.IDEAL_ANSWER: self.ideal_answer or None,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Rating:
        """The rating a log row holds (missing values of any kind count as not given)."""
        thumbs = row.get(col.THUMBS)
        stars = row.get(col.RATING)
        comment = row.get(col.COMMENT)
        ideal = row.get(col.IDEAL_ANSWER)
        return cls(
            thumbs=thumbs if thumbs in ("up", "down") else None,
            stars=int(stars) if _present(stars) else None,
            labels=split_labels(row.get(col.LABELS)),
            comment=str(comment) if _present(comment) else "",
            ideal_answer=str(ideal) if _present(ideal) else "",
        )


# ``st.feedback`` numbers its options: thumbs 0 (down) and 1 (up), stars 0-4 for 1-5 stars.
_THUMB_INDEX: dict[str, int] = {"down": 0, "up": 1}


def widget_values(rating: Rating) -> dict[str, Any]:
    """The rating as the form's widgets hold it (thumbs and stars as ``st.feedback`` indices)."""
    return {
        "thumbs": _THUMB_INDEX.get(rating.thumbs) if rating.thumbs else None,
        "stars": rating.stars - 1 if rating.stars is not None else None,
        "labels": list(rating.labels),
        "comment": rating.comment,
        "ideal": rating.ideal_answer,
    }


def rating_from_widgets(values: Mapping[str, Any]) -> Rating:
    """The rating the form's widgets hold (the inverse of ``widget_values``)."""
    thumbs = {index: name for name, index in _THUMB_INDEX.items()}.get(values.get("thumbs"))  # type: ignore[arg-type]
    stars = values.get("stars")
    return Rating(
        thumbs=thumbs,  # type: ignore[arg-type]
        stars=stars + 1 if stars is not None else None,
        labels=tuple(values.get("labels") or ()),
        comment=(values.get("comment") or "").strip(),
        ideal_answer=(values.get("ideal") or "").strip(),
    )


def split_labels(text: object) -> tuple[str, ...]:
    """Labels as the log column holds them ("a, b") back to a tuple."""
    if not isinstance(text, str):
        return ()
    return tuple(label.strip() for label in text.split(",") if label.strip())


def has_rating(row: Mapping[str, Any]) -> bool:
    """Whether a log row holds any part of a rating."""
    return any(_present(row.get(name)) for name in (col.THUMBS, col.RATING, col.LABELS, col.COMMENT, col.IDEAL_ANSWER))
