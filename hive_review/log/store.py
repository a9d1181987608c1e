"""The session log in the database: review sessions and one row per generation.

Every change is committed as the reviewer works, so a browser reload or an app restart loses
nothing. Writes that belong together (a rating and its outbox item, a batch result and its item's
status) join the caller's transaction through ``db=``.

A little over 300 lines: sessions, rows and the incremental loading of the log share the revision
counter (``bump``) that tells a cached log which rows changed since it was read.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from hive_review.db import Database
from hive_review.feedback.status import FeedbackStatus
from hive_review.log import columns as col
from hive_review.log.arrow_frames import log_frame_from_arrow
from hive_review.log.arrow_read import READ_COLUMNS, prepare, read_log_table, reader_pid, rows_table
from hive_review.log.entries import LogEntry, iso, utc_now
from hive_review.log.frames import empty_log_frame
from hive_review.log.log_cache import LoadedLog, LogCache, marks_of
from hive_review.log.schema import PENDING_REVISION, UPDATED_REVISION, log_entries, review_sessions

# A log this long is read in parts side by side; below it, one read is as quick.
_SPLIT_ROWS = 20_000
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
        self._cache = LogCache(self)
        prepare(database.engine.url)  # the fast reader's helper starts now, not at the first page load

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
        """Record that the sessions' logs changed (in the caller's transaction): each session's
        revision grows, and the rows this transaction wrote (``PENDING_REVISION``) are stamped with it.

        The revision's UPDATE locks the session's row to the end of the transaction (SQLite: the
        writer lock already does), so writers of one session take revisions in the order they
        commit: a reader that has seen revision N has seen every row stamped N or lower, and needs
        only the rows above N next time (``LogStore.changed_rows``). Writers lock log rows before
        calling this, never after, so the lock order is always log rows, then session."""
        ids = sorted({session_id for session_id in session_ids if session_id})
        for session_id in ids:
            revision = db.execute(
                review_sessions.update()
                .where(review_sessions.c.id == session_id)
                .values(revision=review_sessions.c.revision + 1)
                .returning(review_sessions.c.revision)
            ).scalar()
            if revision is None:  # rows of a session that has no row of its own (an old import)
                revision = 0
            updated = log_entries.c[UPDATED_REVISION]
            db.execute(
                log_entries.update()
                .where(log_entries.c[col.SESSION_ID] == session_id, updated == PENDING_REVISION)
                .values({UPDATED_REVISION: revision})
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
        # Stamped with the session's new revision by ``bump`` below, in this transaction.
        rows = [{**row, UPDATED_REVISION: PENDING_REVISION} for row in rows]
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
        values = {k: v for k, v in row.items() if k not in ("seq", UPDATED_REVISION)}
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
        """Change a log row and mark its session's log changed (both in the caller's transaction)."""
        session_id = db.execute(
            log_entries.update()
            .where(log_entries.c[col.GENERATION_ID] == generation_id)
            .values({**values, UPDATED_REVISION: PENDING_REVISION})
            .returning(log_entries.c[col.SESSION_ID])
        ).scalar()
        if session_id:
            LogStore.bump(db, [session_id])

    def set_feedback_status(
        self, db: Connection, generation_id: str, status: FeedbackStatus, error: str | None
    ) -> None:
        """Show a generation's feedback state on its log row (which marks its session's log changed)."""
        self.update_entry(db, generation_id, {col.FEEDBACK_STATUS: status.value, col.FEEDBACK_ERROR: error})

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
        return self.load_rows(session_id, {}).frame

    def cached_log(self, session_id: str | None = None) -> pd.DataFrame:
        """``load_log`` as the pages read it on every rerun: kept in this process and brought up to
        date with the rows changed since (``LogCache``). Shared: do not modify it."""
        return self._cache.get(session_id)

    @staticmethod
    def reader_pid() -> int | None:
        """The process that reads SQLite logs for this one (``arrow_read``), when it runs."""
        return reader_pid()

    def session_revisions(self, session_id: str | None) -> dict[str, int]:
        """Each session's revision (the one given, or all)."""
        query = sa.select(review_sessions.c.id, review_sessions.c.revision)
        if session_id is not None:
            query = query.where(review_sessions.c.id == session_id)
        with self.database.engine.connect() as db:
            return {row.id: int(row.revision) for row in db.execute(query)}

    def load_rows(self, session_id: str | None, revisions: dict[str, int]) -> LoadedLog:
        """Every row of the log (of one session, or all) and the revisions it reflects: read as
        Arrow (``arrow_read``, in parts side by side for a large log) where the database allows,
        else through SQLAlchemy. ``revisions`` were read before the rows."""
        table = read_log_table(self.database.engine.url, session_id, self._split_points(session_id))
        if table is None:
            query = sa.select(*(log_entries.c[name] for name in READ_COLUMNS)).order_by(log_entries.c.seq)
            if session_id is not None:
                query = query.where(log_entries.c[col.SESSION_ID] == session_id)
            table = rows_table(self.database.engine, query)
        frame = self.frame_of(table)
        seq = np.asarray(table.column("seq").to_numpy(), dtype=np.int64)
        # Rows stamped up to the revisions read before were committed before the read began, so
        # they are here as of then or newer. Above that, parts read one after the other may hold a
        # row older than another's stamp: the next update asks again for everything above them.
        marks = {s: min(mark, revisions[s]) if s in revisions else mark for s, mark in marks_of(table).items()}
        return LoadedLog(frame, seq, dict(revisions), marks)

    def _split_points(self, session_id: str | None) -> list[int]:
        """Where to cut a large log into parts read side by side (one per core, two at least)."""
        rows = sa.select(log_entries.c.seq)
        if session_id is not None:
            rows = rows.where(log_entries.c[col.SESSION_ID] == session_id)
        with self.database.engine.connect() as db:
            count = int(db.execute(sa.select(sa.func.count()).select_from(rows.subquery())).scalar() or 0)
            if count < _SPLIT_ROWS:
                return []
            parts = max(2, min(os.cpu_count() or 2, 4))
            points = [db.execute(rows.order_by(log_entries.c.seq).offset(count * i // parts).limit(1)).scalar()
                      for i in range(1, parts)]  # fmt: skip
        return sorted({int(point) for point in points if point is not None})

    def changed_rows(self, since: Mapping[str, int]) -> pa.Table:
        """The rows of these sessions stamped above the revision given for each, in ``seq`` order."""
        stamp = log_entries.c[UPDATED_REVISION]
        wanted = [sa.and_(log_entries.c[col.SESSION_ID] == s, stamp > mark) for s, mark in sorted(since.items())]
        query = sa.select(*(log_entries.c[name] for name in READ_COLUMNS)).where(sa.or_(*wanted))
        return rows_table(self.database.engine, query.order_by(log_entries.c.seq))

    @staticmethod
    def frame_of(table: pa.Table) -> pd.DataFrame:
        """The typed log frame of rows read by ``load_rows`` or ``changed_rows``."""
        return empty_log_frame() if table.num_rows == 0 else log_frame_from_arrow(table)


def _input_values(inputs_json: str | None) -> dict[str, str]:
    try:
        inputs = json.loads(inputs_json or "{}")
    except ValueError:
        return {}
    return {col.input_column(k): str(v) for k, v in inputs.items()} if isinstance(inputs, dict) else {}
