"""Q9 + Q11: the Session log page's first load of a 100k-row log, against the fastest reader of the
same rows, on SQLite and on PostgreSQL; and the studio's memory with that log loaded.

Load: ``LogStore.load_log(session)`` (what ``cached_log`` does the first time: read, parse the
inputs JSON into ``input.<var>`` columns, type every column). Baselines, each reading the same rows
(``SELECT * FROM log_entries WHERE session_id = ... ORDER BY seq``) into a DataFrame:
``pandas.read_sql`` through SQLAlchemy (the studio's reader before), ``pandas.read_sql`` on an ADBC
connection (Arrow-backed), and ``connectorx.read_sql``. Rounds alternate every reader; the first
call of each (imports, connections, the SQLite helper's start) is not counted. The studio's
previous load (``pandas.read_sql`` + ``json.loads`` per row + typing) is shown for reference.

Memory: a fresh process opens the stores, loads the log through ``cached_log`` and reports how
much its resident memory grew (and the SQLite reader helper's: it is part of the studio), against
the frame's own ``memory_usage(deep=True)``.

All readers here only read (the file was filled by another process): ADBC's and connectorx's own
SQLite must not share a process with a writer (see ``hive_review/log/sqlite_reader.py``).
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from bench._common import ROOT, fill_log, median, parse_args, print_table, ratio_line, rss_mib, timed
from hive_review.log.arrow_frames import python_log_frame
from hive_review.stores import open_stores

REVIEWER = "bench-load"


def baselines(url: str, session_id: str) -> dict[str, Callable[[], object]]:
    query = f"SELECT * FROM log_entries WHERE session_id = '{session_id}' ORDER BY seq"  # noqa: S608 (our uuid)
    engine = sa.create_engine(url)
    parsed = sa.engine.make_url(url)
    readers: dict[str, Callable[[], object]] = {}

    def read_sql() -> object:
        with engine.connect() as db:
            return pd.read_sql(sa.text(query), db)

    readers["pandas.read_sql (SQLAlchemy)"] = read_sql
    if parsed.get_backend_name() == "sqlite":
        import adbc_driver_sqlite.dbapi as adbc

        target, cx_url = str(parsed.database), f"sqlite://{parsed.database}"
    else:
        import adbc_driver_postgresql.dbapi as adbc

        target = cx_url = parsed.set(drivername="postgresql").render_as_string(hide_password=False)

    def read_adbc() -> object:
        with adbc.connect(target, autocommit=True) as connection:
            return pd.read_sql(query, connection)

    readers["pandas.read_sql (ADBC)"] = read_adbc
    try:
        import connectorx

        readers["connectorx.read_sql"] = lambda: connectorx.read_sql(cx_url, query)
    except ImportError:
        pass
    return readers


def previous_load(url: str, session_id: str) -> Callable[[], object]:
    """The studio's load before this change: pandas.read_sql, json.loads per row, pandas typing."""
    engine = sa.create_engine(url)

    def load() -> object:
        query = sa.text("SELECT * FROM log_entries WHERE session_id = :s ORDER BY seq")
        with engine.connect() as db:
            return python_log_frame(pd.read_sql(query, db, params={"s": session_id}))

    return load


def measure(url: str, session_id: str, reps: int) -> dict[str, list[float]]:
    stores = open_stores(url)
    contenders = {"project: load_log": lambda: stores.log.load_log(session_id), **baselines(url, session_id)}
    contenders["(before: read_sql + json.loads)"] = previous_load(url, session_id)
    results: dict[str, list[float]] = {name: [] for name in contenders}
    for fn in contenders.values():
        fn()  # warm: imports, connections, the helper
    for _ in range(reps):
        for name, fn in contenders.items():
            results[name].append(timed(fn))
    stores.close()
    return results


def memory_child(url: str, session_id: str) -> None:
    """In a fresh process: resident memory before and after the studio loads the log."""
    stores = open_stores(url)
    helper = stores.log.reader_pid()
    stores.log.session_revisions(session_id)  # connections open, as in a running studio
    if helper:
        stores.log.load_log(stores.log.create_session("warm").id)  # the helper ready, imports done
    gc.collect()
    before, helper_before = rss_mib(), rss_mib(helper) if helper else 0.0
    frame = stores.log.cached_log(session_id)
    gc.collect()
    after, helper_after = rss_mib(), rss_mib(helper) if helper else 0.0
    own = frame.memory_usage(deep=True).sum() / 2**20
    print(json.dumps({"studio": after - before, "helper": helper_after - helper_before, "frame": own}))


def memory(url: str, session_id: str, reps: int) -> dict[str, list[float]]:
    runs = []
    for _ in range(reps):
        out = subprocess.run(
            [sys.executable, "-m", "bench.log_load", "--memory-child", url, session_id],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {key: [run[key] for run in runs] for key in ("studio", "helper", "frame")}


def report(title: str, results: dict[str, list[float]], rows: int) -> float:
    print_table(f"{title}: first load of {rows:,} rows", list(results.items()), unit="ms", scale=1000)
    fastest_name = min((name for name in results if not name.startswith(("project", "("))),
                       key=lambda name: median(results[name]))  # fmt: skip
    ratio = median(results["project: load_log"]) / median(results[fastest_name])
    print(f"{title}: fastest baseline {fastest_name}; project / fastest = {ratio:.2f}")
    return ratio


def main() -> None:
    if sys.argv[1:2] == ["--memory-child"]:
        memory_child(sys.argv[2], sys.argv[3])
        return
    args = parse_args(__doc__ or "")
    rows = 2_000 if args.quick else 100_000
    ratios = {}
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite:///{Path(tmp) / 'log.sqlite3'}"
        session_id = fill_log(sqlite_url, REVIEWER, rows)
        ratios["SQLite"] = report("SQLite", measure(sqlite_url, session_id, args.reps), rows)
        used = memory(sqlite_url, session_id, max(1, min(args.reps, 3)))
        total = [s + h for s, h in zip(used["studio"], used["helper"], strict=True)]
        print_table(
            f"Memory with the {rows:,}-row log loaded (fresh process each), MiB",
            [("frame memory_usage(deep=True)", used["frame"]), ("studio process RSS growth", used["studio"]),
             ("reader helper RSS growth", used["helper"]), ("studio + helper", total)],
            unit="MiB",
        )  # fmt: skip
        memory_ratio = median(total) / median(used["frame"])
        print(f"memory: (studio + helper growth) / frame = {memory_ratio:.2f} (target <= 2)")
    from tests.postgres_server import PostgresServer, PostgresUnavailable

    try:
        server = PostgresServer(durable=True).start()
    except PostgresUnavailable as exc:
        print(f"PostgreSQL not measured: {exc}")
    else:
        try:
            url = server.create_database()
            session_id = fill_log(url, REVIEWER, rows)
            ratios["PostgreSQL"] = report("PostgreSQL", measure(url, session_id, args.reps), rows)
        finally:
            server.stop()
    detail = "; ".join(f"{name} {ratio:.2f}" for name, ratio in ratios.items())
    ratio_line(max(ratios.values()), f"<= 1.2 x the fastest reader; {detail}; memory {memory_ratio:.2f} (<= 2)")


if __name__ == "__main__":
    main()
