"""How long a reviewer spends on a shared item: from first shown to submitted, idle time capped.

The clock starts when the item is first shown to the reviewer (reserved to them and drawn:
``mark_shown``) and stops when their review is submitted (``record_submitted``). Between the two,
every page run that shows the item again is a sign of life; each gap between two such moments
(and the last one, to the submission) counts at most ``IDLE_CAP_SECONDS``: an item left open over
lunch counts 5 minutes for the lunch, not an hour. The rating form reruns only itself, so with no
other page run in between, an item counts ``min(submitted - shown, 5 minutes)``.

One row per reviewer and item (``review_times``, keyed as ``shared_reviews``): open while the item
is shown, its ``seconds`` set once on the first submission (an edit of the review keeps it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from hive_review.db import Database
from hive_review.log.entries import iso
from hive_review.quality.tables import review_times

IDLE_CAP_SECONDS: Final = 300.0  # 5 minutes: the most one silent stretch counts
_times = review_times.c


def _moment(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _key(queue_id: str, generation_id: str, reviewer: str) -> sa.ColumnElement[bool]:
    return sa.and_(_times.queue_id == queue_id, _times.generation_id == generation_id, _times.reviewer == reviewer)


def _gap(since: float, until: float) -> float:
    return min(max(0.0, until - since), IDLE_CAP_SECONDS)


def mark_shown(database: Database, queue_id: str, generation_id: str, reviewer: str, *,
               now: datetime | None = None) -> None:  # fmt: skip
    """The item is on this reviewer's screen now: start its clock, or count the time since it was
    last shown (capped). Nothing changes once the review is submitted."""
    t = _moment(now).timestamp()
    key = _key(queue_id, generation_id, reviewer)
    with database.transaction() as db:
        row = db.execute(sa.select(_times.last_seen_at, _times.active_seconds, _times.seconds).where(key)
                         .with_for_update()).first()  # fmt: skip
        if row is None:
            values = {"queue_id": queue_id, "generation_id": generation_id, "reviewer": reviewer, "shown_at": t,
                      "last_seen_at": t, "active_seconds": 0.0}  # fmt: skip
            db.execute(_insert_new(db).values(values))
        elif row.seconds is None:
            db.execute(
                review_times.update()
                .where(key)
                .values(
                    active_seconds=row.active_seconds + _gap(row.last_seen_at, t), last_seen_at=max(t, row.last_seen_at)
                )
            )


def _insert_new(db: Connection) -> sa.Insert:
    """An insert that leaves a row another tab of the same reviewer has just made."""
    dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    make = dialects.get(db.dialect.name)
    return sa.insert(review_times) if make is None else make(review_times).on_conflict_do_nothing()


def record_submitted(db: Connection, queue_id: str, generation_id: str, reviewer: str, *,
                     now: datetime | None = None) -> float | None:  # fmt: skip
    """Stop the item's clock for this reviewer (in the caller's transaction): its seconds, or
    None when it was never shown to them through ``mark_shown``. A second submission (an edit)
    keeps the first one's time."""
    moment = _moment(now)
    key = _key(queue_id, generation_id, reviewer)
    row = db.execute(
        sa.select(_times.last_seen_at, _times.active_seconds, _times.seconds).where(key).with_for_update()
    ).first()
    if row is None:
        return None
    if row.seconds is not None:
        return float(row.seconds)
    seconds = row.active_seconds + _gap(row.last_seen_at, moment.timestamp())
    db.execute(
        review_times.update()
        .where(key)
        .values(seconds=seconds, submitted_at=iso(moment), last_seen_at=moment.timestamp())
    )
    return float(seconds)


def record_review_time(database: Database, queue_id: str, generation_id: str, reviewer: str, *,
                       now: datetime | None = None) -> float | None:  # fmt: skip
    """``record_submitted`` in a transaction of its own: call it right after the review is saved."""
    with database.transaction() as db:
        return record_submitted(db, queue_id, generation_id, reviewer, now=now)
