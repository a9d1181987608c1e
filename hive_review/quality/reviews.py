"""Every review of the shared queues, with the time each took: what gold accuracy, the time
medians, disagreement and the exports read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.db import Database
from hive_review.feedback.ratings import split_labels
from hive_review.quality.tables import review_times
from hive_review.team.tables import shared_queue_items, shared_queues, shared_reviews

_reviews = shared_reviews.c
_times = review_times.c
_items = shared_queue_items.c


@dataclass(frozen=True)
class Review:
    """One reviewer's review of one shared item."""

    queue_id: str
    generation_id: str
    position: int  # the item's place in its queue, 1-based
    reviewer: str
    thumbs: str | None
    stars: int | None
    labels: tuple[str, ...]
    comment: str
    reviewed_at: str  # ISO 8601 UTC
    seconds: float | None  # shown → submitted, idle capped; None when not timed
    # The rubric the review was given under (None: a review saved before reviews kept it) and its
    # dimensions beyond the form's own parts (name -> value as feedback_json holds it).
    rubric_name: str | None = None
    rubric_version: int | None = None
    dimensions: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def as_dict(self) -> dict[str, object]:
        """As an export carries it (JSON-ready)."""
        return {
            "queue_id": self.queue_id,
            "reviewer": self.reviewer,
            "thumbs": self.thumbs,
            "stars": self.stars,
            "labels": list(self.labels),
            "comment": self.comment or None,
            "reviewed_at": self.reviewed_at,
            "seconds": self.seconds,
            "rubric_name": self.rubric_name,
            "rubric_version": self.rubric_version,
            **({"dimensions": dict(self.dimensions)} if self.dimensions else {}),
        }


def dimensions_of(text: object) -> dict[str, Any]:
    """A ``dimensions_json`` cell as a mapping (nothing for an empty or broken one)."""
    if not isinstance(text, str) or not text.strip():
        return {}
    try:
        loaded = json.loads(text)
    except ValueError:
        return {}
    return dict(loaded) if isinstance(loaded, dict) else {}


def load_reviews(db: Connection, queue_id: str | None = None) -> list[Review]:
    """The reviews of one queue (or of all), oldest queue first, then by item and reviewer."""
    timed = sa.and_(
        _times.queue_id == _reviews.queue_id,
        _times.generation_id == _reviews.generation_id,
        _times.reviewer == _reviews.reviewer,
    )
    item = sa.and_(_items.queue_id == _reviews.queue_id, _items.generation_id == _reviews.generation_id)
    query = (
        sa.select(shared_reviews, _items.position, _times.seconds)
        .join(shared_queue_items, item)
        .join(shared_queues, shared_queues.c.id == _reviews.queue_id)
        .outerjoin(review_times, timed)
        .order_by(shared_queues.c.created_at, _reviews.queue_id, _items.position, _reviews.reviewer)
    )
    if queue_id is not None:
        query = query.where(_reviews.queue_id == queue_id)
    return [
        Review(
            queue_id=row["queue_id"],
            generation_id=row["generation_id"],
            position=int(row["position"]),
            reviewer=row["reviewer"],
            thumbs=row["thumbs"],
            stars=None if row["stars"] is None else int(row["stars"]),
            labels=split_labels(row["labels"]),
            comment=row["comment"] or "",
            reviewed_at=row["reviewed_at"],
            seconds=None if row["seconds"] is None else float(row["seconds"]),
            rubric_name=row["rubric_name"],
            rubric_version=None if row["rubric_version"] is None else int(row["rubric_version"]),
            dimensions=dimensions_of(row["dimensions_json"]),
        )
        for row in db.execute(query).mappings()
    ]


def all_reviews(database: Database, queue_id: str | None = None) -> list[Review]:
    """``load_reviews`` on a connection of its own."""
    with database.engine.connect() as db:
        return load_reviews(db, queue_id)
