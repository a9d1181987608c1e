"""Deliver queued ratings to HoneyHive in the background: nothing lost, nothing doubled.

A rating is committed to the queue (``FeedbackQueue.save_rating``) before anything touches the
network. This worker then leases its connection's due items, sends them with a few threads, renews
its leases while it sends, and records the outcome:

* sent: done;
* refused for good (401, 404, 422: retrying cannot help): failed, with HoneyHive's reason;
* a transient failure (no connection, timeout, 429, 5xx): queued again after a jittered
  exponential backoff (at least the server's ``Retry-After``); after ``max_attempts`` it is
  failed, with the reason, and the reviewer can retry it.

An item a dead process was sending is sent again once its lease expires (a live process renews its
own). Sending one again is safe: HoneyHive merges feedback key by key, and each rating carries its
own ``rating_id``.

Generations' events (current API) have a lane of their own (``event_sender``): sent in groups, one
``POST /events/batch`` each, by the same rules. Feedback of a generation waits for its event.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import Connection

from hive_review.db import Database
from hive_review.feedback.event_items import EventItems, QueuedEvent
from hive_review.feedback.event_sender import EventLane
from hive_review.feedback.outbox import EVENT_KIND, Delivery
from hive_review.feedback.queue import FeedbackQueue
from hive_review.feedback.status import DeliveryState, FeedbackStatus
from hive_review.ports import FeedbackSender
from honeyhive_api import HoneyHiveError, RateLimitError
from honeyhive_api.errors import UnsupportedAPIError
from honeyhive_api.retrying import backoff_delay, may_retry

log = logging.getLogger(__name__)

# When a claim found nothing although items are due (their generation waits for its event, or
# another outbox leases one), look again after this long at most; the event lane wakes us earlier.
GATED_POLL = 0.25


class FeedbackOutbox:
    def __init__(
        self,
        queue: FeedbackQueue,
        sender: FeedbackSender,
        *,
        connection_id: str,
        workers: int = 8,
        max_attempts: int = 8,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        idle_poll: float = 5.0,
        lease_seconds: float = 30.0,
        event_batch_size: int = 100,
        event_linger: float = 0.5,
    ) -> None:
        self.queue = queue
        self.sender = sender
        self.connection_id = connection_id
        # Names this outbox in the leases it takes: unique per instance, readable in the database.
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_seconds = lease_seconds
        self.workers = workers
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.idle_poll = idle_poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._heartbeat: threading.Thread | None = None
        self._event_thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._event_items = EventItems(queue)
        self.events = EventLane(self, self._event_items, batch_size=event_batch_size, linger=event_linger)

    # ---- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FeedbackOutbox:
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="feedback-outbox")
        self._thread = threading.Thread(target=self._run, name="feedback-outbox", daemon=True)
        self._heartbeat = threading.Thread(target=self._renew_leases, name="feedback-leases", daemon=True)
        self._event_thread = threading.Thread(
            target=self.events.run, args=(self._stop,), name="feedback-events", daemon=True
        )
        self._thread.start()
        self._heartbeat.start()
        self._event_thread.start()
        self._wake.set()  # deliver what an earlier run left pending
        self.events.wake()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        self.events.wake()
        for thread in (self._thread, self._heartbeat, self._event_thread):
            if thread is not None:
                thread.join(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._thread = self._heartbeat = self._event_thread = self._pool = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """A new rating was queued: look now instead of at the next poll."""
        self._wake.set()

    def queue_event(self, event_id: str, task: str, event: Mapping[str, Any]) -> None:
        """Queue a generation's event for HoneyHive (committed now, sent in the background:
        ``CurrentBackend`` hands its events here so the reviewer never waits for HoneyHive)."""
        self.queue.queue_event(event_id, task, event, connection_id=self.connection_id)
        self.events.arrived(1, soon=True)

    # What a batch's recorder uses to commit its runs' events with their log rows (one transaction).

    @property
    def database(self) -> Database:
        return self.queue.database

    def queue_events(self, events: Sequence[QueuedEvent], *, db: Connection) -> None:
        """Queue events in the caller's transaction; call ``events_committed`` after its commit."""
        self._event_items.insert(db, events, connection_id=self.connection_id)

    def events_committed(self, count: int) -> None:
        self.events.arrived(count)

    def flush_events(self) -> None:
        """Send the events queued so far now, without waiting for a fuller group."""
        self.events.flush()

    def drain(self, timeout: float = 60.0) -> bool:
        """Wait until nothing is pending or sending (True), or ``timeout`` passes (False)."""
        deadline = time.monotonic() + timeout
        nudged = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() - nudged > 0.1:  # events without lingering; feedback now
                self.flush_events()
                self.wake()
                nudged = time.monotonic()
            counts = self.queue.counts()
            if not counts.get(DeliveryState.PENDING) and not counts.get(DeliveryState.SENDING):
                return True
            time.sleep(0.01)
        return False

    def wait_for(self, generation_id: str, timeout: float) -> str | None:
        """Wait up to ``timeout`` for the generation's deliveries to settle; returns its status."""
        deadline = time.monotonic() + timeout
        while True:
            entry = self.queue.log.get_entry(generation_id)
            status = entry.get("feedback_status") if entry else None
            if status != FeedbackStatus.PENDING or time.monotonic() >= deadline:
                return status
            time.sleep(0.02)

    # ---- the worker -----------------------------------------------------------------------------

    def _run(self) -> None:
        """The feedback lane: ratings and votes, each its own call, several at once."""
        while not self._stop.is_set():
            self._wake.clear()  # before the claim: a wake during it is not lost
            try:
                batch = self.queue.claim(
                    connection_id=self.connection_id,
                    owner=self.owner,
                    limit=self.workers * 4,
                    lease_seconds=self.lease_seconds,
                    events=False,  # the event lane sends those
                )
            except Exception:  # a locked or vanished database must not kill the worker for good
                log.exception("feedback outbox: cannot read the queue; trying again")
                self._stop.wait(1.0)
                continue
            if batch:
                if not self.deliver_each(batch):
                    return
                continue
            try:
                wait = self.queue.next_due_in(self.connection_id, events=False)
            except Exception:
                log.exception("feedback outbox: cannot read the queue; trying again")
                wait = 1.0
            # Due but not claimed: waiting for its event (or another outbox's lease), not a busy loop.
            wait = GATED_POLL if wait == 0 else wait
            self._wake.wait(self.idle_poll if wait is None else min(wait, self.idle_poll))

    def deliver_each(self, deliveries: Sequence[Delivery]) -> bool:
        """Send these items side by side, each its own call; False once the pool is gone."""
        if self._pool is None:
            return False
        try:
            list(self._pool.map(self._deliver, deliveries))
        except RuntimeError:  # the interpreter is shutting down: the leases expire, others resend
            return False
        return True

    def _renew_leases(self) -> None:
        """Keep this outbox's leases alive while it runs (every third of the lease)."""
        while not self._stop.wait(self.lease_seconds / 3):
            try:
                self.queue.renew_leases(self.owner, self.lease_seconds)
            except Exception:  # a locked database: the next beat tries again, well within the lease
                log.exception("feedback outbox: cannot renew leases")

    def _send(self, delivery: Delivery) -> None:
        if delivery.kind != EVENT_KIND:
            self.sender.send_feedback(
                delivery.task, delivery.generation_id, delivery.feedback_json, ground_truth=delivery.ground_truth
            )
            return
        deliver_event = getattr(self.sender, "deliver_event", None)
        if deliver_event is None:  # queued on the current API, read back by a task-API studio
            raise UnsupportedAPIError("this connection's API cannot create events (POST /events)")
        deliver_event(delivery.feedback_json)

    def _deliver(self, delivery: Delivery) -> None:
        try:
            self._send(delivery)
        except HoneyHiveError as exc:
            # Feedback merges key by key at HoneyHive, and an event keeps the id chosen when it was
            # queued (a second POST of it changes nothing): sending again is always safe.
            if not may_retry(exc, idempotent=True):
                self.queue.mark_failed(delivery, exc.message)
                return
            if delivery.attempts >= self.max_attempts:
                self.queue.mark_failed(delivery, f"{exc.message} (gave up after {delivery.attempts} attempts)")
                return
            retry_after = exc.retry_after if isinstance(exc, RateLimitError) else None
            delay = backoff_delay(
                delivery.attempts, base=self.backoff_base, cap=self.backoff_cap, retry_after=retry_after
            )
            self.queue.mark_retry(delivery, f"attempt {delivery.attempts}: {exc.message}", delay)
        except Exception as exc:  # never lose a rating to an unexpected bug: keep it, show why
            log.exception("feedback outbox: unexpected error")
            self.queue.mark_failed(delivery, f"unexpected error: {type(exc).__name__}")
        else:
            self.queue.mark_sent(delivery)
