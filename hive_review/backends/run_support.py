"""What ``CurrentBackend`` keeps between runs so that a run pays only for the model: the
configurations (asked for once per short while, not once per run) and where its events go.

Before: every run asked ``GET /v1/configurations`` before calling the model (on the reviewer's
path to the first token, and 400 times in a 400-row batch), and waited for ``POST /events`` after
the model's last token before the rating form could show.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from honeyhive_api import Configuration

__all__ = ["CONFIGURATIONS_TTL_SECONDS", "ConfigurationCache", "EventSink"]

# A new deployment is picked up by runs within this long; the studio's prompt pickers are cached
# for 60 s (ui/services.py), so a run never uses configurations older than the pickers show.
CONFIGURATIONS_TTL_SECONDS = 30.0


class EventSink(Protocol):
    """Takes a generation's event durably and creates it at HoneyHive later (the feedback outbox:
    ``FeedbackOutbox.queue_event``)."""

    def queue_event(self, event_id: str, task: str, event: Mapping[str, Any]) -> None: ...


class ConfigurationCache:
    """The configurations as last fetched, for ``ttl`` seconds. Thread-safe, and one fetch at a
    time: a batch's 16 workers starting together ask HoneyHive once, not 16 times."""

    def __init__(self, ttl: float = CONFIGURATIONS_TTL_SECONDS) -> None:
        self._ttl = ttl
        self._lock = threading.Lock()
        self._configurations: list[Configuration] | None = None
        self._fetched_at = 0.0

    def get(self, fetch: Callable[[], list[Configuration]]) -> list[Configuration]:
        with self._lock:
            if self._configurations is None or time.monotonic() - self._fetched_at > self._ttl:
                self._store(fetch())
            assert self._configurations is not None
            return self._configurations

    def refresh(self, fetch: Callable[[], list[Configuration]]) -> list[Configuration]:
        """Fetch now (the pickers list prompts this way), and keep the answer for runs."""
        configurations = fetch()
        with self._lock:
            self._store(configurations)
        return configurations

    def _store(self, configurations: list[Configuration]) -> None:
        self._configurations = list(configurations)
        self._fetched_at = time.monotonic()
