"""The feedback queue (outbox): every rating and vote is committed here, with its log row, before
anything touches the network; ``hive_review.feedback.worker`` delivers it.

Exactly once, and the latest rating wins:

* An item belongs to the connection it was made on (``connection_id``: the base URL and a
  fingerprint of the key, never the key); only that connection's outbox sends it.
* A claim is a lease (``lease_owner``, ``lease_until``) that the live owner renews while it sends.
  Only an expired lease (its process died) returns the item to the queue: a second outbox on the
  same database never re-sends what a live one is sending.
* A new rating of a generation supersedes every earlier rating item of it that has not been sent,
  including one on the wire. While any item of a generation is leased, no other item of that
  generation is claimed, so the newer rating always lands after the older one.
* Every outcome is recorded only if the item is still leased to the owner that sent it.
* On the current API the event of a generation is queued here too (``queue_event``: the reviewer
  does not wait for ``POST /events``). No feedback of a generation is claimed while its event is
  unsent: HoneyHive can only merge feedback into an event it has.

The table and the leased item are in ``outbox.py``. Queueing, claiming and recording outcomes stay
together here (a little over 300 lines) on purpose: each keeps the rules above, and they hold only
if every writer takes the same locks in the same order, which is easiest to check side by side.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.db import Database
from hive_review.feedback.claim_locks import free_generations
from hive_review.feedback.outbox import EVENT_KIND, OPEN_STATES, Delivery, feedback_outbox
from hive_review.feedback.ratings import Rating
from hive_review.feedback.status import DeliveryKind, DeliveryState, FeedbackStatus
from hive_review.log import columns as col
from hive_review.log.entries import iso, utc_now
from hive_review.log.store import LogStore
from hive_review.quality.gold_rows import is_gold

_outbox = feedback_outbox.c


class FeedbackQueue:
    def __init__(self, database: Database, log: LogStore) -> None:
        self.database = database
        self.log = log

    # ---- queueing -------------------------------------------------------------------------------

    def save_rating(
        self,
        generation_id: str,
        rating: Rating,
        *,
        reviewer: str,
        connection_id: str,
        rated_at: datetime | None = None,
        db: Connection | None = None,
    ) -> str:
        """Commit a rating to the log and queue its delivery, in one transaction. Returns its
        ``rating_id``. Earlier ratings of the generation not yet sent are superseded. A gold item's
        rating (``hive_review.quality``) stays in the log: it is never sent to HoneyHive."""
        rated_at = rated_at or utc_now()
        rating_id = str(uuid.uuid4())
        feedback = rating.feedback_json(reviewer=reviewer, rated_at=rated_at, rating_id=rating_id)
        with self.database.transaction(db) as tx:
            entry = self.log.entry_for_update(tx, generation_id)
            self.log.update_entry(
                tx, generation_id, {**rating.row_values(), col.RATED_AT: iso(rated_at), col.REVIEWER: reviewer}
            )
            if is_gold(tx, generation_id):
                return rating_id
            tx.execute(
                feedback_outbox.update()
                .where(
                    _outbox.generation_id == generation_id,
                    _outbox.kind == DeliveryKind.RATING,
                    _outbox.status.in_(list(OPEN_STATES)),
                )
                .values(status=DeliveryState.SUPERSEDED)
            )
            self._insert(tx, rating_id, generation_id, entry, feedback, rating.ground_truth, DeliveryKind.RATING,
                         connection_id)  # fmt: skip
        return rating_id

    def queue_vote(
        self,
        generation_id: str,
        feedback: Mapping[str, Any],
        *,
        connection_id: str,
        db: Connection | None = None,
    ) -> str:
        """Queue a blind A/B vote's feedback for one of its generations; the log row shows the
        preference and the side it was shown on."""
        delivery_id = str(uuid.uuid4())
        with self.database.transaction(db) as tx:
            entry = self.log.entry_for_update(tx, generation_id)
            shown = {col.PREFERENCE: feedback.get("preference"), col.AB_POSITION: feedback.get("position")}
            self.log.update_entry(tx, generation_id, shown)
            self._insert(tx, delivery_id, generation_id, entry, dict(feedback), None, DeliveryKind.VOTE, connection_id)
        return delivery_id

    def queue_event(
        self, event_id: str, task: str, event: Mapping[str, Any], *, connection_id: str, db: Connection | None = None
    ) -> str:
        """Queue the creation of a generation's event (``POST /events``; ``event`` holds its fields).
        Committed before the generation is shown, so it is delivered even if the studio stops now;
        its log row is added by the caller and shows nothing of it."""
        with self.database.transaction(db) as tx:
            self._insert(tx, str(uuid.uuid4()), event_id, {col.TASK: task}, event, None, EVENT_KIND, connection_id)
        return event_id

    def _insert(
        self,
        db: Connection,
        delivery_id: str,
        generation_id: str,
        entry: Mapping[str, Any],
        feedback: Mapping[str, Any],
        ground_truth: str | None,
        kind: str,
        connection_id: str,
    ) -> None:
        db.execute(
            feedback_outbox.insert().values(
                id=delivery_id,
                generation_id=generation_id,
                task=entry[col.TASK],
                kind=str(kind),
                feedback_json=json.dumps(dict(feedback), ensure_ascii=False),
                ground_truth=ground_truth,
                status=DeliveryState.PENDING.value,
                attempts=0,
                next_attempt_at=time.time(),
                created_at=iso(utc_now()),
                connection_id=connection_id,
            )
        )
        if kind != EVENT_KIND:  # an event is not feedback: its generation stays unrated
            self.log.set_feedback_status(db, generation_id, FeedbackStatus.PENDING, None)

    def retry_failed(self, generation_id: str | None = None) -> int:
        """Queue failed deliveries again (of one generation, or all). Returns how many."""
        condition = _outbox.status == DeliveryState.FAILED
        if generation_id is not None:
            condition = condition & (_outbox.generation_id == generation_id)
        with self.database.transaction() as db:
            ids = sorted(set(db.execute(sa.select(_outbox.generation_id).where(condition)).scalars()))
            self.log.lock_entries(db, ids)  # log rows before outbox items, as every write does
            condition = condition & _outbox.generation_id.in_(ids)
            count = db.execute(
                feedback_outbox.update()
                .where(condition)
                .values(status=DeliveryState.PENDING, attempts=0, next_attempt_at=time.time())
            ).rowcount
            for gid in ids:
                self._refresh_status(db, gid)
        return int(count or 0)

    # ---- delivering (hive_review.feedback.worker) -----------------------------------------------

    def claim(
        self, *, connection_id: str, owner: str, limit: int, lease_seconds: float, events: bool = True
    ) -> list[Delivery]:
        """Lease up to ``limit`` due items of this connection to ``owner``, oldest first: pending
        ones, and ones whose lease expired (their sender died). Items of a generation that has a
        live lease wait, so deliveries of one generation never overtake each other. ``events=False``:
        feedback only (the outbox's event lane claims events in groups: ``event_items``)."""
        now = time.time()
        live = sa.and_(_outbox.lease_until > now, _outbox.lease_owner.is_not(None))
        due = sa.or_(
            sa.and_(_outbox.status == DeliveryState.PENDING, _outbox.next_attempt_at <= now),
            sa.and_(
                _outbox.status == DeliveryState.SENDING,
                sa.or_(_outbox.lease_until.is_(None), _outbox.lease_until <= now),
            ),
        )
        unsent_event = sa.and_(_outbox.kind == EVENT_KIND, _outbox.status.in_(list(OPEN_STATES)))
        query = (
            sa.select(_outbox)
            .where(
                due,
                sa.or_(_outbox.connection_id == connection_id, _outbox.connection_id.is_(None)),
                _outbox.generation_id.not_in(sa.select(_outbox.generation_id).where(live)),
                # Feedback waits for its generation's event (its own item is the event).
                sa.or_(
                    _outbox.kind == EVENT_KIND,
                    _outbox.generation_id.not_in(sa.select(_outbox.generation_id).where(unsent_event)),
                ),
                sa.true() if events else _outbox.kind != EVENT_KIND,
            )
            .order_by(_outbox.created_at)
            .limit(limit)
        )
        with self.database.transaction() as db:
            if db.dialect.name == "postgresql":
                # Several studio processes claim side by side, each skipping rows another has locked.
                query = query.with_for_update(skip_locked=True, of=feedback_outbox)
            rows = db.execute(query).mappings().all()
            # PostgreSQL: and none of a generation that another process is claiming at this moment.
            free = free_generations(db, feedback_outbox, [row["generation_id"] for row in rows], live)
            claimed: list[Delivery] = []
            seen: set[str] = set()
            for row in rows:
                if row["generation_id"] in seen:  # one item per generation in flight
                    continue
                if free is not None and row["generation_id"] not in free:
                    continue
                taken = db.execute(
                    feedback_outbox.update()
                    .where(_outbox.id == row["id"], _outbox.status == row["status"])
                    .values(
                        status=DeliveryState.SENDING,
                        attempts=row["attempts"] + 1,
                        lease_owner=owner,
                        lease_until=now + lease_seconds,
                    )
                ).rowcount
                if not taken:
                    continue
                seen.add(row["generation_id"])
                claimed.append(Delivery.leased(row, owner))
        return claimed

    def renew_leases(self, owner: str, lease_seconds: float) -> int:
        """The live owner keeps its leases: only a dead process's leases expire."""
        with self.database.transaction() as db:
            return int(
                db.execute(
                    feedback_outbox.update()
                    .where(_outbox.lease_owner == owner)
                    .values(lease_until=time.time() + lease_seconds)
                ).rowcount
                or 0
            )

    def next_due_in(self, connection_id: str, *, events: bool = True) -> float | None:
        """Seconds until this connection's next pending item is due (0 if one is due now), or None.
        ``events=False``: of feedback items only."""
        with self.database.engine.connect() as db:
            due = db.execute(
                sa.select(sa.func.min(_outbox.next_attempt_at)).where(
                    _outbox.status == DeliveryState.PENDING,
                    sa.or_(_outbox.connection_id == connection_id, _outbox.connection_id.is_(None)),
                    sa.true() if events else _outbox.kind != EVENT_KIND,
                )
            ).scalar()
        return None if due is None else max(0.0, float(due) - time.time())

    def mark_sent(self, delivery: Delivery) -> bool:
        return self._finish(delivery, status=DeliveryState.SENT, sent_at=iso(utc_now()), last_error=None)

    def mark_retry(self, delivery: Delivery, error: str, delay_seconds: float) -> bool:
        return self._finish(
            delivery, status=DeliveryState.PENDING, last_error=error, next_attempt_at=time.time() + delay_seconds
        )

    def mark_failed(self, delivery: Delivery, error: str) -> bool:
        return self._finish(delivery, status=DeliveryState.FAILED, last_error=error)

    def _finish(self, delivery: Delivery, **values: Any) -> bool:
        """Record an outcome only while the item is still ``sending`` under this owner's lease (a
        superseded item stays superseded; a lease taken over after expiry is not ours any more).
        The lease is released either way. Returns whether the outcome was recorded."""
        mine = (_outbox.id == delivery.id) & (_outbox.lease_owner == delivery.owner)
        with self.database.transaction() as db:
            # The log row first, as an edit of the rating does: otherwise each waits for the other.
            self.log.lock_entries(db, [delivery.generation_id])
            recorded = db.execute(
                feedback_outbox.update().where(mine, _outbox.status == DeliveryState.SENDING).values(**values)
            ).rowcount
            db.execute(feedback_outbox.update().where(mine).values(lease_owner=None, lease_until=None))
            self._refresh_status(db, delivery.generation_id)
        return bool(recorded)

    def _refresh_status(self, db: Connection, generation_id: str) -> None:
        """The log row shows the state of the generation's deliveries: failed beats pending beats sent.
        Its event alone is not feedback: a generation whose event is on its way is still unrated
        (but an event that failed holds its feedback back, so then the row says why)."""
        states = db.execute(
            sa.select(_outbox.status, _outbox.last_error, _outbox.kind)
            .where(_outbox.generation_id == generation_id, _outbox.status != DeliveryState.SUPERSEDED)
            .order_by(_outbox.created_at)
        ).all()
        if all(kind == EVENT_KIND for _, _, kind in states):
            return
        failed = [error for status, error, _ in states if status == DeliveryState.FAILED]
        if failed:
            status, error = FeedbackStatus.FAILED, failed[-1]
        elif any(status in (DeliveryState.PENDING, DeliveryState.SENDING) for status, _, _ in states):
            status, error = FeedbackStatus.PENDING, states[-1][1]
        else:
            status, error = FeedbackStatus.SENT, None
        self.log.set_feedback_status(db, generation_id, status, error)

    # ---- reading --------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """How many items are in each delivery state."""
        with self.database.engine.connect() as db:
            rows = db.execute(sa.select(_outbox.status, sa.func.count()).group_by(_outbox.status)).all()
        return {status: int(count) for status, count in rows}

    def deliveries(self, generation_id: str | None = None) -> list[dict[str, Any]]:
        query = sa.select(feedback_outbox).order_by(_outbox.created_at)
        if generation_id is not None:
            query = query.where(_outbox.generation_id == generation_id)
        with self.database.engine.connect() as db:
            return [dict(row) for row in db.execute(query).mappings()]
