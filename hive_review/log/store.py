"""The session log in the database: review sessions and one row per generation.

Every change is committed as the reviewer works, so a browser reload or an app restart loses
nothing. Writes that belong together (a rating and its outbox item, a batch result and its item's
status) join the caller's transaction through ``db=``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from hive_review.db import Database
from hive_review.feedback.status import FeedbackStatus
from hive_review.log import columns as col
from hive_review.log.entries import LogEntry, iso, utc_now
from hive_review.log.frames import empty_log_frame, typed_log_frame
from hive_review.log.schema import log_entries, review_sessions

# Large IN (...) lists are split: SQLite allows 32k parameters, PostgreSQL 65k, both slow down.
_ID_CHUNK = 500


@dataclass(frozen=True)
class ReviewSession:
    id: str
    name: str
    reviewer: str
    created_at: str


class LogStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    # ---- sessions -------------------------------------------------------------------------------

    def create_session(self, reviewer: str, name: str | None = None) -> ReviewSession:
        created = utc_now()
        session = ReviewSession(
            id=str(uuid.uuid4()),
            name=name or f"Session {created.strftime('%Y-%m-%d %H:%M')} UTC",
            reviewer=reviewer,
            created_at=iso(created),
        )
        with self.database.transaction() as db:
            db.execute(review_sessions.insert().values(**session.__dict__, revision=0))
        return session

    def list_sessions(self) -> list[ReviewSession]:
        """Newest first."""
        with self.database.engine.connect() as db:
            rows = db.execute(sa.select(review_sessions).order_by(review_sessions.c.created_at.desc())).mappings()
            return [ReviewSession(r["id"], r["name"], r["reviewer"], r["created_at"]) for r in rows]

    def revision(self, session_id: str | None) -> int:
        """Grows with every change to the session's log (to any session's with ``None``)."""
        query = sa.select(sa.func.coalesce(sa.func.sum(review_sessions.c.revision), 0))
        if session_id is not None:
            query = query.where(review_sessions.c.id == session_id)
        with self.database.engine.connect() as db:
            return int(db.execute(query).scalar() or 0)

    @staticmethod
    def bump(db: Connection, session_ids: Iterable[str]) -> None:
        """Record that the sessions' logs changed (in the caller's transaction)."""
        ids = sorted({session_id for session_id in session_ids if session_id})
        if ids:
            db.execute(
                review_sessions.update()
                .where(review_sessions.c.id.in_(ids))
                .values(revision=review_sessions.c.revision + 1)
            )

    # ---- rows -----------------------------------------------------------------------------------

    def add_entry(self, entry: LogEntry, *, db: Connection | None = None) -> None:
        self.add_entries([entry], db=db)

    def add_entries(self, entries: Sequence[LogEntry], *, db: Connection | None = None) -> int:
        """Add generations to the log; one already there is left as it is. Returns how many were new."""
        if not entries:
            return 0
        seq = time.time_ns()
        rows = [{**entry.row(), "seq": seq + offset} for offset, entry in enumerate(entries)]
        return self.insert_rows(rows, db=db)

    def insert_rows(self, rows: list[dict[str, Any]], *, db: Connection | None = None) -> int:
        """Insert complete log rows (with ``seq``), skipping generations already in the log."""
        with self.database.transaction(db) as tx:
            if tx.dialect.name == "sqlite":
                # INSERT OR IGNORE: one statement, no read first (batch runs add rows from many threads).
                added = tx.execute(log_entries.insert().prefix_with("OR IGNORE"), rows).rowcount
            elif tx.dialect.name == "postgresql":
                # ON CONFLICT: a row another process adds meanwhile is skipped, not a failed transaction.
                insert = postgresql.insert(log_entries).on_conflict_do_nothing(index_elements=[col.GENERATION_ID])
                new = set(tx.execute(insert.returning(log_entries.c[col.GENERATION_ID]), rows).scalars())
                rows = [row for row in rows if row[col.GENERATION_ID] in new]
                added = len(rows)
            else:
                existing = self.existing_ids(tx, [row[col.GENERATION_ID] for row in rows])
                rows = [row for row in rows if row[col.GENERATION_ID] not in existing]
                added = tx.execute(log_entries.insert(), rows).rowcount if rows else 0
            if added:
                self.bump(tx, {row[col.SESSION_ID] for row in rows})
        return int(added or 0)

    @staticmethod
    def existing_ids(db: Connection, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            found.update(
                db.execute(
                    sa.select(log_entries.c[col.GENERATION_ID]).where(log_entries.c[col.GENERATION_ID].in_(chunk))
                ).scalars()
            )
        return found

    def get_entry(self, generation_id: str) -> dict[str, Any] | None:
        """One log row as a dict of plain values (``None`` for missing), or ``None``."""
        with self.database.engine.connect() as db:
            row = (
                db.execute(sa.select(log_entries).where(log_entries.c[col.GENERATION_ID] == generation_id))
                .mappings()
                .first()
            )
        if row is None:
            return None
        values = {k: v for k, v in row.items() if k != "seq"}
        values.update(_input_values(values.get(col.INPUTS_JSON)))
        return values

    @staticmethod
    def entry_for_update(db: Connection, generation_id: str) -> Mapping[str, Any]:
        """The task and session of a generation about to be rated, its row locked (see
        ``lock_entries``); ``KeyError`` when unknown."""
        entry = (
            db.execute(
                sa.select(log_entries.c[col.TASK], log_entries.c[col.SESSION_ID])
                .where(log_entries.c[col.GENERATION_ID] == generation_id)
                .with_for_update()  # SQLite renders none: its writer lock covers the transaction
            )
            .mappings()
            .first()
        )
        if entry is None:
            raise KeyError(f"generation {generation_id!r} is not in the session log")
        return entry

    @staticmethod
    def lock_entries(db: Connection, generation_ids: Sequence[str]) -> None:
        """Lock these log rows to the end of the transaction, in sorted order (PostgreSQL; on SQLite
        the transaction holds the writer lock already). Every write that touches a generation's log
        row and its outbox items takes the log row first, so no two of them wait on each other."""
        if db.dialect.name != "postgresql":
            return
        ids = sorted(set(generation_ids))
        for start in range(0, len(ids), _ID_CHUNK):
            key = log_entries.c[col.GENERATION_ID]
            db.execute(sa.select(key).where(key.in_(ids[start : start + _ID_CHUNK])).order_by(key).with_for_update())

    @staticmethod
    def update_entry(db: Connection, generation_id: str, values: Mapping[str, Any]) -> None:
        db.execute(log_entries.update().where(log_entries.c[col.GENERATION_ID] == generation_id).values(dict(values)))

    def set_feedback_status(
        self, db: Connection, generation_id: str, status: FeedbackStatus, error: str | None
    ) -> None:
        """Show a generation's feedback state on its log row, and mark its session's log changed."""
        self.update_entry(db, generation_id, {col.FEEDBACK_STATUS: status.value, col.FEEDBACK_ERROR: error})
        session_id = db.execute(
            sa.select(log_entries.c[col.SESSION_ID]).where(log_entries.c[col.GENERATION_ID] == generation_id)
        ).scalar()
        if session_id:
            self.bump(db, [session_id])

    def recent_generation_ids(self, session_id: str, *, origin: str, limit: int) -> list[str]:
        """The session's latest generations of one origin (e.g. the playground), newest first."""
        with self.database.engine.connect() as db:
            return list(
                db.execute(
                    sa.select(log_entries.c[col.GENERATION_ID])
                    .where(log_entries.c[col.SESSION_ID] == session_id, log_entries.c[col.ORIGIN] == origin)
                    .order_by(log_entries.c.seq.desc())
                    .limit(limit)
                ).scalars()
            )

    def load_log(self, session_id: str | None = None) -> pd.DataFrame:
        """The session's log (every session's when ``session_id`` is None), oldest first, with
        one ``input.<var>`` column per input variable seen and each column in its dtype."""
        query = sa.select(log_entries).order_by(log_entries.c.seq)
        if session_id is not None:
            query = query.where(log_entries.c[col.SESSION_ID] == session_id)
        with self.database.engine.connect() as db:
            frame = pd.read_sql(query, db)
        if frame.empty:
            return empty_log_frame()
        frame = frame.drop(columns=["seq"])
        inputs = pd.DataFrame.from_records(
            [json.loads(text) if text else {} for text in frame[col.INPUTS_JSON]], index=frame.index
        )
        inputs = inputs.rename(columns=col.input_column)
        frame = pd.concat([frame[list(col.LOG_COLUMNS)], inputs], axis=1)
        return typed_log_frame(frame)


def _input_values(inputs_json: str | None) -> dict[str, str]:
    try:
        inputs = json.loads(inputs_json or "{}")
    except ValueError:
        return {}
    return {col.input_column(k): str(v) for k, v in inputs.items()} if isinstance(inputs, dict) else {}
