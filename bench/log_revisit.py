"""Q10: the Session log page's next visit after one new rating, at 100k rows, against a rerun with
nothing changed (streamlit.testing AppTest, entry studio.py, in-process emulator, SQLite file).

The page is opened and run once (the first load, reported), then rounds alternate: a rerun with
nothing changed (baseline), then one rating committed the way the rating form commits it
(``FeedbackQueue.save_rating``, from another connection) and the page's next run (project). Before,
every write changed the cache key, so that run loaded the whole log again. ``--quick``: 2k rows.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench._common import ROOT, fill_log, median, parse_args, print_table, ratio_line, timed
from hive_review.feedback.ratings import Rating
from hive_review.stores import open_stores
from honeyhive_api.emulator import EmulatorConfig, EmulatorServer


def main() -> None:
    args = parse_args(__doc__ or "", reps=7)
    rows = 2_000 if args.quick else 100_000
    with tempfile.TemporaryDirectory() as tmp, EmulatorServer(EmulatorConfig(api_key="bench-revisit-key")) as emulator:
        url = f"sqlite:///{Path(tmp) / 'log.sqlite3'}"
        os.environ.update(
            HONEYHIVE_API_KEY=emulator.api_key,
            HONEYHIVE_API="tasks",
            HONEYHIVE_BASE_URL=emulator.url,
            HIVE_REVIEW_REVIEWER="bench-revisit",
            HIVE_REVIEW_DATABASE_URL=url,
        )
        os.chdir(tmp)  # AppTest reads .streamlit/secrets.toml relative to the working directory
        at = AppTest.from_file(str(ROOT / "studio.py"), default_timeout=300)
        at.run()  # makes the reviewer's review session (the one AppTest signs in, else the one set)
        if at.exception:
            raise RuntimeError(f"the studio did not start: {[e.value for e in at.exception]}")
        writer = open_stores(url)
        [session] = writer.log.list_sessions()
        fill_log(url, session.reviewer, rows, session_id=session.id)
        at.switch_page("pages/session_log.py")
        first = timed(at.run)
        if at.exception or "Session log" not in [t.value for t in at.title]:
            raise RuntimeError(f"the Session log page did not render: {[e.value for e in at.exception]}")
        caption = next((c.value for c in at.caption if "generations match" in c.value), "")
        if not caption:
            raise RuntimeError("the Session log page shows no generations")
        ids = writer.log.load_log(session.id)["generation_id"].tolist()
        unchanged, after_rating = [], []
        at.run()  # warm
        for rep in range(args.reps):
            unchanged.append(timed(at.run))
            rating = Rating(stars=rep % 5 + 1, thumbs="up", comment=f"round {rep}")
            writer.feedback.save_rating(ids[rep * 97 % len(ids)], rating, reviewer=session.reviewer, connection_id="b")
            after_rating.append(timed(at.run))
            if at.exception:
                raise RuntimeError([e.value for e in at.exception])
        writer.close()
    print(f"first page run (loads the log): {first * 1000:.0f} ms; page says: {caption!r}")
    print_table(
        f"Session log page, {rows:,} rows in the session",
        [("rerun, nothing changed (baseline)", unchanged), ("next run after one new rating", after_rating)],
        unit="ms",
        scale=1000,
    )
    ratio_line(median(after_rating) / median(unchanged), "<= 1.2 x a rerun with nothing changed")


if __name__ == "__main__":
    main()
