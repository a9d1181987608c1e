"""Reserving items of a shared queue, from several studio processes on one database.

An item has ``overlap`` slots. A reviewer may take one when they have neither reviewed nor skipped
it and its completed reviews plus the live reservations of other reviewers are fewer than
``overlap``; an expired reservation holds nothing. So with overlap 2 two reviewers may hold an item
at once, a third may not, and one reviewer never holds or reviews it twice (the reservation and
review tables are keyed by queue, item and reviewer).

PostgreSQL: the first eligible item whose row this transaction can lock without waiting
(``FOR UPDATE SKIP LOCKED``), then a fresh count under that lock. The candidate query judged
eligibility on its snapshot, which may predate another process's reservation committed meanwhile;
the count after the lock is a new statement, so under READ COMMITTED it sees every commit before
it, and every writer of an item's reservations and reviews holds the item's row lock, so nothing
changes it before we commit. SQLite: the engine's ``BEGIN IMMEDIATE`` holds the writer lock for
the whole transaction, so what it reads is the truth and the locks render as nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.team.models import SharedQueue
from hive_review.team.tables import RESERVED, SKIPPED, shared_queue_items, shared_queue_reservations, shared_reviews

_items = shared_queue_items.c
_holds = shared_queue_reservations.c
_reviews = shared_reviews.c
# Names these locks among PostgreSQL's advisory locks (any fixed number, apart from the outbox's).
_REVIEWER_LOCKS = 0x717565
_LOCK_REVIEWER = sa.text("SELECT pg_advisory_xact_lock(:ns, hashtext(:key))")


@dataclass(frozen=True)
class Slots:
    """One item's slots as seen by one reviewer at one moment."""

    overlap: int
    reviews: int  # completed reviews, by anyone
    live_others: int  # live reservations of other reviewers
    reviewed_by_me: bool
    my_status: str | None  # RESERVED, SKIPPED or None
    my_live: bool  # I hold a reservation that has not expired

    @property
    def free(self) -> int:
        return self.overlap - self.reviews - self.live_others

    @property
    def open_to_me(self) -> bool:
        return not self.reviewed_by_me and self.my_status != SKIPPED and self.free > 0


def lock_reviewer(db: Connection, queue_id: str, reviewer: str) -> None:
    """One ``next_item`` per reviewer and queue at a time across processes (two tabs of one reviewer
    would otherwise reserve two items). SQLite: the writer lock does this already."""
    if db.dialect.name == "postgresql":
        db.execute(_LOCK_REVIEWER, {"ns": _REVIEWER_LOCKS, "key": f"{queue_id}\n{reviewer}"})


def lock_item(db: Connection, queue_id: str, generation_id: str) -> int | None:
    """Lock an item's row to the end of the transaction, waiting for whoever holds it; its position,
    or None when the queue has no such item."""
    found = db.execute(
        sa.select(_items.position)
        .where(_items.queue_id == queue_id, _items.generation_id == generation_id)
        .with_for_update()
    ).scalar()
    return None if found is None else int(found)


def count_slots(db: Connection, queue: SharedQueue, generation_id: str, reviewer: str, now: float) -> Slots:
    """The item's slots, read now (call with the item locked for an answer that holds to commit)."""
    holds = db.execute(
        sa.select(_holds.reviewer, _holds.status, _holds.expires_at).where(
            _holds.queue_id == queue.id, _holds.generation_id == generation_id
        )
    ).all()
    reviewers = set(
        db.execute(
            sa.select(_reviews.reviewer).where(_reviews.queue_id == queue.id, _reviews.generation_id == generation_id)
        ).scalars()
    )
    live = {who for who, status, until in holds if status == RESERVED and until is not None and until > now}
    mine = next((status for who, status, _ in holds if who == reviewer), None)
    return Slots(
        overlap=queue.overlap,
        reviews=len(reviewers),
        live_others=len(live - {reviewer}),
        reviewed_by_me=reviewer in reviewers,
        my_status=mine,
        my_live=reviewer in live,
    )


