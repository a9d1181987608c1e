"""Shared review queues: a team reviews one list of generations together, from several studio
processes on one database (see ``hive_review.team`` for the rules, ``reservations`` for how two
processes never hand out one slot twice).

A little over 300 lines: creating, reserving, reviewing and reading a queue each take the same
slot rules in the same transaction order; the rules themselves, the progress and the agreement
are in their own modules."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.db import Database
from hive_review.feedback.queue import FeedbackQueue
from hive_review.feedback.ratings import Rating, join_labels
from hive_review.log import columns as col
from hive_review.log.entries import iso
from hive_review.log.store import LogStore
from hive_review.team import reservations as slots
from hive_review.team.agreement import QueueAgreement, dimension_agreement
from hive_review.team.models import QueueError, QueueItem, QueueProgress, ReservationLost, SharedQueue
from hive_review.team.progress import queue_progress
from hive_review.team.tables import (
    RESERVED,
    SKIPPED,
    shared_queue_items,
    shared_queues,
    shared_review_revisions,
    shared_reviews,
)

_queues = shared_queues.c
_reviews = shared_reviews.c
_revisions = shared_review_revisions.c
DEFAULT_RESERVATION_SECONDS = 600
# What a blind verdict keeps of the rubric it was given under (the log's columns of the same names).
_RUBRIC_COLUMNS = (col.RUBRIC_NAME, col.RUBRIC_VERSION, col.DIMENSIONS_JSON)


def _clock(now: datetime | None) -> tuple[float, datetime]:
    """Epoch seconds (what reservations are compared in) and the moment; ``now`` lets tests and
    drills move time instead of sleeping."""
    moment = now or datetime.now(UTC)
    return moment.timestamp(), moment


def _queue(db: Connection, queue_id: str) -> SharedQueue:
    row = db.execute(sa.select(shared_queues).where(_queues.id == queue_id)).mappings().first()
    if row is None:
        raise KeyError(f"no shared queue {queue_id!r}")
    return SharedQueue(**row)


class SharedQueues:
    def __init__(self, database: Database, log: LogStore, feedback: FeedbackQueue) -> None:
        self.database = database
        self.log = log
        self.feedback = feedback

    # ---- queues ---------------------------------------------------------------------------------

    def create(
        self,
        name: str,
        generation_ids: Sequence[str],
        *,
        overlap: int = 1,
        reservation_seconds: int = DEFAULT_RESERVATION_SECONDS,
        created_by: str,
        source: str,
    ) -> SharedQueue:
        """A queue of these log rows, offered in this order (a repeated id counts once). Raises
        ``ValueError`` for a bad setting or an id the session log does not hold."""
        ids = list(dict.fromkeys(generation_ids))
        if not name.strip() or not created_by.strip():
            raise ValueError("A shared queue needs a name and the reviewer who creates it.")
        if not ids:
            raise ValueError("A shared queue needs at least one generation; the chosen source has none.")
        if overlap < 1:
            raise ValueError(f"Reviews per item (overlap) is 1 or more, not {overlap}.")
        if reservation_seconds < 1:
            raise ValueError(f"The reservation lasts 1 second or more, not {reservation_seconds}.")
        queue = SharedQueue(
            id=str(uuid.uuid4()),
            name=name.strip(),
            created_by=created_by,
            created_at=iso(datetime.now(UTC)),
            overlap=overlap,
            reservation_seconds=reservation_seconds,
            source=source,
        )
        with self.database.transaction() as db:
            known = self.log.existing_ids(db, ids)
            missing = [gid for gid in ids if gid not in known]
            if missing:
                raise ValueError(
                    f"{len(missing)} of the generations are not in the session log (first: {missing[0]!r}); "
                    "import or ingest them first, then create the queue."
                )
            db.execute(shared_queues.insert().values(**queue.__dict__))
            db.execute(
                shared_queue_items.insert(),
                [{"queue_id": queue.id, "generation_id": gid, "position": n} for n, gid in enumerate(ids, 1)],
            )
        return queue

    def get(self, queue_id: str) -> SharedQueue:
        """``KeyError`` when there is no such queue."""
        with self.database.engine.connect() as db:
            return _queue(db, queue_id)

    # ---- reviewing ------------------------------------------------------------------------------

    def next_item(self, queue_id: str, reviewer: str, *, now: datetime | None = None) -> QueueItem | None:
        """Reserve to this reviewer, for the queue's ``reservation_seconds``, the first item (by
        position) with a slot open to them; None when none is open now (later, an expiring
        reservation or a skip may open one). A reviewer holds one item of a queue at a time: while
        their reservation lives, they get the same item again, its reservation renewed."""
        t, moment = _clock(now)
        with self.database.transaction() as db:
            queue = _queue(db, queue_id)
            slots.lock_reviewer(db, queue_id, reviewer)
            found = None
            held = slots.held_item(db, queue_id, reviewer, t)
            if held is not None:
                position = slots.lock_item(db, queue_id, held)
                # Still live under the item's lock: renewing one that just expired and went to
                # someone else would give the item one reviewer too many.
                state = slots.count_slots(db, queue, held, reviewer, t)
                if position is not None and state.my_live:
                    found = (held, position, state)
            found = found or slots.find_and_lock(db, queue, reviewer, t)
            if found is None:
                return None
            generation_id, position, state = found
            until = t + queue.reservation_seconds
            slots.hold(db, queue_id, generation_id, reviewer, status=RESERVED, expires_at=until, stamp=iso(moment))
        return QueueItem(
            queue_id=queue_id,
            generation_id=generation_id,
            position=position,
            reviewer=reviewer,
            reserved_until=datetime.fromtimestamp(until, UTC),
            reviews_done=state.reviews,
        )

    def skip(self, queue_id: str, generation_id: str, reviewer: str, *, now: datetime | None = None) -> None:
        """A skip means "not me": the reviewer's reservation ends, the item returns to the pool for
        the others and is never offered to this reviewer again. Nothing changes for an item they
        already reviewed."""
        _, moment = _clock(now)
        with self.database.transaction() as db:
            queue = _queue(db, queue_id)
            if slots.lock_item(db, queue_id, generation_id) is None:
                raise KeyError(f"{generation_id!r} is not an item of the shared queue {queue.name!r}")
            # Only "reviewed by me" is read here, which does not depend on the time.
            if not slots.count_slots(db, queue, generation_id, reviewer, 0.0).reviewed_by_me:
                slots.hold(db, queue_id, generation_id, reviewer, status=SKIPPED, expires_at=None, stamp=iso(moment))

    def record_review(
        self,
        queue_id: str,
        generation_id: str,
        reviewer: str,
        rating: Rating,
        *,
        rating_id: str | None = None,
        db: Connection | None = None,
        now: datetime | None = None,
    ) -> None:
        """Record this reviewer's review of the item, completing their reservation; pass the
        transaction of ``FeedbackQueue.save_rating`` as ``db`` (and its ``rating_id``) so the review,
        the log row and the outbox item are one commit (``submit_review`` does both). A reviewer who
        reviewed it already revises their review (below). A review after the reservation expired is taken
        while the item still has a free slot; else ``ReservationLost`` (raised inside the
        transaction, so the caller's rating is rolled back with it).

        The first review is the blind verdict (given before the item's variant, model and other
        reviews were revealed): ``shared_reviews`` keeps it, and agreement uses it. A later change by
        the same reviewer is a revision (``shared_review_revisions``); the log row and HoneyHive get
        it as the latest rating, as any rating."""
        t, moment = _clock(now)
        with self.database.transaction(db) as tx:
            queue = _queue(tx, queue_id)
            if slots.lock_item(tx, queue_id, generation_id) is None:
                raise KeyError(f"{generation_id!r} is not an item of the shared queue {queue.name!r}")
            state = slots.count_slots(tx, queue, generation_id, reviewer, t)
            if not (state.reviewed_by_me or state.my_live or state.free > 0):
                raise ReservationLost(
                    f"Your reservation of this item ended and it has been reviewed by the {queue.overlap} "
                    "reviewer(s) it needs; your rating was not saved. Open the next item of the queue."
                )
            slots.release(tx, queue_id, generation_id, reviewer)
            values = {
                "thumbs": rating.thumbs,
                "stars": rating.stars,
                "labels": join_labels(rating.labels),
                "comment": rating.comment or None,
                "rating_id": rating_id,
                "reviewed_at": iso(moment),
            }
            key = {"queue_id": queue_id, "generation_id": generation_id, "reviewer": reviewer}
            if state.reviewed_by_me:  # after the reveal: a revision; the blind verdict stays
                condition = sa.and_(*(_revisions[name] == value for name, value in key.items()))
                last = tx.execute(sa.select(sa.func.max(_revisions.revision)).where(condition)).scalar()
                tx.execute(shared_review_revisions.insert().values(**key, revision=(last or 0) + 1, **values))
            else:
                rubric = {name: rating.row_values()[name] for name in _RUBRIC_COLUMNS}
                tx.execute(shared_reviews.insert().values(**key, **values, **rubric))

    def submit_review(
        self,
        queue_id: str,
        generation_id: str,
        reviewer: str,
        rating: Rating,
        *,
        connection_id: str,
        now: datetime | None = None,
    ) -> str:
        """The rating flow for a shared item: the log row, the outbox item (delivered to HoneyHive as
        any rating) and the queue's review, in one transaction. Returns the ``rating_id``."""
        if rating.is_empty:
            raise QueueError("Give a rating (thumbs, stars, labels or a comment) before completing the item.")
        _, moment = _clock(now)
        with self.database.transaction() as db:
            rating_id = self.feedback.save_rating(
                generation_id, rating, reviewer=reviewer, connection_id=connection_id, rated_at=moment, db=db
            )
            self.record_review(queue_id, generation_id, reviewer, rating, rating_id=rating_id, db=db, now=now)
        return rating_id

    # ---- reading --------------------------------------------------------------------------------

    def progress(self, queue_id: str, *, now: datetime | None = None) -> QueueProgress:
        t, _ = _clock(now)
        with self.database.engine.connect() as db:
            return queue_progress(db, _queue(db, queue_id), t)

    def generation_ids(self, queue_id: str) -> builtins.list[str]:
        """The queue's items, in the order it offers them."""
        query = (
            sa.select(shared_queue_items.c.generation_id)
            .where(shared_queue_items.c.queue_id == queue_id)
            .order_by(shared_queue_items.c.position)
        )
        with self.database.engine.connect() as db:
            return [str(gid) for gid in db.execute(query).scalars()]

    def reviews(self, queue_id: str) -> builtins.list[dict[str, object]]:
        """Every review of the queue, by item position then reviewer."""
        query = (
            sa.select(shared_reviews, shared_queue_items.c.position)
            .join(
                shared_queue_items,
                sa.and_(
                    shared_queue_items.c.queue_id == _reviews.queue_id,
                    shared_queue_items.c.generation_id == _reviews.generation_id,
                ),
            )
            .where(_reviews.queue_id == queue_id)
            .order_by(shared_queue_items.c.position, _reviews.reviewer)
        )
        with self.database.engine.connect() as db:
            return [dict(row) for row in db.execute(query).mappings()]

    def revisions(self, queue_id: str) -> builtins.list[dict[str, object]]:
        """Every change made to a review after its reveal, by item, reviewer and revision."""
        query = (
            sa.select(shared_review_revisions)
            .where(_revisions.queue_id == queue_id)
            .order_by(_revisions.generation_id, _revisions.reviewer, _revisions.revision)
        )
        with self.database.engine.connect() as db:
            return [dict(row) for row in db.execute(query).mappings()]

    def item_reviews(self, queue_id: str, generation_id: str) -> builtins.list[dict[str, object]]:
        """Each reviewer's review of one item as it stands: the latest revision, else the blind
        verdict (with ``revision`` 0), by reviewer."""
        item = sa.and_(_reviews.queue_id == queue_id, _reviews.generation_id == generation_id)
        with self.database.engine.connect() as db:
            blind = {
                row["reviewer"]: {**row, "revision": 0}
                for row in db.execute(sa.select(shared_reviews).where(item)).mappings()
            }
            changed = sa.and_(_revisions.queue_id == queue_id, _revisions.generation_id == generation_id)
            for row in db.execute(
                sa.select(shared_review_revisions).where(changed).order_by(_revisions.revision)
            ).mappings():
                blind[row["reviewer"]] = dict(row)
        return [blind[reviewer] for reviewer in sorted(blind)]

    def agreement(self, queue_id: str) -> QueueAgreement:
        """Cohen, Fleiss and Krippendorff on thumbs and stars, from the blind verdicts in the database
        now (a revision after the reveal does not count)."""
        with self.database.engine.connect() as db:
            queue = _queue(db, queue_id)
            rows = db.execute(
                sa.select(_reviews.generation_id, _reviews.reviewer, _reviews.thumbs, _reviews.stars).where(
                    _reviews.queue_id == queue_id
                )
            ).all()
        return QueueAgreement(
            queue_id=queue_id,
            overlap=queue.overlap,
            thumbs=dimension_agreement(((g, r, up) for g, r, up, _ in rows), dimension="thumbs", overlap=queue.overlap),
            stars=dimension_agreement(((g, r, s) for g, r, _, s in rows), dimension="stars", overlap=queue.overlap),
        )

    def list(self) -> builtins.list[SharedQueue]:
        """Every queue, newest first."""
        with self.database.engine.connect() as db:
            rows = db.execute(sa.select(shared_queues).order_by(_queues.created_at.desc(), _queues.id)).mappings()
            return [SharedQueue(**row) for row in rows]
