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
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hive_review.feedback.queue import EVENT_KIND, Delivery, FeedbackQueue
from hive_review.feedback.status import DeliveryState, FeedbackStatus
from hive_review.ports import FeedbackSender
from honeyhive_api import HoneyHiveError, RateLimitError
from honeyhive_api.errors import UnsupportedAPIError
from honeyhive_api.retrying import backoff_delay, may_retry

log = logging.getLogger(__name__)


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
        self._pool: ThreadPoolExecutor | None = None

    # ---- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FeedbackOutbox:
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="feedback-outbox")
        self._thread = threading.Thread(target=self._run, name="feedback-outbox", daemon=True)
        self._heartbeat = threading.Thread(target=self._renew_leases, name="feedback-leases", daemon=True)
        self._thread.start()
        self._heartbeat.start()
        self._wake.set()  # deliver what an earlier run left pending
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in (self._thread, self._heartbeat):
            if thread is not None:
                thread.join(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._thread = self._heartbeat = self._pool = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """A new rating was queued: look now instead of at the next poll."""
        self._wake.set()

    def queue_event(self, event_id: str, task: str, event: Mapping[str, Any]) -> None:
        """Queue a generation's event for ``POST /events`` (committed now, sent in the background:
        ``CurrentBackend`` hands its events here so the reviewer never waits for HoneyHive)."""
        self.queue.queue_event(event_id, task, event, connection_id=self.connection_id)
        self.wake()

    def drain(self, timeout: float = 60.0) -> bool:
        """Wait until nothing is pending or sending (True), or ``timeout`` passes (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = self.queue.counts()
            if not counts.get(DeliveryState.PENDING) and not counts.get(DeliveryState.SENDING):
                return True
            self.wake()
            time.sleep(0.05)
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
        while not self._stop.is_set():
            try:
                batch = self.queue.claim(
                    connection_id=self.connection_id,
                    owner=self.owner,
                    limit=self.workers * 4,
                    lease_seconds=self.lease_seconds,
                )
            except Exception:  # a locked or vanished database must not kill the worker for good
                log.exception("feedback outbox: cannot read the queue; trying again")
                self._stop.wait(1.0)
                continue
            if batch and self._pool is not None:
                try:
                    list(self._pool.map(self._deliver, batch))
                except RuntimeError:  # the interpreter is shutting down: the leases expire, others resend
                    return
                continue
            try:
                wait = self.queue.next_due_in(self.connection_id)
            except Exception:
                log.exception("feedback outbox: cannot read the queue; trying again")
                wait = 1.0
            self._wake.wait(self.idle_poll if wait is None else min(wait, self.idle_poll))
            self._wake.clear()

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