def held_item(db: Connection, queue_id: str, reviewer: str, now: float) -> str | None:
    """The item this reviewer holds a live reservation on, if any (read without locks)."""
    return db.execute(
        sa.select(_holds.generation_id)
        .where(
            _holds.queue_id == queue_id,
            _holds.reviewer == reviewer,
            _holds.status == RESERVED,
            _holds.expires_at > now,
        )
        .order_by(_holds.expires_at.desc())
        .limit(1)
    ).scalar()


def _eligible(queue: SharedQueue, reviewer: str, now: float) -> sa.ColumnElement[bool]:
    """Items this reviewer may take a slot of, judged on the statement's snapshot."""
    same_item = sa.and_(_reviews.queue_id == _items.queue_id, _reviews.generation_id == _items.generation_id)
    same_hold = sa.and_(_holds.queue_id == _items.queue_id, _holds.generation_id == _items.generation_id)
    reviews = sa.select(sa.func.count()).where(same_item).scalar_subquery()
    live_others = (
        sa.select(sa.func.count())
        .where(same_hold, _holds.status == RESERVED, _holds.expires_at > now, _holds.reviewer != reviewer)
        .scalar_subquery()
    )
    reviewed = sa.exists().where(same_item, _reviews.reviewer == reviewer)
    skipped = sa.exists().where(same_hold, _holds.reviewer == reviewer, _holds.status == SKIPPED)
    return sa.and_(_items.queue_id == queue.id, ~reviewed, ~skipped, reviews + live_others < queue.overlap)


def find_and_lock(db: Connection, queue: SharedQueue, reviewer: str, now: float) -> tuple[str, int, Slots] | None:
    """The first item (by position) with a slot open to this reviewer, locked, with its slots
    counted under the lock; None when there is none."""
    passed: set[str] = set()  # found full under the lock: taken meanwhile, not worth asking again
    while True:
        condition = _eligible(queue, reviewer, now)
        if passed:
            condition = condition & _items.generation_id.not_in(sorted(passed))
        query = sa.select(_items.generation_id, _items.position).where(condition).order_by(_items.position).limit(1)
        row = db.execute(query.with_for_update(skip_locked=True, of=shared_queue_items)).first()
        if row is None and db.dialect.name == "postgresql":
            # Every eligible item is locked by another claim or review right now; one may still have
            # a slot for us once it commits: wait for the first such item rather than say "none".
            row = db.execute(query).first()
            if row is not None and lock_item(db, queue.id, row.generation_id) is None:
                row = None
        if row is None:
            return None
        slots = count_slots(db, queue, row.generation_id, reviewer, now)
        if slots.open_to_me:
            return row.generation_id, int(row.position), slots
        passed.add(row.generation_id)


def hold(db: Connection, queue_id: str, generation_id: str, reviewer: str, *, status: str,
         expires_at: float | None, stamp: str) -> None:  # fmt: skip
    """Set this reviewer's reservation (or skip) of the item; the caller holds the item's lock, so
    no other transaction writes the same row meanwhile."""
    key = (_holds.queue_id == queue_id) & (_holds.generation_id == generation_id) & (_holds.reviewer == reviewer)
    values = {"status": status, "expires_at": expires_at, "updated_at": stamp}
    if not db.execute(shared_queue_reservations.update().where(key).values(values)).rowcount:
        db.execute(
            shared_queue_reservations.insert().values(
                queue_id=queue_id, generation_id=generation_id, reviewer=reviewer, **values
            )
        )


def release(db: Connection, queue_id: str, generation_id: str, reviewer: str) -> None:
    """Drop this reviewer's reservation or skip of the item (their review replaces it)."""
    db.execute(
        shared_queue_reservations.delete().where(
            _holds.queue_id == queue_id, _holds.generation_id == generation_id, _holds.reviewer == reviewer
        )
    )
