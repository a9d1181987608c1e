"""A reviewer's rating of one completion, and the feedback HoneyHive receives for it.

``feedback_json`` keys (documented in the README): ``accepted`` (thumbs: true / false / null),
``rating`` (1-5 stars or null), ``labels`` (list of label names), ``comment``, ``reviewer``,
``rated_at`` (ISO 8601, UTC) and ``rating_id`` (one id per submitted rating, so a delivery that
is repeated can be recognised). Every key is always sent: an explicit ``null`` clears a value an
earlier version of the rating had, because HoneyHive merges feedback key by key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Thumbs = Literal["up", "down"]
STAR_RANGE = range(1, 6)


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
    def ground_truth(self) -> str | None:
        return self.ideal_answer or None
