"""The emulator's one SQLite connection, shared by every table's store.

One connection guarded by a lock: the routes run on one event loop (and a few in worker threads),
SQLite serialises writers anyway, and ``:memory:`` databases exist only on the connection that
made them.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def now_ms() -> float:
    return datetime.now(UTC).timestamp() * 1000


def dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def load(value: str | None) -> Any:
    return None if value is None else json.loads(value)


class Database:
    def __init__(self, path: str) -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            if path != ":memory:":
                self._connection.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit does not wait for the disk; a crash may lose the last writes,
            # never corrupt the file. Right for an emulator, and what the throughput needs.
            self._connection.execute("PRAGMA synchronous=NORMAL")

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def create(self, schema: str) -> None:
        with self._lock:
            self._connection.executescript(schema)

    def columns(self, table: str) -> set[str]:
        with self._lock:
            return {row["name"] for row in self._connection.execute(f"PRAGMA table_info({table})")}

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    @contextmanager
    def locked(self) -> Iterator[sqlite3.Connection]:
        """The connection, for several reads that must see one state (no writer in between)."""
        with self._lock:
            yield self._connection

    def query(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._connection.execute(sql, params).fetchall()

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> int:
        """One statement in its own transaction; the number of rows it changed."""
        with self._lock:
            return self._connection.execute(sql, params).rowcount
