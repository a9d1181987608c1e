"""The session log and the feedback outbox, persisted through SQLAlchemy (SQLite by default).

Every change is committed as the reviewer works, so a browser reload or an app restart loses
nothing. A rating is written here (log row + outbox item, in one transaction) before any network
call; ``hive_review.outbox`` then delivers it.

Tables:

* ``review_sessions``: one row per review session (a reviewer's sitting), with a revision counter
  that every change to the session's log bumps (pages cache the log frame by it);
* ``log_entries``: one row per generation (the columns of ``columns.py``; inputs as JSON);
* ``feedback_outbox``: one row per submitted rating or vote: pending / sending / sent / failed /
  superseded (an edit of a rating that had not been sent yet replaces it).
"""

from __future__ import annotations

import json
import math
import os
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import platformdirs
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from hive_review import columns as col
from hive_review.log_view import column_dtype, empty_log_frame
from hive_review.ratings import Rating

DATABASE_URL_ENV = "HIVE_REVIEW_DATABASE_URL"
POOL_SIZE = 40

# Outbox states.
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
SUPERSEDED = "superseded"
UNRATED = "unrated"
RATING_KIND = "rating"
OTHER_KIND = "other"

metadata = sa.MetaData()

review_sessions = sa.Table(
    "review_sessions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False, default=0),
)

_TEXT_COLUMNS = (
    col.REVIEWER,
    col.TASK,
    col.PROMPT_NAME,
    col.PROMPT_VERSION,
    col.MODEL,
    col.SOURCE,
    col.ORIGIN,
    col.INPUTS_JSON,
    col.COMPLETION,
    col.THUMBS,
    col.LABELS,
    col.COMMENT,
    col.IDEAL_ANSWER,
    col.FEEDBACK_STATUS,
    col.FEEDBACK_ERROR,
    col.BATCH_ID,
    col.COMPARISON_ID,
    col.PREFERENCE,
    col.AB_POSITION,
)
log_entries = sa.Table(
    "log_entries",
    metadata,
    sa.Column(col.GENERATION_ID, sa.String(200), primary_key=True),
    sa.Column(col.SESSION_ID, sa.String(36), nullable=False, index=True),
    # Order of arrival: nanoseconds since the epoch when the row was added (no read of the table
    # needed to number a row; rows added together get consecutive numbers).
    sa.Column("seq", sa.BigInteger, nullable=False, index=True),
    sa.Column(col.TIMESTAMP, sa.Text, nullable=False),
    sa.Column(col.RATED_AT, sa.Text),
    sa.Column(col.LATENCY_MS, sa.Float),
    sa.Column(col.COST, sa.Float),
    sa.Column(col.PROMPT_TOKENS, sa.Integer),
    sa.Column(col.COMPLETION_TOKENS, sa.Integer),
    sa.Column(col.TOTAL_TOKENS, sa.Integer),
    sa.Column(col.RATING, sa.Integer),
    *(sa.Column(name, sa.Text) for name in _TEXT_COLUMNS),
)

