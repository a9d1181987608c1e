"""One studio process of a team, as a drill can kill it: it rates its share of the session log's
generations (every ``--of``-th, from ``--share``), skipping those already rated, while its feedback
outbox delivers, side by side with the other processes on the same database (as app.py does).

    python tests/drills/team_rater.py <database-url> --share K --of N [--lease-seconds S]
    (HONEYHIVE_API_KEY and HONEYHIVE_BASE_URL from the environment)

Prints "owner <lease owner>", "saved <n>" after each rating is committed, then "all saved"; keeps
delivering until SIGTERM (or SIGKILL).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hive_review.feedback.ratings import Rating
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.settings import resolve_connection
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("--share", type=int, required=True)
    parser.add_argument("--of", type=int, required=True)
    parser.add_argument("--lease-seconds", type=float, default=30.0)
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    # The connection id the studio computes for this key and URL: every process sends for it.
    connection = resolve_connection({}, os.environ)
    assert connection is not None
    stores = open_stores(args.database_url)
    client = HoneyHiveClient(connection.api_key, connection.base_url, timeout=30, max_retries=0)
    outbox = FeedbackOutbox(
        stores.feedback, client, connection_id=connection.connection_id, workers=4, backoff_base=0.2,
        backoff_cap=2.0, max_attempts=40, idle_poll=0.5, lease_seconds=args.lease_seconds,
    ).start()  # fmt: skip
    print(f"owner {outbox.owner}", flush=True)
    log = stores.log.load_log()
    mine = [
        generation_id
        for number, (generation_id, status) in enumerate(zip(log["generation_id"], log["feedback_status"], strict=True))
        if number % args.of == args.share and status == "unrated"  # a restart skips what it rated before
    ]
    for number, generation_id in enumerate(mine, start=1):
        if stop.is_set():
            break
        rating = Rating(stars=number % 5 + 1, thumbs="up" if number % 2 else "down", comment=f"team drill {number}")
        stores.feedback.save_rating(generation_id, rating, reviewer=f"qa-{args.share}",
                                    connection_id=connection.connection_id)  # fmt: skip
        outbox.wake()
        print(f"saved {number}", flush=True)
        time.sleep(0.01)  # a reviewer's pace, compressed: the ratings spread over the delivery
    print("all saved", flush=True)
    stop.wait()
    outbox.stop()
    stores.close()


if __name__ == "__main__":
    main()
