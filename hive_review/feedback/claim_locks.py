"""Outbox claims by several studio processes on one PostgreSQL database: which generations a claim
may take an item of, so deliveries of one generation never overtake each other across processes.

A claim's ``SELECT … FOR UPDATE SKIP LOCKED`` keeps two processes from taking the same item, but it
sees only the leases committed when it began, not one another process's claim is taking at that
moment, of another item of the same generation. So each claim also takes a transaction-level
advisory lock per generation (one claim at a time decides for a generation; another skips it, never
waits), and the statement after that, which reads what was committed when it starts, sees every
lease taken before. SQLite needs none of this: its claim holds the writer lock.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

# Names these locks among PostgreSQL's advisory locks (any fixed number); two generations sharing a
# hashtext key only wait a round for each other.
_CLAIM_LOCKS = 0x6F7574
_TRY_LOCK_GENERATIONS = sa.text(
    "SELECT g FROM unnest(CAST(:ids AS text[])) AS g WHERE pg_try_advisory_xact_lock(:ns, hashtext(g))"
)


def free_generations(
    db: Connection, outbox: sa.Table, generation_ids: list[str], live: sa.ColumnElement[bool]
) -> set[str] | None:
    """Of these generations, those this claim may take an item of: locked for this transaction and
    without a ``live`` lease. ``None`` on databases other than PostgreSQL (nothing to decide)."""
    if db.dialect.name != "postgresql" or not generation_ids:
        return None
    ids = {"ids": sorted(set(generation_ids)), "ns": _CLAIM_LOCKS}
    locked = set(db.execute(_TRY_LOCK_GENERATIONS, ids).scalars())
    if not locked:
        return set()
    leased = sa.select(outbox.c.generation_id).where(outbox.c.generation_id.in_(locked), live).distinct()
    return locked - set(db.execute(leased).scalars())
