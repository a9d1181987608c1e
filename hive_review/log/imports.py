"""Continue an exported session log: its rows join a session, and its ratings that had not reached
HoneyHive are queued again."""

from __future__ import annotations

import math
import time
from datetime import datetime
from typing import Any

import pandas as pd

from hive_review.feedback.queue import FeedbackQueue
from hive_review.feedback.ratings import Rating, has_rating
from hive_review.feedback.status import FeedbackStatus
from hive_review.log import columns as col
from hive_review.log.entries import iso, utc_now
from hive_review.log.frames import is_missing
from hive_review.log.schema import log_entries


def import_log(feedback: FeedbackQueue, frame: pd.DataFrame, session_id: str, *, connection_id: str) -> int:
    """Add an export's rows to ``session_id``. Rows whose generation is already in the store are
    left alone; ratings that had not reached HoneyHive (pending or failed) are queued again, on
    this connection. Returns how many rows were added. One transaction."""
    log = feedback.log
    records = frame.to_dict("records")
    with feedback.database.transaction() as db:
        existing = log.existing_ids(db, [str(r[col.GENERATION_ID]) for r in records])
        seq = time.time_ns()
        rows, requeue = [], []
        for record in records:
            gid = str(record[col.GENERATION_ID])
            if gid in existing:
                continue
            existing.add(gid)
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
            if status in (FeedbackStatus.PENDING, FeedbackStatus.FAILED, "sending") and has_rating(row):
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
    return len(rows)


def _plain(value: Any) -> Any:
    """A DataFrame cell as a value SQL can store (NaN/NA/NaT become NULL, numpy scalars Python's)."""
    if is_missing(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
