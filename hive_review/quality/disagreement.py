"""When the reviews of one item disagree, and how: the rule that sends an item to adjudication.

* **thumbs split**: some reviewers gave thumbs up, others thumbs down;
* **stars apart**: the highest and the lowest stars given are 2 or more apart (4 and 5 agree, 3
  and 5 do not);
* **labels differ**: the reviewers' sets of labels are not all the same (no label at all is a set
  too: one reviewer's "off-topic" against another's nothing is a disagreement);
* a rubric's own dimensions (``hive_review.rubrics``): a **categorical** or **pass/fail** one
  differs when the values given are not all the same; a **scale** one (1-5) counts as stars do,
  2 or more apart. Free text never disagrees.

A value nobody gave, or only one reviewer gave, cannot disagree; an item needs two reviews. A
dimension's kind comes from the rubric its reviews were given under (``kinds``); without it, a
true/false value is taken as pass/fail and a whole number as a scale, and text is left alone (it
may be free text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from hive_review.quality.reviews import Review

STAR_SPREAD: Final = 2  # stars (and a rubric's scale) this far apart disagree
THUMBS_SPLIT: Final = "thumbs split"
LABELS_DIFFER: Final = "labels differ"


def disagreements(reviews: Sequence[Review], kinds: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """How the reviews of one item disagree (empty: they agree, or there are fewer than two).
    ``kinds``: dimension name -> kind (``scale``, ``categorical``, ``pass_fail``, ``text``)."""
    if len(reviews) < 2:
        return ()
    found: list[str] = []
    if len({review.thumbs for review in reviews if review.thumbs}) > 1:
        found.append(THUMBS_SPLIT)
    stars = [review.stars for review in reviews if review.stars is not None]
    if len(stars) >= 2 and max(stars) - min(stars) >= STAR_SPREAD:
        found.append(f"stars {min(stars)} to {max(stars)}")
    if len({frozenset(review.labels) for review in reviews}) > 1:
        found.append(LABELS_DIFFER)
    found.extend(_dimension_disagreements(reviews, kinds or {}))
    return tuple(found)


def _kind(given: Mapping[str, str], name: str, values: Sequence[Any]) -> str:
    if name in given:
        return given[name]
    if all(isinstance(value, bool) for value in values):
        return "pass_fail"
    if all(isinstance(value, int) and not isinstance(value, bool) for value in values):
        return "scale"
    return "text"  # unknown text: it may be free text, which never disagrees


def _dimension_disagreements(reviews: Sequence[Review], kinds: Mapping[str, str]) -> list[str]:
    names = list(dict.fromkeys(name for review in reviews for name in review.dimensions))
    found = []
    for name in names:
        values = [review.dimensions.get(name) for review in reviews]
        given = [value for value in values if value is not None and value != ""]
        if len(given) < 2:
            continue
        kind = _kind(kinds, name, given)
        if kind == "scale":
            numbers = [int(value) for value in given if isinstance(value, int | float)]
            if len(numbers) >= 2 and max(numbers) - min(numbers) >= STAR_SPREAD:
                found.append(f"{name} {min(numbers)} to {max(numbers)}")
        elif kind in ("categorical", "pass_fail") and len({json_key(value) for value in given}) > 1:
            found.append(f"{name} differs")
    return found


def json_key(value: Any) -> str:
    """A value as one comparable key (``True`` and ``1`` are not the same verdict)."""
    return f"{type(value).__name__}:{value}"
