"""A throwaway PostgreSQL server for tests and benchmarks: Debian's binaries, ``initdb`` in a temp
dir, ``pg_ctl`` on a free loopback port, one fresh database per test.

Our own instead of pytest-postgresql: that plugin runs ``initdb``/``pg_ctl`` as the current user,
and PostgreSQL refuses to run as root, which is what CI (and this machine) are. Here, as root, the
server runs as Debian's ``postgres`` user, which the ``postgresql`` package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg

MISSING = (
    "PostgreSQL's server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin or "
    "on PATH. Install Debian's postgresql package: `apt-get install postgresql` (as root, or with "
    "sudo); `scripts/setup --dev` and `make test` do this."
)
# Tests trade durability for speed (the server is thrown away); benchmarks keep the defaults.
_FAST = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir() -> Path:
    """Debian's newest ``/usr/lib/postgresql/<major>/bin``, else the directory of ``pg_ctl`` on PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    found = candidates[-1] if candidates else shutil.which("pg_ctl")
    if not found or not Path(found).with_name("initdb").exists():
        raise PostgresUnavailable(MISSING)
    return Path(found).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One server: ``start()``, then ``create_database()`` per test, ``stop()`` at the end."""

    def __init__(self, *, durable: bool = False, max_connections: int = 300) -> None:
        self.bindir = find_bindir()
        self.durable = durable
        self.max_connections = max_connections
        self.port = 0
        self.root = Path(tempfile.mkdtemp(prefix="hive-review-pg-"))
        self.datadir = self.root / "data"
        # PostgreSQL will not run as root: then it runs as Debian's postgres user.
        self._as: dict[str, Any] = {}
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresUnavailable(MISSING + " (no `postgres` user to run the server as)") from exc
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            cwd=self.root,  # the postgres user may not enter the caller's directory
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
            **self._as,
        )
        if done.returncode:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(f"{' '.join(args[:2])} failed: {done.stdout}{done.stderr}{tail}")

    def start(self) -> PostgresServer:
        self._run("initdb", "-D", str(self.datadir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = [
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.root}",
            f"-c max_connections={self.max_connections}",
            *(() if self.durable else _FAST),
        ]
        for attempt in range(3):  # another process may take the free port before the server binds it
            self.port = _free_port()
            try:
                # -w: pg_ctl returns once the server accepts connections.
                self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.datadir), "-l",
                          str(self.root / "server.log"), "-o", " ".join([f"-p {self.port}", *options]))  # fmt: skip
                return self
            except PostgresUnavailable:
                if attempt == 2:
                    raise
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True)

    def create_database(self) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        name = f"test_{uuid.uuid4().hex[:16]}"
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop it, ending connections a test left open (PostgreSQL 13+)."""
        name = url.rsplit("/", 1)[1]
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if (self.datadir / "postmaster.pid").exists():
            with contextlib.suppress(PostgresUnavailable):  # already gone: only the directory is left
                self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", "immediate", "-w")
        shutil.rmtree(self.root, ignore_errors=True)
