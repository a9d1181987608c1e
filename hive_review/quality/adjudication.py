"""Final verdicts: an adjudicator settles an item of a shared queue whose reviews disagree.

One verdict per item (``adjudications``); setting it again replaces it, with the new adjudicator
and time. The reviews themselves are never changed. ``final_verdicts`` is what Numbers, the exports
and the training data read: for a generation adjudicated in several queues, the latest verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from hive_review.db import Database
from hive_review.feedback.ratings import STAR_RANGE, Thumbs, join_labels, split_labels
from hive_review.log.entries import iso
from hive_review.quality.tables import adjudications
from hive_review.team.tables import shared_queue_items

_verdicts = adjudications.c


@dataclass(frozen=True)
class Verdict:
    """The final verdict on one item of a shared queue."""

    queue_id: str
    generation_id: str
    thumbs: Thumbs | None
    stars: int | None
    labels: tuple[str, ...]
    comment: str
    adjudicator: str
    adjudicated_at: str  # ISO 8601 UTC
    ideal_answer: str = ""  # optional: what the completion should have been (SFT data reads it)


def adjudicate(
    database: Database,
    queue_id: str,
    generation_id: str,
    *,
    thumbs: str | None,
    stars: int | None,
    labels: tuple[str, ...] = (),
    comment: str = "",
    ideal_answer: str = "",
    adjudicator: str,
    now: datetime | None = None,
) -> Verdict:
    """Set (or replace) the item's final verdict. ``ValueError`` with the fix for an empty verdict,
    a bad value or a missing adjudicator; ``KeyError`` when the queue has no such item."""
    if thumbs not in (None, "up", "down"):
        raise ValueError(f"Thumbs are up, down or none, not {thumbs!r}.")
    if stars is not None and stars not in STAR_RANGE:
        raise ValueError(f"Stars are 1 to 5, or none, not {stars!r}.")
    if not adjudicator.strip():
        raise ValueError("A final verdict needs the adjudicator's id: set your reviewer id in the sidebar.")
    labels = tuple(label.strip() for label in labels if label.strip())
    if thumbs is None and stars is None and not labels and not comment.strip() and not ideal_answer.strip():
        raise ValueError("Give the final verdict: thumbs, stars, labels, a comment or an ideal answer.")
    verdict = Verdict(
        queue_id=queue_id,
        generation_id=generation_id,
        thumbs=thumbs,  # type: ignore[arg-type]
        stars=stars,
        labels=labels,
        comment=comment.strip(),
        adjudicator=adjudicator,
        adjudicated_at=iso(now or datetime.now(UTC)),
        ideal_answer=ideal_answer.strip(),
    )
    values = {
        "thumbs": verdict.thumbs,
        "stars": verdict.stars,
        "labels": join_labels(verdict.labels),
        "comment": verdict.comment or None,
        "ideal_answer": verdict.ideal_answer or None,
        "adjudicator": verdict.adjudicator,
        "adjudicated_at": verdict.adjudicated_at,
    }
    key = sa.and_(_verdicts.queue_id == queue_id, _verdicts.generation_id == generation_id)
    with database.transaction() as db:
        item = db.execute(
            sa.select(shared_queue_items.c.position)
            .where(shared_queue_items.c.queue_id == queue_id, shared_queue_items.c.generation_id == generation_id)
            .with_for_update()  # two adjudicators at once: one after the other, the last one stays
        ).first()
        if item is None:
            raise KeyError(f"{generation_id!r} is not an item of the shared queue {queue_id!r}")
        if not db.execute(adjudications.update().where(key).values(values)).rowcount:
            db.execute(adjudications.insert().values(queue_id=queue_id, generation_id=generation_id, **values))
    return verdict


def verdicts_of(database: Database, queue_id: str | None = None) -> list[Verdict]:
    """Every final verdict (of one queue, or of all), oldest first."""
    query = sa.select(adjudications).order_by(_verdicts.adjudicated_at, _verdicts.queue_id, _verdicts.generation_id)
    if queue_id is not None:
        query = query.where(_verdicts.queue_id == queue_id)
    with database.engine.connect() as db:
        rows = db.execute(query).mappings().all()
    return [
        Verdict(
            queue_id=row["queue_id"],
            generation_id=row["generation_id"],
            thumbs=row["thumbs"],
            stars=None if row["stars"] is None else int(row["stars"]),
            labels=split_labels(row["labels"]),
            comment=row["comment"] or "",
            adjudicator=row["adjudicator"],
            adjudicated_at=row["adjudicated_at"],
            ideal_answer=row["ideal_answer"] or "",
        )
        for row in rows
    ]


def final_verdicts(database: Database, queue_id: str | None = None) -> dict[str, Verdict]:
    """The final verdict per generation id (of one queue, or of all: then the latest one of a
    generation adjudicated in several queues). Only adjudicated items are in it."""
    return {verdict.generation_id: verdict for verdict in verdicts_of(database, queue_id)}
