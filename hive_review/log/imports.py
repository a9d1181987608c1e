"""Continue an exported session log: its rows join a session, and its ratings that had not reached
HoneyHive are queued again."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.feedback.queue import FeedbackQueue
from hive_review.feedback.ratings import Rating, has_rating
from hive_review.feedback.status import DeliveryState, FeedbackStatus
from hive_review.log import columns as col
from hive_review.log.entries import iso, utc_now
from hive_review.log.schema import log_entries
from hive_review.missing import is_missing

# Ids per query when asking which session holds the file's generations (SQL parameter limits).
_ID_CHUNK: Final = 500


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did with each row of the file, so the page can say why a row was not added."""

    read: int  # rows in the file
    added: int
    in_this_session: int  # their generation is in this session already
    in_other_sessions: int  # their generation belongs to another session of this database
    repeated: int  # a generation id an earlier row of the file has

    def message(self) -> str:
        """For the reviewer: how many rows joined the session, and why the others did not."""
        if self.read == 0:
            return "The file holds no rows: nothing to import."
        if self.added == self.read:
            return f"Imported {_count(self.read, 'row')} into this session."
        why = (
            (self.in_this_session, "already in this session"),
            (
                self.in_other_sessions,
                "in another review session (a generation belongs to one session: choose that one under "
                "Review session in the sidebar to see them)",
            ),
            (
                self.repeated,
                "a repeat of an earlier row of the file" if self.repeated == 1 else "repeats of earlier rows",
            ),
        )
        reasons = [f"{_subject(count, self.read)} {reason}" for count, reason in why if count]
        done = f"Imported {self.added:,} of {_count(self.read, 'row')}" if self.added else "Nothing imported"
        return f"{done}: {'; '.join(reasons)}."


def _count(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _subject(count: int, of: int) -> str:
    """ "all 12 rows are", "3 rows are", "1 row is": the start of a reason."""
    every = "all " if count == of and count > 1 else ""
    return f"{every}{_count(count, 'row')} {'is' if count == 1 else 'are'}"


def import_log(feedback: FeedbackQueue, frame: pd.DataFrame, session_id: str, *, connection_id: str) -> int:
    """``import_export`` that answers only how many rows were added."""
    return import_export(feedback, frame, session_id, connection_id=connection_id).added


def import_export(
    feedback: FeedbackQueue, frame: pd.DataFrame, session_id: str, *, connection_id: str
) -> ImportOutcome:
    """Add an export's rows to ``session_id``. Rows whose generation is already in the store are
    left alone; ratings that had not reached HoneyHive (pending or failed) are queued again, on
    this connection. Answers what happened to each row. One transaction."""
    log = feedback.log
    records = frame.to_dict("records")
    in_this_session = in_other_sessions = repeated = 0
    with feedback.database.transaction() as db:
        sessions = _sessions_of(db, list(dict.fromkeys(str(r[col.GENERATION_ID]) for r in records)))
        seen: set[str] = set()
        seq = time.time_ns()
        rows, requeue = [], []
        for record in records:
            gid = str(record[col.GENERATION_ID])
            if gid in seen:
                repeated += 1
                continue
            seen.add(gid)
            if gid in sessions:
                if sessions[gid] == session_id:
                    in_this_session += 1
                else:
                    in_other_sessions += 1
                continue
            row = {name: _plain(record.get(name)) for name in log_entries.c.keys() if name != "seq"}  # noqa: SIM118 (column names, not Column objects)
            row[col.GENERATION_ID] = gid
            row[col.SESSION_ID] = session_id
            row["seq"] = seq
            seq += 1
            for name in (col.TIMESTAMP, col.RATED_AT):
                value = record.get(name)
                row[name] = iso(pd.Timestamp(value).to_pydatetime()) if not is_missing(value) else None
            if row[col.TIMESTAMP] is None:
                row[col.TIMESTAMP] = iso(utc_now())
            status = row.get(col.FEEDBACK_STATUS) or FeedbackStatus.UNRATED
            if status in (FeedbackStatus.PENDING, FeedbackStatus.FAILED, DeliveryState.SENDING) and has_rating(row):
                requeue.append(row)
                status = FeedbackStatus.PENDING
            row[col.FEEDBACK_STATUS] = str(status)
            rows.append(row)
        if rows:
            log.insert_rows(rows, db=db)
        for row in requeue:
            rated_at = datetime.fromisoformat(row[col.RATED_AT]) if row.get(col.RATED_AT) else None
            feedback.save_rating(
                row[col.GENERATION_ID],
                Rating.from_row(row),
                reviewer=row.get(col.REVIEWER) or "",
                connection_id=connection_id,
                rated_at=rated_at,
                db=db,
            )
    return ImportOutcome(
        read=len(records),
        added=len(rows),
        in_this_session=in_this_session,
        in_other_sessions=in_other_sessions,
        repeated=repeated,
    )


def _sessions_of(db: Connection, ids: Sequence[str]) -> dict[str, str]:
    """The session of each of ``ids`` that the log holds already."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), _ID_CHUNK):
        query = sa.select(log_entries.c[col.GENERATION_ID], log_entries.c[col.SESSION_ID]).where(
            log_entries.c[col.GENERATION_ID].in_(ids[start : start + _ID_CHUNK])
        )
        found.update({str(gid): str(session) for gid, session in db.execute(query)})
    return found


def _plain(value: Any) -> Any:
    """A DataFrame cell as a value SQL can store (NaN/NA/NaT become NULL, numpy scalars Python's)."""
    if is_missing(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
