"""What a gold item expects, and whether a review gives it.

The rule (the Numbers page says it too, in the help of its reviewer table):

* **thumbs**: the review's thumbs equal the expected ones (none given is wrong);
* **stars**: the review's stars lie inside the expected range, both ends included: "4" accepts
  exactly 4, "4-5" accepts 4 or 5 (none given is wrong);
* **labels**: the review chose every expected label; extra labels are allowed (a reviewer who marks
  a hallucination also "too long" still saw the hallucination);
* **a rubric's own dimension** (``gold_dimensions`` reads them from the file): a scale's value lies
  inside the expected range as stars do; a categorical value or a pass / fail verdict is equal to the
  expected one (none given is wrong). Text dimensions are never expected.

A value the lead left empty is not checked; a review is right when every checked value is. So a
gold item that expects only thumbs down is right for any review with thumbs down.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hive_review.feedback.ratings import STAR_RANGE, Thumbs

# What a rubric dimension is expected to be: a scale's accepted range (lowest, highest, both
# included), a categorical value's name, or a pass_fail verdict (True: pass), as feedback_json holds it.
DimensionExpected = tuple[int, int] | str | bool


@dataclass(frozen=True)
class Expected:
    """A gold item's expected verdict; ``None`` for a value that is not checked."""

    thumbs: Thumbs | None = None
    stars: tuple[int, int] | None = None  # lowest and highest accepted, both included
    labels: tuple[str, ...] | None = None
    # A rubric's own dimensions (beyond thumbs, stars and labels): name -> what is expected.
    dimensions: Mapping[str, DimensionExpected] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.thumbs not in (None, "up", "down"):
            raise ValueError(f"expected thumbs are 'up', 'down' or None, not {self.thumbs!r}")
        if self.stars is not None:
            low, high = self.stars
            if low not in STAR_RANGE or high not in STAR_RANGE or low > high:
                raise ValueError(f"expected stars are a range within 1-5, not {low}-{high}")
        for name, value in self.dimensions.items():
            if isinstance(value, tuple) and not (
                value[0] in STAR_RANGE and value[1] in STAR_RANGE and value[0] <= value[1]
            ):
                raise ValueError(f"expected '{name}' is a range within 1-5, not {value[0]}-{value[1]}")

    @property
    def is_empty(self) -> bool:
        return self.thumbs is None and self.stars is None and not self.labels and not self.dimensions

    @property
    def stars_text(self) -> str:
        if self.stars is None:
            return ""
        low, high = self.stars
        return str(low) if low == high else f"{low}-{high}"


def is_right(
    expected: Expected,
    thumbs: str | None,
    stars: int | None,
    labels: tuple[str, ...],
    dimensions: Mapping[str, Any] | None = None,
) -> bool:
    """Whether a review (its thumbs, stars, labels and rubric dimensions) gives the expected verdict."""
    given = dimensions or {}
    if not all(_dimension_right(want, given.get(name)) for name, want in expected.dimensions.items()):
        return False
    if expected.thumbs is not None and thumbs != expected.thumbs:
        return False
    if expected.stars is not None:
        low, high = expected.stars
        if stars is None or not low <= stars <= high:
            return False
    return not expected.labels or set(expected.labels) <= set(labels)


def _dimension_right(expected: DimensionExpected, value: Any) -> bool:
    """A rubric dimension's value (as feedback_json holds it) against what is expected."""
    if value is None:
        return False  # none given is wrong
    if isinstance(expected, bool):  # pass_fail; checked before int, which bool is
        return isinstance(value, bool) and value is expected
    if isinstance(expected, tuple):  # a scale's range
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        low, high = expected
        return low <= value <= high
    return isinstance(value, str) and value == expected
