"""The rating side of the studio, as a process a drill can kill: it rates every generation of the
session log, one after another, and lets the feedback outbox deliver them (as app.py does).

    python tests/drill_rater.py <database-url>      (HONEYHIVE_API_KEY, HONEYHIVE_BASE_URL from the env)

Prints "saved <n>" after each rating is committed, then waits to be killed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hive_review.feedback.ratings import Rating
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.settings import resolve_connection
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient


def main() -> None:
    # The same connection id the studio computes for this key and URL: after the kill, it delivers.
    connection = resolve_connection({}, os.environ)
    assert connection is not None
    CONNECTION = connection.connection_id
    store = open_stores(sys.argv[1])
    client = HoneyHiveClient(os.environ["HONEYHIVE_API_KEY"], os.environ["HONEYHIVE_BASE_URL"], timeout=30)
    outbox = FeedbackOutbox(store.feedback, client, connection_id=CONNECTION, workers=4).start()
    log = store.log.load_log()
    for number, generation_id in enumerate(log["generation_id"], start=1):
        rating = Rating(stars=number % 5 + 1, comment=f"drill rating {number}")
        store.feedback.save_rating(generation_id, rating, reviewer="qa-drill", connection_id=CONNECTION)
        outbox.wake()
        print(f"saved {number}", flush=True)
        time.sleep(0.005)
    print("all saved", flush=True)
    time.sleep(3600)


if __name__ == "__main__":
    main()
