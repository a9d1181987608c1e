"""What the shared-queue store hands out: a queue, a reserved item, progress, and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SharedQueue:
    id: str
    name: str
    created_by: str
    created_at: str  # ISO 8601 UTC
    overlap: int  # reviews wanted per item, each by a different reviewer
    reservation_seconds: int  # how long an opened item stays reserved to its reviewer
    source: str  # where the items came from ("batch …", "log filter …", "HoneyHive queue …")


@dataclass(frozen=True)
class QueueItem:
    """An item reserved to one reviewer until ``reserved_until``; its generation is a log row."""

    queue_id: str
    generation_id: str
    position: int  # 1-based
    reviewer: str
    reserved_until: datetime
    reviews_done: int  # completed reviews of it by others, when it was reserved


@dataclass(frozen=True)
class ReviewerProgress:
    reviewed: int = 0
    skipped: int = 0
    reserved: int = 0  # live reservations (0 or 1: a reviewer holds one item of a queue at a time)


@dataclass(frozen=True)
class QueueProgress:
    queue_id: str
    items_total: int
    items_done: int  # items with ``overlap`` reviews
    reviews_done: int
    reviews_needed: int  # items_total × overlap
    reserved: int  # live reservations now
    reviewers: dict[str, ReviewerProgress] = field(default_factory=dict)


class QueueError(Exception):
    """A shared-queue operation cannot be done; the message says why and what to do."""


class ReservationLost(QueueError):
    """A review came after its reservation expired, and the item's slots went to others meanwhile."""
