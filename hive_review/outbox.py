"""Deliver queued ratings to HoneyHive in the background: nothing lost, nothing doubled.

A rating is committed to the store (``SessionStore.save_rating``) before anything touches the
network. This worker then claims due deliveries, sends them with a few threads, and records the
outcome:

* sent: done;
* refused for good (401, 404, 422: retrying cannot help): failed, with HoneyHive's reason;
* a transient failure (no connection, timeout, 429, 5xx): queued again after a jittered
  exponential backoff (at least the server's ``Retry-After``); after ``max_attempts`` it is
  failed, with the reason, and the reviewer can retry it.

Deliveries left ``sending`` by a process that died are queued again on start. Sending one again
is safe: HoneyHive merges feedback key by key, and each rating carries its own ``rating_id``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from hive_review.store import Delivery, SessionStore
from honeyhive_api import (
    APIConnectionError,
    AuthenticationError,
    HoneyHiveError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
)

log = logging.getLogger(__name__)

PERMANENT_ERRORS: tuple[type[HoneyHiveError], ...] = (AuthenticationError, NotFoundError, ValidationError)
TRANSIENT_ERRORS: tuple[type[HoneyHiveError], ...] = (APIConnectionError, RateLimitError, ServerError)


class FeedbackSender(Protocol):
    def send_feedback(
        self, task: str, generation_id: str, feedback: dict[str, Any], *, ground_truth: str | None = None
    ) -> Any: ...


def backoff_delay(attempt: int, *, base: float, cap: float, retry_after: float | None = None) -> float:
    """Full-jitter exponential backoff (AWS Architecture Blog), never shorter than ``Retry-After``."""
    delay = random.uniform(0, min(cap, base * 2 ** (attempt - 1)))  # noqa: S311 (jitter, not crypto)
    return max(delay, retry_after or 0.0)


class FeedbackOutbox:
    def __init__(
        self,
        store: SessionStore,
        sender: FeedbackSender,
        *,
        workers: int = 8,
        max_attempts: int = 8,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        idle_poll: float = 5.0,
    ) -> None:
        self.store = store
        self.sender = sender
        self.workers = workers
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.idle_poll = idle_poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None

    # ---- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FeedbackOutbox:
        if self._thread is not None and self._thread.is_alive():
            return self
        interrupted = self.store.reset_interrupted_deliveries()
        if interrupted:
            log.info("re-queued %d feedback deliveries interrupted by a stop", interrupted)
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="feedback-outbox")
        self._thread = threading.Thread(target=self._run, name="feedback-outbox", daemon=True)
        self._thread.start()
        self._wake.set()  # deliver what an earlier run left pending
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._thread = self._pool = None

    def wake(self) -> None:
        """A new rating was queued: look now instead of at the next poll."""
        self._wake.set()

    def drain(self, timeout: float = 60.0) -> bool:
        """Wait until nothing is pending or sending (True), or ``timeout`` passes (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = self.store.delivery_counts()
            if not counts.get("pending") and not counts.get("sending"):
                return True
            self.wake()
            time.sleep(0.05)
        return False

    def wait_for(self, generation_id: str, timeout: float) -> str | None:
        """Wait up to ``timeout`` for the generation's deliveries to settle; returns its status."""
        deadline = time.monotonic() + timeout
        while True:
            entry = self.store.get_entry(generation_id)
            status = entry.get("feedback_status") if entry else None
            if status != "pending" or time.monotonic() >= deadline:
                return status
            time.sleep(0.02)

    # ---- the worker -----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                batch = self.store.claim_due_deliveries(self.workers * 4)
            except Exception:  # a locked or vanished database must not kill the worker for good
                log.exception("feedback outbox: cannot read the queue; trying again")
                self._stop.wait(1.0)
                continue
            if batch and self._pool is not None:
                try:
                    list(self._pool.map(self._deliver, batch))
                except RuntimeError:  # the interpreter is shutting down: the claims are re-queued on start
                    return
                continue
            wait = self.store.next_due_in()
            self._wake.wait(self.idle_poll if wait is None else min(wait, self.idle_poll))
            self._wake.clear()

    def _deliver(self, delivery: Delivery) -> None:
        try:
            self.sender.send_feedback(
                delivery.task,
                delivery.generation_id,
                delivery.feedback_json,
                ground_truth=delivery.ground_truth,
            )
        except PERMANENT_ERRORS as exc:
            self.store.mark_failed(delivery, exc.message)
        except TRANSIENT_ERRORS as exc:
            if delivery.attempts >= self.max_attempts:
                self.store.mark_failed(delivery, f"{exc.message} (gave up after {delivery.attempts} attempts)")
                return
            retry_after = exc.retry_after if isinstance(exc, RateLimitError) else None
            delay = backoff_delay(
                delivery.attempts, base=self.backoff_base, cap=self.backoff_cap, retry_after=retry_after
            )
            self.store.mark_retry(delivery, f"attempt {delivery.attempts}: {exc.message}", delay)
        except HoneyHiveError as exc:
            self.store.mark_failed(delivery, exc.message)
        except Exception as exc:  # never lose a rating to an unexpected bug: keep it, show why
            log.exception("feedback outbox: unexpected error")
            self.store.mark_failed(delivery, f"unexpected error: {type(exc).__name__}")
        else:
            self.store.mark_sent(delivery)
