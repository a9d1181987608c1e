"""The one HoneyHive session a backend logs its events into, started on first use."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from typing import Any

from honeyhive_api import HoneyHiveClient

__all__ = ["ReviewSession"]


class ReviewSession:
    """One review session at HoneyHive, shared by a backend and its ``with_options`` copies.

    Thread-safe: batches start 8-32 generations at once, and exactly one of them starts it.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        # Chosen once: a start that failed and is tried again (or that the client retried after a
        # lost answer) is the same session at HoneyHive, not a second, empty one.
        self.chosen_id = str(uuid.uuid4())
        self.id: str | None = None
        self._lock = threading.Lock()

    def ensure(self, client: HoneyHiveClient, *, source: str, user_properties: Mapping[str, Any]) -> str:
        """The session's id, starting it first if no event was logged yet."""
        if self.id is not None:  # the common case, without taking the lock
            return self.id
        with self._lock:
            if self.id is None:
                started = client.start_session(
                    self.name,
                    source=source,
                    session_id=self.chosen_id,
                    user_properties=user_properties,
                    metadata={"app": "hive-review"},
                )
                self.id = started.session_id
        return self.id
