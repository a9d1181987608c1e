"""Which log rows are gold items: asked by the feedback outbox, which never sends their ratings.

A row is gold when its origin is ``gold`` (what an upload writes, and what an export of it carries
into another database) or when ``gold_items`` holds its expected verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.log import columns as col
from hive_review.log.schema import log_entries
from hive_review.quality.tables import gold_items

GOLD_ORIGIN: Final = "gold"
_CHUNK: Final = 500


def is_gold(db: Connection, generation_id: str) -> bool:
    """Whether the generation is a gold item (in the caller's transaction)."""
    return bool(gold_ids(db, [generation_id]))


def gold_ids(db: Connection, generation_ids: Iterable[str]) -> set[str]:
    """The gold items among these generations."""
    ids = sorted(set(generation_ids))
    found: set[str] = set()
    gid = log_entries.c[col.GENERATION_ID]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found.update(
            db.execute(sa.select(gid).where(gid.in_(chunk), log_entries.c[col.ORIGIN] == GOLD_ORIGIN)).scalars()
        )
        found.update(
            db.execute(sa.select(gold_items.c.generation_id).where(gold_items.c.generation_id.in_(chunk))).scalars()
        )
    return found
