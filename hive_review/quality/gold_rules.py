"""What a gold item expects, and whether a review gives it.

The rule (the Numbers page says it too, in the help of its reviewer table):

* **thumbs**: the review's thumbs equal the expected ones (none given is wrong);
* **stars**: the review's stars lie inside the expected range, both ends included: "4" accepts
  exactly 4, "4-5" accepts 4 or 5 (none given is wrong);
* **labels**: the review chose every expected label; extra labels are allowed (a reviewer who marks
  a hallucination also "too long" still saw the hallucination).

A value the lead left empty is not checked; a review is right when every checked value is. So a
gold item that expects only thumbs down is right for any review with thumbs down.
"""

from __future__ import annotations

from dataclasses import dataclass

from hive_review.feedback.ratings import STAR_RANGE, Thumbs


@dataclass(frozen=True)
class Expected:
    """A gold item's expected verdict; ``None`` for a value that is not checked."""

    thumbs: Thumbs | None = None
    stars: tuple[int, int] | None = None  # lowest and highest accepted, both included
    labels: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.thumbs not in (None, "up", "down"):
            raise ValueError(f"expected thumbs are 'up', 'down' or None, not {self.thumbs!r}")
        if self.stars is not None:
            low, high = self.stars
            if low not in STAR_RANGE or high not in STAR_RANGE or low > high:
                raise ValueError(f"expected stars are a range within 1-5, not {low}-{high}")

    @property
    def is_empty(self) -> bool:
        return self.thumbs is None and self.stars is None and not self.labels

    @property
    def stars_text(self) -> str:
        if self.stars is None:
            return ""
        low, high = self.stars
        return str(low) if low == high else f"{low}-{high}"


def is_right(expected: Expected, thumbs: str | None, stars: int | None, labels: tuple[str, ...]) -> bool:
    """Whether a review (its thumbs, stars and labels) gives the expected verdict."""
    if expected.thumbs is not None and thumbs != expected.thumbs:
        return False
    if expected.stars is not None:
        low, high = expected.stars
        if stars is None or not low <= stars <= high:
            return False
    return not expected.labels or set(expected.labels) <= set(labels)