feedback_outbox = sa.Table(
    "feedback_outbox",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("generation_id", sa.String(200), nullable=False, index=True),
    sa.Column("task", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # rating / other (an A/B vote)
    sa.Column("feedback_json", sa.Text, nullable=False),
    sa.Column("ground_truth", sa.Text),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("sent_at", sa.Text),
)


def database_url_from_env() -> str:
    """``HIVE_REVIEW_DATABASE_URL``, else a SQLite file in the user's data dir."""
    configured = os.environ.get(DATABASE_URL_ENV, "").strip()
    if configured:
        return configured
    path = Path(platformdirs.user_data_dir("hive-review")) / "sessions.sqlite3"
    return f"sqlite:///{path}"


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class ReviewSession:
    id: str
    name: str
    reviewer: str
    created_at: str


@dataclass
class LogEntry:
    """A generation entering the log (its rating comes later, through ``save_rating``)."""

    generation_id: str
    session_id: str
    reviewer: str
    task: str
    prompt_version: str
    completion: str
    timestamp: datetime = field(default_factory=_now)
    prompt_name: str = ""
    model: str = ""
    source: str = ""
    origin: str = "playground"
    inputs: Mapping[str, str] = field(default_factory=dict)
    latency_ms: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    cost: float | None = None
    batch_id: str | None = None
    comparison_id: str | None = None
    preference: str | None = None

    def row(self) -> dict[str, Any]:
        return {
            col.GENERATION_ID: self.generation_id,
            col.SESSION_ID: self.session_id,
            col.TIMESTAMP: _iso(self.timestamp),
            col.REVIEWER: self.reviewer,
            col.TASK: self.task,
            col.PROMPT_NAME: self.prompt_name,
            col.PROMPT_VERSION: self.prompt_version,
            col.MODEL: self.model,
            col.SOURCE: self.source,
            col.ORIGIN: self.origin,
            col.INPUTS_JSON: json.dumps(dict(self.inputs), ensure_ascii=False),
            col.COMPLETION: self.completion,
            col.LATENCY_MS: self.latency_ms,
            col.PROMPT_TOKENS: self.prompt_tokens,
            col.COMPLETION_TOKENS: self.completion_tokens,
            col.TOTAL_TOKENS: self.total_tokens,
            col.COST: self.cost,
            col.BATCH_ID: self.batch_id,
            col.COMPARISON_ID: self.comparison_id,
            col.PREFERENCE: self.preference,
            col.FEEDBACK_STATUS: UNRATED,
        }


@dataclass(frozen=True)
class Delivery:
    """An outbox item claimed for sending."""

    id: str
    generation_id: str
    task: str
    feedback_json: dict[str, Any]
    ground_truth: str | None
    attempts: int


def make_engine(url: str) -> Engine:
    """An engine for the studio's database; for SQLite: WAL, a busy timeout, and write transactions
    that take the lock up front (concurrent writers wait instead of failing)."""
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        in_memory = database in (None, "", ":memory:")
        if not in_memory:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        pool: dict[str, Any] = (
            {"poolclass": StaticPool}
            # One connection per worker thread (batch runs use up to 32) without waiting for the pool.
            if in_memory
            else {"pool_size": POOL_SIZE, "max_overflow": POOL_SIZE}
        )
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" below decide when a transaction starts.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _on_begin(connection: Connection) -> None:
            # Take the write lock up front: two writers never deadlock upgrading a read lock.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


class SessionStore:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.engine = make_engine(database_url)
        metadata.create_all(self.engine)
        self._add_missing_columns()
        for index in log_entries.indexes:  # databases made by an earlier version lack newer indexes
            index.create(self.engine, checkfirst=True)

    def _add_missing_columns(self) -> None:
        """A database made by an earlier version gets the log columns added since (all nullable)."""
        present = {column["name"] for column in sa.inspect(self.engine).get_columns(log_entries.name)}
        missing = [column for column in log_entries.columns if column.name not in present]
        with self.engine.begin() as db:
            for column in missing:
                kind = column.type.compile(dialect=db.dialect)
                db.exec_driver_sql(f'ALTER TABLE {log_entries.name} ADD COLUMN "{column.name}" {kind}')

    def __repr__(self) -> str:
        return f"SessionStore({self.engine.url.render_as_string(hide_password=True)!r})"

    @property
    def database_key(self) -> str:
        """Identifies the database in caches (password hidden)."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    # ---- sessions -------------------------------------------------------------------------------

    def create_session(self, reviewer: str, name: str | None = None) -> ReviewSession:
        created = _now()
        session = ReviewSession(
            id=str(uuid.uuid4()),
            name=name or f"Session {created.strftime('%Y-%m-%d %H:%M')} UTC",
            reviewer=reviewer,
            created_at=_iso(created),
        )
        with self.engine.begin() as db:
            db.execute(
                review_sessions.insert().values(
                    id=session.id,
                    name=session.name,
                    reviewer=session.reviewer,
                    created_at=session.created_at,
                    revision=0,
                )
            )
        return session

    def list_sessions(self) -> list[ReviewSession]:
        """Newest first."""
        with self.engine.begin() as db:
            rows = db.execute(sa.select(review_sessions).order_by(review_sessions.c.created_at.desc())).mappings()
            return [ReviewSession(r["id"], r["name"], r["reviewer"], r["created_at"]) for r in rows]

    def revision(self, session_id: str | None) -> int:
        """Grows with every change to the session's log (to any session's with ``None``)."""
        query = sa.select(sa.func.coalesce(sa.func.sum(review_sessions.c.revision), 0))
        if session_id is not None:
            query = query.where(review_sessions.c.id == session_id)
        with self.engine.begin() as db:
            return int(db.execute(query).scalar() or 0)

    @staticmethod
    def _bump(db: Connection, session_ids: Iterable[str]) -> None:
        ids = sorted(set(session_ids))
        if ids:
            db.execute(
                review_sessions.update()
                .where(review_sessions.c.id.in_(ids))
                .values(revision=review_sessions.c.revision + 1)
            )

    # ---- log entries ----------------------------------------------------------------------------

    def add_entry(self, entry: LogEntry) -> None:
        self.add_entries([entry])

    def add_entries(self, entries: Sequence[LogEntry], *, db: Connection | None = None) -> int:
        """Add generations to the log; one already there is left as it is. Returns how many were new.

        ``db``: a transaction of the caller's to join (a batch run records the row and the item's
        status in one commit)."""
        if not entries:
            return 0
        if db is None:
            with self.engine.begin() as own:
                return self.add_entries(entries, db=own)
        seq = time.time_ns()
        rows = [{**entry.row(), "seq": seq + offset} for offset, entry in enumerate(entries)]
        if db.dialect.name == "sqlite":
            # INSERT OR IGNORE: one statement, no read first (batch runs add rows from many threads).
            added = db.execute(log_entries.insert().prefix_with("OR IGNORE"), rows).rowcount
        else:
            existing = self._existing_ids(db, [row[col.GENERATION_ID] for row in rows])
            rows = [row for row in rows if row[col.GENERATION_ID] not in existing]
            added = db.execute(log_entries.insert(), rows).rowcount if rows else 0
        if added:
            self._bump(db, {row[col.SESSION_ID] for row in rows})
        return int(added or 0)

    @staticmethod
    def _existing_ids(db: Connection, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found.update(
                db.execute(
                    sa.select(log_entries.c[col.GENERATION_ID]).where(log_entries.c[col.GENERATION_ID].in_(chunk))
                ).scalars()
            )
        return found

    def get_entry(self, generation_id: str) -> dict[str, Any] | None:
        """One log row as a dict of plain values (``None`` for missing), or ``None``."""
        with self.engine.begin() as db:
            row = (
                db.execute(sa.select(log_entries).where(log_entries.c[col.GENERATION_ID] == generation_id))
                .mappings()
                .first()
            )
        if row is None:
            return None
        values = {k: v for k, v in row.items() if k != "seq"}
        values.update(self._input_values(values.get(col.INPUTS_JSON)))
        return values

    @staticmethod
    def _input_values(inputs_json: str | None) -> dict[str, str]:
        try:
            inputs = json.loads(inputs_json or "{}")
        except ValueError:
            return {}
        return {col.input_column(k): str(v) for k, v in inputs.items()} if isinstance(inputs, dict) else {}

    def recent_generation_ids(self, session_id: str, *, origin: str, limit: int) -> list[str]:
        """The session's latest generations of one origin (e.g. the playground), newest first."""
        with self.engine.begin() as db:
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
        with self.engine.connect() as db:
            frame = pd.read_sql(query, db)
        if frame.empty:
            return empty_log_frame()
        frame = frame.drop(columns=["seq"])
        inputs = pd.DataFrame.from_records(
            [json.loads(text) if text else {} for text in frame[col.INPUTS_JSON]], index=frame.index
        )
        inputs = inputs.rename(columns=col.input_column)
        frame = pd.concat([frame[list(col.LOG_COLUMNS)], inputs], axis=1)
        return _typed(frame)

    # ---- ratings and the outbox -----------------------------------------------------------------

    def save_rating(self, generation_id: str, rating: Rating, *, reviewer: str) -> str:
        """Commit a rating to the log and queue its delivery, in one transaction. Returns the
        outbox id. A queued delivery of an earlier version of this rating that has not started
        is superseded: the new one carries the whole rating."""
        rated_at = _now()
        rating_id = str(uuid.uuid4())
        feedback = rating.feedback_json(reviewer=reviewer, rated_at=rated_at, rating_id=rating_id)
        with self.engine.begin() as db:
            entry = self._entry_for_update(db, generation_id)
            db.execute(
                log_entries.update()
                .where(log_entries.c[col.GENERATION_ID] == generation_id)
                .values(
                    {
                        col.THUMBS: rating.thumbs,
                        col.RATING: rating.stars,
                        col.LABELS: ", ".join(rating.labels) or None,
                        col.COMMENT: rating.comment or None,
                        col.IDEAL_ANSWER: rating.ideal_answer or None,
                        col.RATED_AT: _iso(rated_at),
                        col.REVIEWER: reviewer,
                    }
                )
            )
            self._queue(db, generation_id, entry, feedback, rating.ground_truth, rating_id)
        return rating_id

    def queue_feedback(
        self, generation_id: str, feedback: Mapping[str, Any], *, ground_truth: str | None = None
    ) -> str:
        """Queue other feedback for a generation (a blind A/B vote, for example)."""
        delivery_id = str(uuid.uuid4())
        with self.engine.begin() as db:
            entry = self._entry_for_update(db, generation_id)
            extra: dict[str, Any] = {}
            if "preference" in feedback:
                extra[col.PREFERENCE] = feedback["preference"]
            if "position" in feedback:
                extra[col.AB_POSITION] = feedback["position"]
            if extra:
                db.execute(log_entries.update().where(log_entries.c[col.GENERATION_ID] == generation_id).values(extra))
            self._queue(db, generation_id, entry, dict(feedback), ground_truth, delivery_id, supersede=False)
        return delivery_id

    @staticmethod
    def _entry_for_update(db: Connection, generation_id: str) -> Mapping[str, Any]:
        entry = (
            db.execute(
                sa.select(log_entries.c[col.TASK], log_entries.c[col.SESSION_ID]).where(
                    log_entries.c[col.GENERATION_ID] == generation_id
                )
            )
            .mappings()
            .first()
        )
        if entry is None:
            raise KeyError(f"generation {generation_id!r} is not in the session log")
        return entry

    def _queue(
        self,
        db: Connection,
        generation_id: str,
        entry: Mapping[str, Any],
        feedback: Mapping[str, Any],
        ground_truth: str | None,
        delivery_id: str,
        *,
        supersede: bool = True,
    ) -> None:
        if supersede:
            # Only ratings supersede ratings: a pending A/B vote on the same generation stays queued.
            db.execute(
                feedback_outbox.update()
                .where(
                    feedback_outbox.c.generation_id == generation_id,
                    feedback_outbox.c.status.in_([PENDING, FAILED]),
                    feedback_outbox.c.kind == RATING_KIND,
                )
                .values(status=SUPERSEDED)
            )
        db.execute(
            feedback_outbox.insert().values(
                id=delivery_id,
                generation_id=generation_id,
                task=entry[col.TASK],
                kind=RATING_KIND if supersede else OTHER_KIND,
                feedback_json=json.dumps(dict(feedback), ensure_ascii=False),
                ground_truth=ground_truth,
                status=PENDING,
                attempts=0,
                next_attempt_at=time.time(),
                created_at=_iso(_now()),
            )
        )
        self._set_status(db, generation_id, PENDING, None)
        self._bump(db, [entry[col.SESSION_ID]])

    @staticmethod
    def _set_status(db: Connection, generation_id: str, status: str, error: str | None) -> None:
        db.execute(
            log_entries.update()
            .where(log_entries.c[col.GENERATION_ID] == generation_id)
            .values({col.FEEDBACK_STATUS: status, col.FEEDBACK_ERROR: error})
        )

    def _refresh_status(self, db: Connection, generation_id: str) -> None:
        """The log row shows the state of the generation's deliveries: failed beats pending beats sent."""
        states = db.execute(
            sa.select(feedback_outbox.c.status, feedback_outbox.c.last_error)
            .where(feedback_outbox.c.generation_id == generation_id, feedback_outbox.c.status != SUPERSEDED)
            .order_by(feedback_outbox.c.created_at)
        ).all()
        if not states:
            return
        failed = [error for status, error in states if status == FAILED]
        if failed:
            status, error = FAILED, failed[-1]
        elif any(status in (PENDING, SENDING) for status, _ in states):
            status, error = PENDING, states[-1][1]
        else:
            status, error = SENT, None
        self._set_status(db, generation_id, status, error)
        session_id = db.execute(
            sa.select(log_entries.c[col.SESSION_ID]).where(log_entries.c[col.GENERATION_ID] == generation_id)
        ).scalar()
        if session_id:
            self._bump(db, [session_id])

    def retry_failed(self, generation_id: str | None = None) -> int:
        """Queue failed deliveries again (of one generation, or all). Returns how many."""
        with self.engine.begin() as db:
            query = feedback_outbox.update().where(feedback_outbox.c.status == FAILED)
            if generation_id is not None:
                query = query.where(feedback_outbox.c.generation_id == generation_id)
            ids = (
                db.execute(
                    sa.select(feedback_outbox.c.generation_id).where(feedback_outbox.c.status == FAILED)
                    if generation_id is None
                    else sa.select(feedback_outbox.c.generation_id).where(
                        feedback_outbox.c.status == FAILED, feedback_outbox.c.generation_id == generation_id
                    )
                )
                .scalars()
                .all()
            )
            count = db.execute(query.values(status=PENDING, attempts=0, next_attempt_at=time.time())).rowcount
            for gid in set(ids):
                self._refresh_status(db, gid)
        return count

    # ---- delivery (used by hive_review.outbox) --------------------------------------------------

    def reset_interrupted_deliveries(self) -> int:
        """Deliveries a stopped process left in ``sending`` go back to the queue. HoneyHive merges
        feedback, and each carries its ``rating_id``, so sending one again cannot double it."""
        with self.engine.begin() as db:
            return db.execute(
                feedback_outbox.update().where(feedback_outbox.c.status == SENDING).values(status=PENDING)
            ).rowcount

    def claim_due_deliveries(self, limit: int) -> list[Delivery]:
        """Mark up to ``limit`` due deliveries as ``sending`` and return them, oldest first."""
        with self.engine.begin() as db:
            rows = (
                db.execute(
                    sa.select(feedback_outbox)
                    .where(feedback_outbox.c.status == PENDING, feedback_outbox.c.next_attempt_at <= time.time())
                    .order_by(feedback_outbox.c.created_at)
                    .limit(limit)
                )
                .mappings()
                .all()
            )
            claimed = []
            for row in rows:
                taken = db.execute(
                    feedback_outbox.update()
                    .where(feedback_outbox.c.id == row["id"], feedback_outbox.c.status == PENDING)
                    .values(status=SENDING, attempts=row["attempts"] + 1)
                ).rowcount
                if taken:
                    claimed.append(
                        Delivery(
                            id=row["id"],
                            generation_id=row["generation_id"],
                            task=row["task"],
                            feedback_json=json.loads(row["feedback_json"]),
                            ground_truth=row["ground_truth"],
                            attempts=row["attempts"] + 1,
                        )
                    )
        return claimed

    def next_due_in(self) -> float | None:
        """Seconds until the next pending delivery is due (0 if one is due now), or None."""
        with self.engine.begin() as db:
            due = db.execute(
                sa.select(sa.func.min(feedback_outbox.c.next_attempt_at)).where(feedback_outbox.c.status == PENDING)
            ).scalar()
        return None if due is None else max(0.0, float(due) - time.time())

    def mark_sent(self, delivery: Delivery) -> None:
        with self.engine.begin() as db:
            db.execute(
                feedback_outbox.update()
                .where(feedback_outbox.c.id == delivery.id)
                .values(status=SENT, sent_at=_iso(_now()), last_error=None)
            )
            self._refresh_status(db, delivery.generation_id)

    def mark_retry(self, delivery: Delivery, error: str, delay_seconds: float) -> None:
        with self.engine.begin() as db:
            db.execute(
                feedback_outbox.update()
                .where(feedback_outbox.c.id == delivery.id)
                .values(status=PENDING, last_error=error, next_attempt_at=time.time() + delay_seconds)
            )
            self._refresh_status(db, delivery.generation_id)

    def mark_failed(self, delivery: Delivery, error: str) -> None:
        with self.engine.begin() as db:
            db.execute(
                feedback_outbox.update()
                .where(feedback_outbox.c.id == delivery.id)
                .values(status=FAILED, last_error=error)
            )
            self._refresh_status(db, delivery.generation_id)

    def delivery_counts(self) -> dict[str, int]:
        with self.engine.begin() as db:
            rows = db.execute(
                sa.select(feedback_outbox.c.status, sa.func.count()).group_by(feedback_outbox.c.status)
            ).all()
        return {status: int(count) for status, count in rows}

    def deliveries(self, generation_id: str | None = None) -> list[dict[str, Any]]:
        query = sa.select(feedback_outbox).order_by(feedback_outbox.c.created_at)
        if generation_id is not None:
            query = query.where(feedback_outbox.c.generation_id == generation_id)
        with self.engine.begin() as db:
            return [dict(row) for row in db.execute(query).mappings()]

    # ---- import ---------------------------------------------------------------------------------

    def import_log(self, frame: pd.DataFrame, session_id: str) -> int:
        """Continue an exported log in ``session_id``. Rows whose generation is already in the store
        are left alone; ratings that had not reached HoneyHive (pending or failed) are queued again.
        Returns how many rows were added."""
        records = frame.to_dict("records")
        with self.engine.begin() as db:
            existing = self._existing_ids(db, [str(r[col.GENERATION_ID]) for r in records])
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
                    row[name] = _iso(pd.Timestamp(value).to_pydatetime()) if _present(value) else None
                if row[col.TIMESTAMP] is None:
                    row[col.TIMESTAMP] = _iso(_now())
                status = row.get(col.FEEDBACK_STATUS) or UNRATED
                if status in (PENDING, FAILED, SENDING) and _has_rating(row):
                    requeue.append(row)
                    status = PENDING
                row[col.FEEDBACK_STATUS] = status
                rows.append(row)
            if rows:
                db.execute(log_entries.insert(), rows)
                self._bump(db, [session_id])
            for row in requeue:
                rating = Rating(
                    thumbs=row.get(col.THUMBS) if row.get(col.THUMBS) in ("up", "down") else None,
                    stars=int(row[col.RATING]) if row.get(col.RATING) is not None else None,
                    labels=tuple(x.strip() for x in (row.get(col.LABELS) or "").split(",") if x.strip()),
                    comment=row.get(col.COMMENT) or "",
                    ideal_answer=row.get(col.IDEAL_ANSWER) or "",
                )
                rated_at = datetime.fromisoformat(row[col.RATED_AT]) if row.get(col.RATED_AT) else _now()
                rating_id = str(uuid.uuid4())
                feedback = rating.feedback_json(
                    reviewer=row.get(col.REVIEWER) or "", rated_at=rated_at, rating_id=rating_id
                )
                self._queue(db, row[col.GENERATION_ID], row, feedback, rating.ground_truth, rating_id)
        return len(rows)


def _present(value: Any) -> bool:
    if value is None:
        return False
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


def _plain(value: Any) -> Any:
    """A DataFrame cell as a value SQL can store (NaN/NA/NaT become NULL, numpy scalars Python's)."""
    if not _present(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _has_rating(row: Mapping[str, Any]) -> bool:
    return any(_present(row.get(name)) for name in (col.THUMBS, col.RATING, col.LABELS, col.COMMENT, col.IDEAL_ANSWER))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Each column in the dtype ``log_view`` expects (the log page, exports and filters rely on it)."""
    typed: dict[str, pd.Series] = {}
    for name in frame.columns:
        dtype = column_dtype(name)
        values = frame[name]
        if isinstance(dtype, pd.DatetimeTZDtype):
            typed[name] = pd.to_datetime(values, utc=True, format="ISO8601").astype(dtype)
        elif isinstance(dtype, pd.Int64Dtype):
            typed[name] = pd.to_numeric(values).astype(dtype)
        elif dtype == "float64":
            typed[name] = pd.to_numeric(values).astype("float64")
        else:
            typed[name] = values.astype(dtype)
    return pd.DataFrame(typed, index=frame.index)
