"""Fault injection for tests and drills: latency, a share of 503 answers, and a rate limit.

Faults act before authentication and before any work, exactly like an overloaded gateway in
front of HoneyHive: a refused request has not been processed, so a client may safely retry it.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str
    retry_after: str | None


class FaultState:
    FIELDS = ("latency_ms", "error_rate", "rate_limit", "fault_seed", "retry_after_503")

    def __init__(
        self,
        *,
        latency_ms: float = 0.0,
        error_rate: float = 0.0,
        rate_limit: float | None = None,
        fault_seed: int | None = None,
        retry_after_503: int | str | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self.latency_ms = 0.0
        self.error_rate = 0.0
        self.rate_limit: float | None = None
        self.fault_seed: int | None = None
        self.retry_after_503: int | str | None = None
        self._random = random.Random()  # noqa: S311 (reproducible fault patterns, not secrets)
        self._tokens = 0.0
        self._refilled_at = time.monotonic()
        self.update(
            {
                "latency_ms": latency_ms,
                "error_rate": error_rate,
                "rate_limit": rate_limit,
                "fault_seed": fault_seed,
                "retry_after_503": retry_after_503,
            }
        )

    def update(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply the given settings (others keep their values). Raises ``ValueError`` on bad values."""
        unknown = set(changes) - set(self.FIELDS)
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}; known: {', '.join(self.FIELDS)}")
        with self._lock:
            if "latency_ms" in changes:
                latency = float(changes["latency_ms"] or 0)
                if latency < 0:
                    raise ValueError("latency_ms must be 0 or more")
                self.latency_ms = latency
            if "error_rate" in changes:
                rate = float(changes["error_rate"] or 0)
                if not 0 <= rate <= 1:
                    raise ValueError("error_rate is a share between 0 and 1")
                self.error_rate = rate
            if "rate_limit" in changes:
                limit = changes["rate_limit"]
                limit = float(limit) if limit else None
                if limit is not None and limit < 0:
                    raise ValueError("rate_limit is requests per second, more than 0")
                self.rate_limit = limit
                self._tokens = max(1.0, limit or 0.0)
                self._refilled_at = time.monotonic()
            if "fault_seed" in changes:
                seed = changes["fault_seed"]
                self.fault_seed = int(seed) if seed is not None else None
                self._random = random.Random(self.fault_seed)  # noqa: S311 (seeded on purpose)
            if "retry_after_503" in changes:
                value = changes["retry_after_503"]
                if value not in (None, "http-date") and not str(value).isdigit():
                    raise ValueError('retry_after_503 is a number of seconds or "http-date"')
                self.retry_after_503 = value
            return self.snapshot()

    def snapshot(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}

    def decide(self) -> Refusal | None:
        """Whether to refuse this request (rate limit first, then the injected 503 share)."""
        with self._lock:
            if self.rate_limit:
                now = time.monotonic()
                capacity = max(1.0, self.rate_limit)
                self._tokens = min(capacity, self._tokens + (now - self._refilled_at) * self.rate_limit)
                self._refilled_at = now
                if self._tokens < 1.0:
                    wait = math.ceil((1.0 - self._tokens) / self.rate_limit)
                    return Refusal(429, f"rate limit of {self.rate_limit:g} requests per second exceeded", str(wait))
                self._tokens -= 1.0
            if self.error_rate and self._random.random() < self.error_rate:
                return Refusal(503, "injected fault: service unavailable, try again", self._retry_after())
        return None

    def _retry_after(self) -> str | None:
        if self.retry_after_503 is None:
            return None
        if self.retry_after_503 == "http-date":
            # HTTP-dates have one-second resolution: two seconds ahead is at least one second away.
            return formatdate(time.time() + 2, usegmt=True)
        return str(self.retry_after_503)
