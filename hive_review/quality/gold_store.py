"""Gold items in the database: each a log row of origin ``gold`` and its expected verdict.

An upload's rows go into a review session of their own ("Gold items · <file>"), so they never turn
up among a reviewer's own unrated generations; their ids are ordinary UUIDs and their task, prompt
and model are what the file (or the page) names, so a shared queue shows them as any item.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.db import Database
from hive_review.feedback.ratings import join_labels, split_labels
from hive_review.log.entries import LogEntry, iso
from hive_review.log.store import LogStore
from hive_review.quality.gold_dimensions import dimensions_from_json, dimensions_to_json
from hive_review.quality.gold_rows import GOLD_ORIGIN
from hive_review.quality.gold_rules import Expected
from hive_review.quality.gold_upload import GoldRow
from hive_review.quality.tables import gold_items

_gold = gold_items.c


@dataclass(frozen=True)
class GoldItem:
    generation_id: str
    gold_set: str
    expected: Expected
    uploaded_by: str
    uploaded_at: str


def add_gold_items(
    database: Database,
    log: LogStore,
    rows: Sequence[GoldRow],
    *,
    gold_set: str,
    uploaded_by: str,
    task: str = "",
    now: datetime | None = None,
) -> list[str]:
    """Log each row as a gold item (one transaction) and return their generation ids, in order.
    ``task`` is shown for rows whose file gives none; ``ValueError`` when neither says one."""
    if not rows:
        raise ValueError("The gold file has no items.")
    if not uploaded_by.strip():
        raise ValueError("Gold items need the reviewer who uploads them.")
    untasked = [number for number, row in enumerate(rows, 1) if not (row.task or task.strip())]
    if untasked:
        raise ValueError(
            f"{len(untasked)} gold item(s) have no task (first: row {untasked[0]}). Name the task they are shown "
            "under (the task of the queues they go into), or add a 'task' column to the file."
        )
    moment = now or datetime.now(UTC)
    session = log.create_session(uploaded_by, f"Gold items · {gold_set}")
    entries = [
        LogEntry(
            generation_id=str(uuid.uuid4()),
            session_id=session.id,
            reviewer=uploaded_by,
            task=row.task or task.strip(),
            prompt_name=row.prompt_name or "",
            prompt_version=row.prompt_version or "",
            model=row.model or "",
            completion=row.completion,
            inputs=row.inputs,
            origin=GOLD_ORIGIN,
            source=f"gold {gold_set}",
            timestamp=moment,
        )
        for row in rows
    ]
    with database.transaction() as db:
        log.add_entries(entries, db=db)
        db.execute(
            gold_items.insert(),
            [
                {
                    "generation_id": entry.generation_id,
                    "gold_set": gold_set,
                    **_expected_values(row.expected),
                    "uploaded_by": uploaded_by,
                    "uploaded_at": iso(moment),
                }
                for entry, row in zip(entries, rows, strict=True)
            ],
        )
    return [entry.generation_id for entry in entries]


def _expected_values(expected: Expected) -> dict[str, object]:
    low, high = expected.stars or (None, None)
    return {
        "expected_thumbs": expected.thumbs,
        "expected_stars_min": low,
        "expected_stars_max": high,
        "expected_labels": join_labels(expected.labels or ()),
        "expected_dimensions": dimensions_to_json(expected.dimensions),
    }


def gold_items_in(db: Connection, generation_ids: Iterable[str] | None = None) -> dict[str, GoldItem]:
    """The gold items (all, or those among ``generation_ids``), by generation id."""
    query = sa.select(gold_items).order_by(_gold.uploaded_at, _gold.generation_id)
    if generation_ids is not None:
        query = query.where(_gold.generation_id.in_(sorted(set(generation_ids))))
    return {row["generation_id"]: _item(row) for row in db.execute(query).mappings()}


def all_gold_items(database: Database) -> list[GoldItem]:
    """Every gold item, oldest upload first."""
    with database.engine.connect() as db:
        return list(gold_items_in(db).values())


def _item(row: sa.RowMapping) -> GoldItem:
    low, high = row["expected_stars_min"], row["expected_stars_max"]
    return GoldItem(
        generation_id=row["generation_id"],
        gold_set=row["gold_set"],
        expected=Expected(
            thumbs=row["expected_thumbs"],
            stars=(int(low), int(high)) if low is not None and high is not None else None,
            labels=split_labels(row["expected_labels"]) or None,
            dimensions=dimensions_from_json(row["expected_dimensions"]),
        ),
        uploaded_by=row["uploaded_by"],
        uploaded_at=row["uploaded_at"],
    )
