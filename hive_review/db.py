"""The studio's one database: one engine, one pool and one schema for every store.

The session log, the feedback queue, batches and votes all live here, so a rating and its log row,
or a vote and its two feedback items, are committed in one transaction. SQLite by default (a file
in the user's data dir); PostgreSQL (``postgresql+psycopg://…``) for a team whose studio processes
share one database; any SQLAlchemy URL through ``HIVE_REVIEW_DATABASE_URL``. The schema is kept by
the Alembic migrations in ``hive_review.migrations``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

# Every table of every store is declared on this one MetaData (see ``hive_review.stores``).
metadata = sa.MetaData()

# Batch runs write from up to 32 worker threads, and the outbox from 8: a pool that never makes
# them wait for a connection.
POOL_SIZE = 40


def default_database_url() -> str:
    """A SQLite file in the user's data dir (``~/.local/share/hive-review`` on Linux)."""
    path = Path(platformdirs.user_data_dir("hive-review")) / "sessions.sqlite3"
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    """An engine for the studio's database; for SQLite: WAL, a busy timeout, and write transactions
    that take the lock up front (concurrent writers wait instead of failing)."""
    if not url.startswith("sqlite"):
        parsed = sa.engine.make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            # A plain postgresql:// would ask for psycopg2; psycopg 3 is the driver we install.
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, pool_pre_ping=True, pool_size=POOL_SIZE // 4, max_overflow=POOL_SIZE)
    database = sa.engine.make_url(url).database
    in_memory = database in (None, "", ":memory:")
    if not in_memory:
        Path(str(database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
    pool: dict[str, Any] = (
        {"poolclass": StaticPool} if in_memory else {"pool_size": POOL_SIZE, "max_overflow": POOL_SIZE}
    )
    engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" below decide when a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        if not in_memory:
            _use_wal(cursor)  # readers do not wait for the writer
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Take the write lock up front: two writers never deadlock upgrading a read lock.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL. Processes opening a new file together race to switch it, and SQLite
    answers the loser "locked" at once, without waiting: ask again until the file is in WAL."""
    deadline = time.monotonic() + 30
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(0.01)


class DatabaseError(Exception):
    """The database cannot be used as it is; the message names the problem and the fix."""


class SchemaTooNewError(DatabaseError):
    """The database was migrated by a newer Hive Review than this one."""


class Database:
    """The engine every store shares. ``transaction()`` is one commit; pass its connection to the
    stores' methods that take ``db=`` to put several writes into it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    def __repr__(self) -> str:
        return f"Database({self.key!r})"

    @property
    def key(self) -> str:
        """Names the database in caches and messages (password hidden)."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, db: Connection | None = None) -> Iterator[Connection]:
        """A new transaction, or the caller's ``db`` when one is given (joined, not nested)."""
        if db is not None:
            yield db
            return
        with self.engine.begin() as own:
            yield own

    def upgrade_schema(self) -> None:
        """Migrate the database to this code's schema (Alembic, to head): a new database gets every
        table, one made before migrations gets what it lacks. ``SchemaTooNewError`` when a newer Hive
        Review migrated it, ``DatabaseError`` when it cannot be reached."""
        from hive_review import migrations  # here: the migrations import this module

        try:
            migrations.upgrade(self.engine, self.key)
        except sa.exc.OperationalError as exc:
            raise DatabaseError(
                f"Cannot open the database {self.key}: {exc.orig}. Check that it is running and that "
                "HIVE_REVIEW_DATABASE_URL names it."
            ) from exc

    def close(self) -> None:
        self.engine.dispose()
