"""Work in progress kept per reviewer, so a browser reload (a new Streamlit session) loses nothing.

* A rating draft: the rating form's parts for one generation, changed but not submitted yet
  (``thumbs`` and ``stars`` as the form's indices or ``None``, ``labels``, ``comment``, ``ideal``).
  Deleted when the rating is submitted, in the rating's own transaction (``db=``).
* Typed inputs: what a reviewer typed into a page's inputs, per ``scope`` (a page and the prompt
  it runs, e.g. ``playground:<task>``), a mapping of variable names to text.

Both are JSON in the database, one row per reviewer and generation (or scope); a save replaces the
row (an upsert, so two studio processes saving at once never fail on the key).
``hive_review/migrations/versions/0005_work_drafts.py`` holds a frozen copy of these tables.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from hive_review.db import Database, metadata
from hive_review.log.entries import iso, utc_now

rating_drafts = sa.Table(
    "rating_drafts",
    metadata,
    sa.Column("reviewer", sa.String(200), primary_key=True),
    sa.Column("generation_id", sa.String(200), primary_key=True),  # a log_entries row
    sa.Column("parts_json", sa.Text, nullable=False),  # the form's parts
    sa.Column("updated_at", sa.Text, nullable=False),  # ISO 8601 UTC, as the log's times
)
input_drafts = sa.Table(
    "input_drafts",
    metadata,
    sa.Column("reviewer", sa.String(200), primary_key=True),
    sa.Column("scope", sa.String(400), primary_key=True),  # "<page>:<task or configuration>"
    sa.Column("values_json", sa.Text, nullable=False),  # variable name -> text typed
    sa.Column("updated_at", sa.Text, nullable=False),
)


@dataclass(frozen=True)
class RatingDraft:
    parts: dict[str, Any]
    updated_at: str  # ISO 8601 UTC


def input_scope(page: str, target: str) -> str:
    """The scope of a page's inputs for one task or configuration: ``playground:<task>``."""
    return f"{page}:{target}"


class DraftStore:
    """Rating drafts and typed inputs, per reviewer."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # ---- rating drafts --------------------------------------------------------------------------

    def save_rating_draft(
        self, reviewer: str, generation_id: str, parts: Mapping[str, Any], *, db: Connection | None = None
    ) -> None:
        """Keep the form's parts as this reviewer's draft of the generation (replacing the last)."""
        row = {"reviewer": reviewer, "generation_id": generation_id, "parts_json": _dumps(parts)}
        self._upsert(rating_drafts, row, "parts_json", db=db)

    def rating_draft(self, reviewer: str, generation_id: str) -> dict[str, Any] | None:
        """This reviewer's draft of the generation (the form's parts), or ``None``."""
        draft = self.rating_draft_with_time(reviewer, generation_id)
        return draft.parts if draft is not None else None

    def rating_draft_with_time(self, reviewer: str, generation_id: str) -> RatingDraft | None:
        """The draft and when it was last changed, or ``None``."""
        table = rating_drafts.c
        query = sa.select(table.parts_json, table.updated_at).where(
            table.reviewer == reviewer, table.generation_id == generation_id
        )
        with self.database.engine.connect() as db:
            row = db.execute(query).first()
        return RatingDraft(parts=json.loads(row.parts_json), updated_at=row.updated_at) if row else None

    def delete_rating_draft(self, reviewer: str, generation_id: str, *, db: Connection | None = None) -> None:
        """Drop this reviewer's draft of the generation (submitted, or given up); none is fine."""
        table = rating_drafts.c
        with self.database.transaction(db) as tx:
            tx.execute(rating_drafts.delete().where(table.reviewer == reviewer, table.generation_id == generation_id))

    # ---- typed inputs ---------------------------------------------------------------------------

    def save_inputs(
        self, reviewer: str, scope: str, values: Mapping[str, str], *, db: Connection | None = None
    ) -> None:
        """Keep what this reviewer typed into the inputs of ``scope`` (replacing the last)."""
        row = {"reviewer": reviewer, "scope": scope, "values_json": _dumps(values)}
        self._upsert(input_drafts, row, "values_json", db=db)

    def inputs(self, reviewer: str, scope: str) -> dict[str, str] | None:
        """What this reviewer last typed into the inputs of ``scope``, or ``None``."""
        table = input_drafts.c
        query = sa.select(table.values_json).where(table.reviewer == reviewer, table.scope == scope)
        with self.database.engine.connect() as db:
            text = db.execute(query).scalar()
        return {str(name): str(value) for name, value in json.loads(text).items()} if text is not None else None

    # ---- both -----------------------------------------------------------------------------------

    def _upsert(self, table: sa.Table, row: dict[str, Any], value_column: str, *, db: Connection | None) -> None:
        """Insert the row, or replace its value and time when the key is there: one statement on
        SQLite and PostgreSQL (``ON CONFLICT … DO UPDATE``), so concurrent saves never collide."""
        row = {**row, "updated_at": iso(utc_now())}
        changed = {value_column: row[value_column], "updated_at": row["updated_at"]}
        keys = list(table.primary_key.columns)
        with self.database.transaction(db) as tx:
            dialect = tx.dialect.name
            if dialect in ("sqlite", "postgresql"):
                insert = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table).values(row)
                tx.execute(insert.on_conflict_do_update(index_elements=[key.name for key in keys], set_=changed))
            elif not tx.execute(table.update().where(*(key == row[key.name] for key in keys)).values(changed)).rowcount:
                tx.execute(table.insert().values(row))


def _dumps(value: Mapping[str, Any]) -> str:
    # Text as it is (ensure_ascii=False): a comment in any script reads back the same.
    return json.dumps(dict(value), ensure_ascii=False)
