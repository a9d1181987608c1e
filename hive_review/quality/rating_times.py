"""How long a reviewer spends on a generation rated outside the shared queues (the review queue, the
Playground, Compare): from the moment the rating form first shows it to the submission, idle time
capped as for shared items (``item_timer``).

The clock lives with the reviewer's session (``ItemClock``, plain floats so it keeps in session
state): the form starts it when it first draws the generation and ``seen`` counts every later draw
as a sign of life; each gap between two draws, and the last one to the submission, counts at most
``IDLE_CAP_SECONDS``. ``record_rating_time`` keeps the seconds of the first submission, in the
rating's own transaction (``rating_times``; an update of the rating keeps them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from hive_review.log.entries import iso
from hive_review.quality.item_timer import IDLE_CAP_SECONDS
from hive_review.quality.tables import rating_times


def capped_gap(since: float, until: float) -> float:
    """Seconds from one sign of life to the next, at most ``IDLE_CAP_SECONDS`` (never negative)."""
    return min(max(0.0, until - since), IDLE_CAP_SECONDS)


class ItemClock(NamedTuple):
    """Epoch seconds: first shown, last shown, and the capped gaps between the draws so far."""

    shown_at: float
    last_seen_at: float
    active_seconds: float = 0.0

    @classmethod
    def start(cls, t: float) -> ItemClock:
        return cls(t, t, 0.0)

    def seen(self, t: float) -> ItemClock:
        """Drawn again at ``t``: the gap since the last draw counts, capped."""
        return ItemClock(
            self.shown_at, max(t, self.last_seen_at), self.active_seconds + capped_gap(self.last_seen_at, t)
        )

    def elapsed(self, t: float) -> float:
        """Seconds on the item if it is submitted at ``t``."""
        return self.active_seconds + capped_gap(self.last_seen_at, t)


def record_rating_time(db: Connection, generation_id: str, reviewer: str, seconds: float, *,
                       now: datetime | None = None) -> None:  # fmt: skip
    """Keep the seconds of the reviewer's first submission of a rating of this generation (in the
    caller's transaction); a later submission (an update) leaves them."""
    values = {"generation_id": generation_id, "reviewer": reviewer, "seconds": float(seconds),
              "submitted_at": iso(now or datetime.now(UTC))}  # fmt: skip
    dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    make = dialects.get(db.dialect.name)
    if make is not None:
        db.execute(make(rating_times).values(values).on_conflict_do_nothing())
        return
    key = sa.and_(rating_times.c.generation_id == generation_id, rating_times.c.reviewer == reviewer)
    if db.execute(sa.select(sa.literal(1)).where(key)).first() is None:
        db.execute(rating_times.insert().values(values))


def load_rating_times(db: Connection) -> list[tuple[str, str, float]]:
    """Every timed rating outside the shared queues: (reviewer, generation id, seconds)."""
    t = rating_times.c
    query = sa.select(t.reviewer, t.generation_id, t.seconds).order_by(t.reviewer, t.generation_id)
    return [(str(who), str(gid), float(seconds)) for who, gid, seconds in db.execute(query).all()]
