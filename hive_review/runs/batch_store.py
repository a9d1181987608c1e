"""Batches and their items, kept in the session database so that an unfinished batch (cancelled,
or cut off by a restart) resumes where it stopped."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.db import Database, metadata

QUEUED: Final = "queued"
RUNNING: Final = "running"
RETRYING: Final = "retrying"
DONE: Final = "done"
FAILED: Final = "failed"
ITEM_STATUSES: Final = (QUEUED, RUNNING, RETRYING, DONE, FAILED)
UNFINISHED: Final = (QUEUED, RUNNING, RETRYING)

DEPLOYED: Final = ""  # the variant name stored for "whatever prompt is deployed"

batches = sa.Table(
    "batches",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("session_id", sa.String(64), nullable=False, index=True),
    sa.Column("task", sa.Text, nullable=False),
    sa.Column("variants_json", sa.Text, nullable=False),
    sa.Column("repeats", sa.Integer, nullable=False),
    sa.Column("concurrency", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
batch_items = sa.Table(
    "batch_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.String(40), sa.ForeignKey("batches.id"), nullable=False, index=True),
    sa.Column("row_number", sa.Integer, nullable=False),  # 1-based, as in the uploaded file
    sa.Column("variant", sa.Text, nullable=False),
    sa.Column("repeat", sa.Integer, nullable=False),
    sa.Column("inputs_json", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.Text),
    sa.Column("generation_id", sa.String(64)),
)


@dataclass(frozen=True)
class Batch:
    id: str
    session_id: str
    task: str
    variants: tuple[str, ...]  # DEPLOYED ("") stands for the deployed prompt
    repeats: int
    concurrency: int
    created_at: datetime


@dataclass(frozen=True)
class BatchItem:
    id: int
    batch_id: str
    row_number: int
    variant: str
    repeat: int
    inputs: dict[str, str]
    status: str
    attempts: int
    error: str | None
    generation_id: str | None


class BatchStore:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.engine = database.engine

    def create_batch(
        self,
        *,
        session_id: str,
        task: str,
        rows: Sequence[Mapping[str, str]],
        variants: Sequence[str],
        repeats: int = 1,
        concurrency: int = 8,
    ) -> Batch:
        if not rows:
            raise ValueError("A batch needs at least one row of inputs.")
        if repeats < 1 or concurrency < 1:
            raise ValueError("Repeats and concurrency must be at least 1.")
        batch = Batch(
            id=f"batch-{uuid.uuid4().hex[:12]}",
            session_id=session_id,
            task=task,
            variants=tuple(variants) or (DEPLOYED,),
            repeats=repeats,
            concurrency=concurrency,
            created_at=datetime.now(UTC),
        )
        items = [
            {
                "batch_id": batch.id,
                "row_number": number,
                "variant": variant,
                "repeat": repeat,
                "inputs_json": json.dumps(dict(row), ensure_ascii=False),
                "status": QUEUED,
                "attempts": 0,
            }
            for number, row in enumerate(rows, start=1)
            for variant in batch.variants
            for repeat in range(1, repeats + 1)
        ]
        with self.engine.begin() as connection:
            connection.execute(
                batches.insert().values(
                    id=batch.id,
                    session_id=session_id,
                    task=task,
                    variants_json=json.dumps(list(batch.variants)),
                    repeats=repeats,
                    concurrency=concurrency,
                    created_at=batch.created_at,
                )
            )
            connection.execute(batch_items.insert(), items)
        return batch

    def get_batch(self, batch_id: str) -> Batch | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(batches).where(batches.c.id == batch_id)).mappings().first()
        return _batch(row) if row else None

    def list_batches(self, session_id: str) -> list[Batch]:
        query = sa.select(batches).where(batches.c.session_id == session_id).order_by(batches.c.created_at.desc())
        with self.engine.connect() as connection:
            return [_batch(row) for row in connection.execute(query).mappings()]

    def items(self, batch_id: str, statuses: Sequence[str] | None = None) -> list[BatchItem]:
        query = sa.select(batch_items).where(batch_items.c.batch_id == batch_id)
        if statuses is not None:
            query = query.where(batch_items.c.status.in_(list(statuses)))
        with self.engine.connect() as connection:
            return [_item(row) for row in connection.execute(query.order_by(batch_items.c.id)).mappings()]

    def input_rows(self, batch_id: str) -> list[dict[str, str]]:
        """The rows of inputs the batch was made from, in the file's order (each row's items repeat
        them per variant and repeat: the first of each row is read)."""
        first = sa.select(sa.func.min(batch_items.c.id)).where(batch_items.c.batch_id == batch_id)
        query = (
            sa.select(batch_items.c.inputs_json)
            .where(batch_items.c.id.in_(first.group_by(batch_items.c.row_number).scalar_subquery()))
            .order_by(batch_items.c.row_number)
        )
        with self.engine.connect() as connection:
            return [json.loads(text) for text in connection.execute(query).scalars()]

    def progress(self, batch_id: str) -> dict[str, int]:
        query = (
            sa.select(batch_items.c.status, sa.func.count())
            .where(batch_items.c.batch_id == batch_id)
            .group_by(batch_items.c.status)
        )
        with self.engine.connect() as connection:
            counts = dict.fromkeys(ITEM_STATUSES, 0)
            counts.update({status: int(n) for status, n in connection.execute(query)})
        return counts

    def reset_interrupted(self, batch_id: str) -> int:
        """Items a stopped run left running or retrying go back to the queue; returns how many."""
        with self.engine.begin() as connection:
            result = connection.execute(
                batch_items.update()
                .where(batch_items.c.batch_id == batch_id, batch_items.c.status.in_([RUNNING, RETRYING]))
                .values(status=QUEUED)
            )
        return int(result.rowcount or 0)

    def requeue_failed(self, batch_id: str) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(
                batch_items.update()
                .where(batch_items.c.batch_id == batch_id, batch_items.c.status == FAILED)
                .values(status=QUEUED, error=None)
            )
        return int(result.rowcount or 0)

    def mark(
        self,
        item_id: int,
        status: str,
        *,
        attempts: int | None = None,
        error: str | None = None,
        generation_id: str | None = None,
        db: Connection | None = None,
    ) -> None:
        """Set an item's status; ``db`` joins a transaction of the caller's on the same database."""
        values: dict[str, object] = {"status": status, "error": error}
        if attempts is not None:
            values["attempts"] = attempts
        if generation_id is not None:
            values["generation_id"] = generation_id
        statement = batch_items.update().where(batch_items.c.id == item_id).values(**values)
        if db is not None:
            db.execute(statement)
            return
        with self.engine.begin() as connection:
            connection.execute(statement)


def _batch(row: Mapping[str, object]) -> Batch:
    created = row["created_at"]
    assert isinstance(created, datetime)
    return Batch(
        id=str(row["id"]),
        session_id=str(row["session_id"]),
        task=str(row["task"]),
        variants=tuple(json.loads(str(row["variants_json"]))),
        repeats=int(row["repeats"]),  # type: ignore[arg-type]
        concurrency=int(row["concurrency"]),  # type: ignore[arg-type]
        created_at=created if created.tzinfo else created.replace(tzinfo=UTC),
    )


def _item(row: Mapping[str, object]) -> BatchItem:
    return BatchItem(
        id=int(row["id"]),  # type: ignore[arg-type]
        batch_id=str(row["batch_id"]),
        row_number=int(row["row_number"]),  # type: ignore[arg-type]
        variant=str(row["variant"]),
        repeat=int(row["repeat"]),  # type: ignore[arg-type]
        inputs=json.loads(str(row["inputs_json"])),
        status=str(row["status"]),
        attempts=int(row["attempts"] or 0),  # type: ignore[arg-type]
        error=str(row["error"]) if row["error"] is not None else None,
        generation_id=str(row["generation_id"]) if row["generation_id"] is not None else None,
    )
