"""Q3: time of a rerun of the Session log page (streamlit.testing AppTest, entry app.py) with 1k / 10k /
100k rows in the reviewer's session, vs. the same rerun with an empty log.

Each size gets its own SQLite file (in a temp dir) holding one session of the reviewer, filled through
Stores.add_entries. The app talks to an in-process emulator. The page is opened and run once
(which loads and caches the log frame), then ``at.run()`` reruns are timed: what a click elsewhere on
the page costs while the log is unchanged.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench._common import ROOT, make_entries, median, parse_args, print_table, ratio_line, repeat, timed
from hive_review.stores import open_stores
from honeyhive_api.emulator import EmulatorConfig, EmulatorServer

REVIEWER = "bench-log"
TARGETS_MS = {10_000: 150.0, 100_000: 500.0}


def fill(db_path: Path, rows: int) -> float:
    store = open_stores(f"sqlite:///{db_path}")
    session = store.log.create_session(REVIEWER)
    seconds = 0.0
    for start in range(0, rows, 20_000):
        entries = make_entries(session.id, REVIEWER, min(20_000, rows - start), start=start)
        seconds += timed(lambda entries=entries: store.log.add_entries(entries))
    store.close()
    return seconds


def page_reruns(db_path: Path, reps: int) -> tuple[float, list[float]]:
    os.environ["HIVE_REVIEW_DATABASE_URL"] = f"sqlite:///{db_path}"
    at = AppTest.from_file(str(ROOT / "studio.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/session_log.py")
    first = timed(at.run)  # loads the log from SQLite into the cached frame
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    if "Session log" not in [t.value for t in at.title]:
        raise RuntimeError("the Session log page did not render")
    times = repeat(at.run, reps)
    return first, times


def main() -> None:
    args = parse_args(__doc__ or "")
    sizes = [0, 1_000] if args.quick else [0, 1_000, 10_000, 100_000]
    results: dict[int, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, EmulatorServer(EmulatorConfig(api_key="bench-log-key")) as emulator:
        os.environ.update(
            HONEYHIVE_API_KEY=emulator.api_key,
            HONEYHIVE_API="tasks",
            HONEYHIVE_BASE_URL=emulator.url,
            HIVE_REVIEW_REVIEWER=REVIEWER,
        )
        os.chdir(tmp)  # AppTest reads .streamlit/secrets.toml relative to the working directory
        for rows in sizes:
            db = Path(tmp) / f"log-{rows}.sqlite3"
            fill_s = fill(db, rows)
            first, results[rows] = page_reruns(db, args.reps)
            print(f"{rows:>7} rows: filled in {fill_s:.2f} s; first page run (loads the log) {first:.2f} s")
    empty = median(results[0])
    print_table(
        "Session log page rerun (AppTest), log cached",
        [(f"{rows:,} rows" if rows else "empty log (baseline)", results[rows]) for rows in sizes],
        unit="ms",
        scale=1000,
    )
    for rows in sizes[1:]:
        print(f"{rows:>7,} rows: +{(median(results[rows]) - empty) * 1000:.0f} ms over the empty log")
    checks = [(rows, median(results[rows]) * 1000 / target) for rows, target in TARGETS_MS.items() if rows in results]
    if not checks:  # --quick: compare 1k against the 10k target
        checks = [(1_000, median(results[1_000]) * 1000 / TARGETS_MS[10_000])]
    detail = "; ".join(f"{rows:,} rows: {r:.2f} of its target" for rows, r in checks)
    ratio_line(max(r for _, r in checks), f"<= 1.00: rerun / (150 ms at 10k, 500 ms at 100k); {detail}")


if __name__ == "__main__":
    main()
