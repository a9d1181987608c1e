"""The outbox's event items (current API) handled in groups: queued many in one transaction (a
batch's recorder commits them with their log rows), leased many at a time, and finished many in one
transaction, so that a group sent in one ``POST /events/batch`` costs one claim and one commit.

The rules are ``hive_review.feedback.queue``'s: an item is leased to one owner (``lease_owner``,
``lease_until``) and only an expired lease returns it to the queue; an outcome is recorded only while
the owner still holds the lease. An event item is the only event of its generation, and no feedback
of a generation is claimed while its event is unsent (``FeedbackQueue.claim``), so the claim here
needs no per-generation gate: on PostgreSQL ``FOR UPDATE SKIP LOCKED`` keeps two outboxes off the
same rows.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.feedback.outbox import EVENT_KIND, Delivery, feedback_outbox
from hive_review.feedback.queue import FeedbackQueue
from hive_review.feedback.status import DeliveryState
from hive_review.log.entries import iso, utc_now

__all__ = ["EventItems", "QueuedEvent"]

_outbox = feedback_outbox.c
_CHUNK = 500  # ids per IN (...): well under every database's limit on bound parameters


@dataclass(frozen=True)
class QueuedEvent:
    """A generation's event to be created at HoneyHive: its id (the generation's), task and fields."""

    event_id: str
    task: str
    event: Mapping[str, Any]


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


class EventItems:
    """Event items of one outbox queue, in groups."""

    def __init__(self, queue: FeedbackQueue) -> None:
        self.queue = queue
        self.database = queue.database

    def insert(self, db: Connection, events: Sequence[QueuedEvent], *, connection_id: str) -> None:
        """Queue these events in the caller's transaction (one statement). An event is not feedback:
        its generation's log row stays as it is."""
        if not events:
            return
        now, created = time.time(), iso(utc_now())
        rows = [
            {
                "id": str(uuid.uuid4()),
                "generation_id": item.event_id,
                "task": item.task,
                "kind": EVENT_KIND,
                "feedback_json": json.dumps(dict(item.event), ensure_ascii=False),
                "ground_truth": None,
                "status": DeliveryState.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": created,
                "connection_id": connection_id,
            }
            for item in events
        ]
        db.execute(feedback_outbox.insert(), rows)

    @staticmethod
    def _due(connection_id: str, now: float) -> sa.ColumnElement[bool]:
        return sa.and_(
            _outbox.kind == EVENT_KIND,
            sa.or_(_outbox.connection_id == connection_id, _outbox.connection_id.is_(None)),
            sa.or_(
                sa.and_(_outbox.status == DeliveryState.PENDING, _outbox.next_attempt_at <= now),
                sa.and_(
                    _outbox.status == DeliveryState.SENDING,
                    sa.or_(_outbox.lease_until.is_(None), _outbox.lease_until <= now),
                ),
            ),
        )

    def due_count(self, connection_id: str) -> int:
        """How many event items of this connection could be claimed now."""
        query = sa.select(sa.func.count()).select_from(feedback_outbox).where(self._due(connection_id, time.time()))
        with self.database.engine.connect() as db:
            return int(db.execute(query).scalar() or 0)

    def next_due_in(self, connection_id: str) -> float | None:
        """Seconds until this connection's next pending event item is due (0: one is due), or None."""
        query = sa.select(sa.func.min(_outbox.next_attempt_at)).where(
            _outbox.kind == EVENT_KIND,
            _outbox.status == DeliveryState.PENDING,
            sa.or_(_outbox.connection_id == connection_id, _outbox.connection_id.is_(None)),
        )
        with self.database.engine.connect() as db:
            due = db.execute(query).scalar()
        return None if due is None else max(0.0, float(due) - time.time())

    def claim(self, *, connection_id: str, owner: str, limit: int, lease_seconds: float) -> list[Delivery]:
        """Lease up to ``limit`` due event items to ``owner``, oldest first: one SELECT, one UPDATE."""
        now = time.time()
        query = (
            sa.select(feedback_outbox).where(self._due(connection_id, now)).order_by(_outbox.created_at).limit(limit)
        )
        with self.database.transaction() as db:
            if db.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=feedback_outbox)
            rows = db.execute(query).mappings().all()
            if not rows:
                return []
            db.execute(
                feedback_outbox.update()
                .where(_outbox.id.in_([row["id"] for row in rows]))
                .values(
                    status=DeliveryState.SENDING,
                    attempts=_outbox.attempts + 1,
                    lease_owner=owner,
                    lease_until=now + lease_seconds,
                )
            )
        return [Delivery.leased(row, owner) for row in rows]

    def finish(self, outcomes: Sequence[tuple[Sequence[Delivery], Mapping[str, Any]]]) -> tuple[int, bool]:
        """Record outcomes (each: items and the column values to set, e.g. ``status=sent``) in one
        transaction, only for items still ``sending`` under their owner's lease; release the leases
        either way. Returns how many outcomes were recorded, and whether any of these generations
        has feedback queued (it may be claimed now that its event is settled)."""
        everything = [delivery for deliveries, _ in outcomes for delivery in deliveries]
        if not everything:
            return 0, False
        generation_ids = sorted({delivery.generation_id for delivery in everything})
        recorded = 0
        with self.database.transaction() as db:
            # The log rows first, as every write does (PostgreSQL): otherwise each waits for the other.
            self.queue.log.lock_entries(db, generation_ids)
            for deliveries, values in outcomes:
                for owner in sorted({d.owner for d in deliveries}):
                    for ids in _chunks([d.id for d in deliveries if d.owner == owner]):
                        mine = _outbox.id.in_(ids) & (_outbox.lease_owner == owner)
                        done = db.execute(
                            feedback_outbox.update()
                            .where(mine, _outbox.status == DeliveryState.SENDING)
                            .values(**values)
                        ).rowcount
                        recorded += int(done or 0)
                        db.execute(feedback_outbox.update().where(mine).values(lease_owner=None, lease_until=None))
            with_feedback: list[str] = []
            for ids in _chunks(generation_ids):
                with_feedback += db.execute(
                    sa.select(_outbox.generation_id)
                    .where(
                        _outbox.generation_id.in_(ids),
                        _outbox.kind != EVENT_KIND,
                        _outbox.status != DeliveryState.SUPERSEDED,
                    )
                    .distinct()
                ).scalars()
            for generation_id in with_feedback:  # an event alone leaves its log row as it is
                self.queue._refresh_status(db, generation_id)
        return recorded, bool(with_feedback)
