"""The studio's one database: one engine, one pool and one schema for every store.

The session log, the feedback queue, batches and votes all live here, so a rating and its log row,
or a vote and its two feedback items, are committed in one transaction. SQLite by default (a file
in the user's data dir); any SQLAlchemy URL through ``HIVE_REVIEW_DATABASE_URL``.
"""

from __future__ import annotations

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
        return sa.create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE // 4, max_overflow=POOL_SIZE)
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

    def create_schema(self) -> None:
        """Create missing tables, columns and indexes (a database made by an earlier version gets
        the nullable columns added since)."""
        metadata.create_all(self.engine)
        with self.engine.begin() as db:
            inspector = sa.inspect(db)  # on this connection: SQLite holds one writer at a time
            for table in metadata.sorted_tables:
                present = {column["name"] for column in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name not in present:
                        kind = column.type.compile(dialect=db.dialect)
                        db.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
        for table in metadata.sorted_tables:
            for index in table.indexes:
                index.create(self.engine, checkfirst=True)

    def close(self) -> None:
        self.engine.dispose()
