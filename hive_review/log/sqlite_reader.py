"""ADBC's SQLite driver, run in a helper process of its own.

Why a process: the driver links its own copy of SQLite, and SQLite must not be linked twice into
a process that opens the same file with both copies (https://sqlite.org/howtocorrupt.html, 2.2.1):
POSIX locks belong to the process, so closing a file in one copy drops the other's locks, and the
copy that thinks it is the last one deletes the WAL under the other. Measured here: in the
studio's process, reads through the driver (and through connectorx, which bundles SQLite too)
missed rows the studio had just committed. Two processes are SQLite's ordinary case.

The helper answers one read at a time: the parent sends ``[path, query, params]`` as a JSON line,
the helper writes the answer as an Arrow IPC file in shared memory (``/dev/shm``) and answers its
name; the parent maps it (no copy) and deletes its name. Started with the store, so
its ~0.5 s start is paid before the first page needs it; a helper that fails is started again at
the next read, and until then the store reads through SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.ipc

Part = tuple[str, list[Any]]  # one query and its parameters ("?" for SQLite, "$1".. for PostgreSQL)

# The driver infers a column's type from its first batch of rows (1,024 by default): a column NULL
# in those and text later would fail. One batch holds the whole answer (the driver refuses INT_MAX;
# it allocates per row read, not up front).
_BATCH_ROWS = str(2**30)


# Shared memory: the answer never touches a disk. mkstemp makes each file (O_EXCL, mode 0600).
_SHM = "/dev/shm"  # noqa: S108


def _answer_file() -> str:
    folder = _SHM if os.path.isdir(_SHM) and os.access(_SHM, os.W_OK) else None
    handle, name = tempfile.mkstemp(prefix="hive-review-log-", suffix=".arrow", dir=folder)
    os.close(handle)
    return name


class SqliteArrowReader:
    """The parent's end: ``read`` answers an Arrow table, or raises (the caller falls back)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the helper now (without waiting for it), so the first read finds it ready."""
        with self._lock:
            self._ensure()

    @property
    def pid(self) -> int | None:
        """The helper's process id while it runs (its memory is the studio's too)."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "hive_review.log.sqlite_reader"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                close_fds=True,
                env=_helper_environment(),
            )
        return self._process

    def read(self, path: str, parts: Sequence[Part]) -> pa.Table:
        """The rows of each part (a query and its parameters), side by side, put together in order."""
        with self._lock:
            process = self._ensure()
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(json.dumps([path, [list(part) for part in parts]]).encode() + b"\n")
                process.stdin.flush()
                answer = json.loads(process.stdout.readline() or b'{"error": "the reader process ended"}')
            except (OSError, ValueError):
                self._stop(process)
                raise
            if "error" in answer:
                if answer.get("fatal", True):
                    self._stop(process)
                raise RuntimeError(f"SQLite reader: {answer['error']}")
        name = answer["file"]
        try:
            # Mapped, not read: the text columns of the log frame use these pages as they are (no
            # copy, and nothing left behind in an allocator); unlinked, they live as long as the frame.
            return pyarrow.ipc.open_file(pa.memory_map(name)).read_all()
        finally:
            Path(name).unlink(missing_ok=True)

    def _stop(self, process: subprocess.Popen[bytes]) -> None:
        process.kill()
        process.wait()
        self._process = None

    def close(self) -> None:
        with self._lock:
            if self._process is not None:
                self._stop(self._process)


def _helper_environment() -> dict[str, str]:
    """This process's environment, with the project on the helper's import path: the studio may be
    started from another folder (``streamlit run /srv/hive-review/app.py``), and ``-m`` looks for
    the package from the working directory."""
    project = str(Path(__file__).resolve().parents[2])
    paths = [project, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def read_parts(read: Callable[[Part], pa.Table], parts: list[Part]) -> pa.Table:
    """Each part on a thread of its own (the drivers let go of the GIL), put together in order."""
    if len(parts) == 1:
        return read(parts[0])
    with ThreadPoolExecutor(len(parts), thread_name_prefix="log-read") as pool:
        tables = list(pool.map(read, parts))
    return pa.concat_tables(_same_types(tables), promote_options="permissive")


def _same_types(tables: list[pa.Table]) -> list[pa.Table]:
    """SQLite's driver types a column by its values: one that is NULL all through one part comes
    back as int64 there and as text in another. Such columns take the type of the part that has
    values (numbers of both kinds are then unified by ``concat_tables``)."""
    out = list(tables)
    for name in tables[0].column_names:
        typed = [t.schema.field(name).type for t in tables if t.column(name).null_count < t.num_rows]
        if not typed:
            continue
        for index, table in enumerate(out):
            column = table.column(name)
            if column.null_count == table.num_rows and column.type != typed[0]:
                where = table.schema.get_field_index(name)
                out[index] = table.set_column(where, name, pa.nulls(table.num_rows, typed[0]))
    return out


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The helper's loop: one JSON line in, one JSON line out, until the parent closes the pipe."""
    import adbc_driver_sqlite.dbapi as driver

    for line in requests:
        name = _answer_file()
        try:
            path, parts = json.loads(line)

            def read(part: Part, path: str = path) -> pa.Table:
                # A connection per read (opening costs well under a millisecond): a file deleted and
                # made again under the same name is read, not the old one. Autocommit: each read
                # sees what is committed now, not the snapshot of an open transaction.
                with driver.connect(path, autocommit=True) as connection, connection.cursor() as cursor:
                    cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": _BATCH_ROWS})
                    cursor.execute(part[0], parameters=part[1] or None)
                    return cursor.fetch_arrow_table()

            table = read_parts(read, [(query, params) for query, params in parts])
            with pa.OSFile(name, "wb") as sink, pyarrow.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
            reply: dict[str, Any] = {"file": name}
        except Exception as exc:  # answered to the parent, which reads another way
            Path(name).unlink(missing_ok=True)
            reply = {"error": f"{type(exc).__name__}: {exc}", "fatal": False}
        answers.write(json.dumps(reply).encode() + b"\n")
        answers.flush()
        table = None  # the answer is in the file now
        _release_memory()


def _release_memory() -> None:
    """Hand the read's buffers back to the system: the helper idles between reads, and what its
    allocators keep would count against the studio's memory."""
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim this way
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # the driver's own buffers come from malloc


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
