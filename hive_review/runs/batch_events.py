"""A batch's run events (current API), committed with its log rows.

When the runner's client logs its runs' events through the durable outbox (``CurrentBackend`` with
``events=`` the outbox, as the studio wires it), the runner gives each worker a copy of the client
whose events go to the batch's recorder instead: a worker keeps its run's event with the run's
result, and the recorder commits both in one transaction (the log row, the item ``done`` and the
outbox item of its event), then tells the outbox, which sends the events in groups
(``POST /events/batch``). A run pays no database write and no HoneyHive call for its event, and an
event is queued exactly when its log row is: none without the other after a crash.

Any other client (the task API, or a backend that sends events itself) is used as it is.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from sqlalchemy.engine import Connection

from hive_review.db import Database
from hive_review.feedback.event_items import QueuedEvent
from hive_review.ports import Generator

__all__ = ["DurableEvents", "RunEvents", "defer_events"]


@runtime_checkable
class DurableEvents(Protocol):
    """The feedback outbox as a batch's recorder uses it (``FeedbackOutbox``)."""

    @property
    def database(self) -> Database: ...

    def queue_event(self, event_id: str, task: str, event: Mapping[str, Any]) -> None: ...

    def queue_events(self, events: Sequence[QueuedEvent], *, db: Connection) -> None: ...

    def events_committed(self, count: int) -> None: ...

    def flush_events(self) -> None: ...


@runtime_checkable
class _LogsEvents(Protocol):
    """A client whose runs hand their events to a sink (``CurrentBackend``)."""

    @property
    def events(self) -> object: ...

    def with_events(self, events: Any) -> Any: ...


class RunEvents:
    """The sink the runner's client copy logs into: it keeps each worker thread's events until the
    worker hands them over with its result (``take``)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def queue_event(self, event_id: str, task: str, event: Mapping[str, Any]) -> None:
        self._pending().append(QueuedEvent(event_id, task, dict(event)))

    def take(self) -> list[QueuedEvent]:
        """This thread's events since the last ``take`` (an attempt that failed after logging its
        event leaves nothing behind: the next attempt takes first)."""
        pending = self._pending()
        taken = list(pending)
        pending.clear()
        return taken

    def _pending(self) -> list[QueuedEvent]:
        pending: list[QueuedEvent] | None = getattr(self._local, "pending", None)
        if pending is None:
            pending = self._local.pending = []
        return pending


def defer_events(client: Generator, database: Database) -> tuple[Generator, RunEvents | None, DurableEvents | None]:
    """The client for the runner's workers, the sink they log into, and the outbox the recorder
    commits to; or the client unchanged (``None``, ``None``) when its events do not go through an
    outbox on this database."""
    if not isinstance(client, _LogsEvents):
        return client, None, None
    outbox = client.events
    if not isinstance(outbox, DurableEvents) or outbox.database is not database:
        return client, None, None
    run_events = RunEvents()
    return client.with_events(run_events), run_events, outbox
