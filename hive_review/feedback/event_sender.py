"""The outbox's event lane: generations' events (current API) sent in groups, one
``POST /events/batch`` per group, beside the lane that sends feedback one item at a time.

A group is leased in one claim and finished in one commit (``event_items``). The lane gathers a
group before sending: at once when ``batch_size`` events are due or when asked to flush (a batch
has ended; ``drain``); within ``SOON`` seconds of a run's own event (the Playground, Compare: a
rating given right after waits for its event); otherwise, while a batch's events keep coming, after
lingering ``linger`` seconds for more. Fewer, fuller groups cost less of the studio's CPU, which the
batch's own runs share. Nothing here is on a reviewer's path: runs commit their events and return.

Failures follow the feedback lane's rules (``honeyhive_api.retrying``): a transient failure queues
the group again after a jittered backoff, up to ``max_attempts``; a refusal that retrying cannot
help (a malformed event, a body too large) is never blamed on the whole group: each event of it is
then sent alone (``POST /events``), and only the one at fault fails. Each event keeps the id chosen
when it was built, so a group sent again is the same events: none lost, none doubled.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from hive_review.feedback.event_items import EventItems
from hive_review.feedback.outbox import Delivery
from hive_review.feedback.status import DeliveryState
from hive_review.log.entries import iso, utc_now
from honeyhive_api import HoneyHiveError, RateLimitError
from honeyhive_api.retrying import backoff_delay, may_retry

if TYPE_CHECKING:
    from hive_review.feedback.worker import FeedbackOutbox

log = logging.getLogger(__name__)

# After a round that sent less than a full group, or found due items another outbox holds: the
# shortest wait before looking again (a new event signals the lane at once anyway).
_MIN_WAIT = 0.02
# A run's own event (not a batch's) is sent within this long: time for others finishing with it
# (Compare's variants) to join its group.
SOON = 0.02


class EventLane:
    def __init__(self, outbox: FeedbackOutbox, items: EventItems, *, batch_size: int, linger: float) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be 1 or more")
        self.outbox = outbox
        self.items = items
        self.batch_size = batch_size
        self.linger = linger
        self._signal = threading.Event()
        self._flush = threading.Event()
        self._soon = threading.Event()
        self._lock = threading.Lock()
        self._arrived = 0  # events committed since the lane last looked (a hint; the database decides)
        self.requests = 0  # groups sent (each one POST /events/batch), for benchmarks and logs

    # ---- signals from the outbox ------------------------------------------------------------------

    def arrived(self, count: int, *, soon: bool = False) -> None:
        """``count`` events were committed to the queue; ``soon``: send them within ``SOON`` seconds
        (a run's own event), else they may wait ``linger`` for company (a batch's)."""
        with self._lock:
            self._arrived += count
        if soon:
            self._soon.set()
        self._signal.set()

    def flush(self) -> None:
        """Send what is queued now without lingering, until nothing is due."""
        self._flush.set()
        self._signal.set()

    def wake(self) -> None:
        self._signal.set()

    def _take_arrived(self) -> int:
        with self._lock:
            count, self._arrived = self._arrived, 0
        return count

    # ---- the lane ---------------------------------------------------------------------------------

    def run(self, stopped: threading.Event) -> None:
        connection_id = self.outbox.connection_id
        while not stopped.is_set():
            self._signal.clear()
            try:
                sent = self._round(stopped)
            except Exception:  # a locked or vanished database must not end the lane for good
                log.exception("feedback outbox: cannot send events; trying again")
                stopped.wait(1.0)
                continue
            if stopped.is_set():
                return
            if sent == self.batch_size:
                continue  # a full group: more may be waiting
            try:
                due = self.items.next_due_in(connection_id)
            except Exception:
                log.exception("feedback outbox: cannot read the queue; trying again")
                due = 1.0
            idle = self.outbox.idle_poll
            self._signal.wait(idle if due is None else min(max(due, _MIN_WAIT), idle))

    def _round(self, stopped: threading.Event) -> int:
        """Gather a group, send it, record the outcome. Returns how many events it held."""
        connection_id = self.outbox.connection_id
        self._take_arrived()
        due = self.items.due_count(connection_id)
        if not due:
            self._flush.clear()  # a flush lasts until nothing is due
            return 0
        deadline = time.monotonic() + self.linger
        arrived = 0
        while due < self.batch_size and not self._flush.is_set() and not stopped.is_set():
            if self._soon.is_set():
                deadline = min(deadline, time.monotonic() + SOON)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._signal.wait(remaining)
            self._signal.clear()
            arrived += self._take_arrived()
            if due + arrived >= self.batch_size:  # enough by the hints: the database decides
                due, arrived = self.items.due_count(connection_id), 0
        if stopped.is_set():
            return 0  # stopping: what is queued stays queued, for the next start
        self._soon.clear()  # this group takes them
        group = self.items.claim(
            connection_id=connection_id,
            owner=self.outbox.owner,
            limit=self.batch_size,
            lease_seconds=self.outbox.lease_seconds,
        )
        if group:
            self._send(group)
        return len(group)

    def _send(self, group: Sequence[Delivery]) -> None:
        send_many: Callable[[list[dict[str, Any]]], object] | None = getattr(self.outbox.sender, "deliver_events", None)
        if send_many is None:  # a sender without POST /events/batch: each event on its own
            self._one_by_one(group)
            return
        outbox = self.outbox
        try:
            self.requests += 1
            send_many([delivery.feedback_json for delivery in group])
        except HoneyHiveError as exc:
            if not may_retry(exc, idempotent=True):
                if len(group) > 1:  # refused as a whole: sent alone, each event says whether it is at fault
                    self._one_by_one(group)
                    return
                outcomes = [(group, {"status": DeliveryState.FAILED, "last_error": exc.message})]
            else:
                outcomes = self._retry_outcomes(group, exc)
                self._soon.set()  # once due again, sent without lingering: these have waited already
        except Exception as exc:  # never lose an event to an unexpected bug: keep it, show why
            log.exception("feedback outbox: unexpected error sending events")
            error = f"unexpected error: {type(exc).__name__}"
            outcomes = [(group, {"status": DeliveryState.FAILED, "last_error": error})]
        else:
            outcomes = [(group, {"status": DeliveryState.SENT, "sent_at": iso(utc_now()), "last_error": None})]
        _, feedback_waits = self.items.finish(outcomes)
        if feedback_waits:  # their feedback may be claimed now
            outbox.wake()

    def _retry_outcomes(
        self, group: Sequence[Delivery], exc: HoneyHiveError
    ) -> list[tuple[Sequence[Delivery], dict[str, Any]]]:
        outbox = self.outbox
        spent = [delivery for delivery in group if delivery.attempts >= outbox.max_attempts]
        again = [delivery for delivery in group if delivery.attempts < outbox.max_attempts]
        outcomes: list[tuple[Sequence[Delivery], dict[str, Any]]] = []
        if spent:
            error = f"{exc.message} (gave up after {max(d.attempts for d in spent)} attempts)"
            outcomes.append((spent, {"status": DeliveryState.FAILED, "last_error": error}))
        if again:
            attempts = max(delivery.attempts for delivery in again)
            retry_after = exc.retry_after if isinstance(exc, RateLimitError) else None
            delay = backoff_delay(attempts, base=outbox.backoff_base, cap=outbox.backoff_cap, retry_after=retry_after)
            values = {
                "status": DeliveryState.PENDING,
                "last_error": f"attempt {attempts}: {exc.message}",
                "next_attempt_at": time.time() + delay,
            }
            outcomes.append((again, values))
        return outcomes

    def _one_by_one(self, group: Sequence[Delivery]) -> None:
        self.outbox.deliver_each(group)
        self.outbox.wake()
