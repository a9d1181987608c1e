"""How many requests the emulator received, by method and path, and how many of them injected
faults refused: tests read it (``GET /_emulator/requests``) to count calls, e.g. that a batch of
events went out in a few ``POST /events/batch`` rather than one ``POST /events`` each.

The emulator's own controls (``/_emulator``) and ``/health`` are not counted. Counting is one dict
update under a lock per request: the throughput benchmarks do not see it.
"""

from __future__ import annotations

import threading
from typing import Any


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: dict[tuple[str, str], int] = {}
        self._refused: dict[tuple[str, str], int] = {}

    def received(self, method: str, path: str) -> None:
        key = (method, path)
        with self._lock:
            self._received[key] = self._received.get(key, 0) + 1

    def refused(self, method: str, path: str) -> None:
        """A received request that a fault (503, 429) answered before any work."""
        key = (method, path)
        with self._lock:
            self._refused[key] = self._refused.get(key, 0) + 1

    def snapshot(self) -> list[dict[str, Any]]:
        """``[{"method", "path", "received", "refused"}]``, sorted by path then method."""
        with self._lock:
            return [
                {"method": method, "path": path, "received": count, "refused": self._refused.get((method, path), 0)}
                for (method, path), count in sorted(self._received.items(), key=lambda item: (item[0][1], item[0][0]))
            ]

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self._refused.clear()
