"""Q8: what team mode (one PostgreSQL server) costs a reviewer, against SQLite in the same run.

* Rating commit: ``FeedbackQueue.save_rating`` (log row + outbox item, one transaction) by 8 reviewers
  at once (threads, each rating generations of their own session), latency of each call.
* Queue claim: 8 outboxes claiming at once (threads, ``claim`` of 8 items each, then ``mark_sent``),
  latency of each claim, until everything the ratings queued is sent.
* Log page load: ``LogStore.load_log`` of one session of 100k rows (``--quick``: 2k).

p50 and p95 are taken per repetition; the table shows their median and spread over the repetitions.
The PostgreSQL server is Debian's (``tests/postgres_server.py``: ``initdb`` in a temp dir, a free
loopback port) with its default durability (fsync, synchronous commit); the SQLite file is the studio's
own setup (WAL, ``synchronous=NORMAL``, ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench._common import make_entries, median, parse_args, print_table, ratio_line, repeat, timed
from hive_review.feedback.ratings import Rating
from hive_review.stores import Stores, open_stores
from tests.postgres_server import PostgresServer

REVIEWERS = 8
CLAIM_LIMIT = 8


def percentile(samples: list[float], share: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[round(share * 100) - 1]


def in_threads(work: Callable[[int], list[float]], count: int = REVIEWERS) -> list[float]:
    """``work(i)`` for ``count`` reviewers, each in a thread of its own, started together; all their latencies."""
    start = threading.Barrier(count)
    results: list[list[float]] = [[] for _ in range(count)]

    def run(number: int) -> None:
        start.wait()
        results[number] = work(number)

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [latency for result in results for latency in result]


def seed(stores: Stores, per_reviewer: int) -> list[list[str]]:
    """A session per reviewer with ``per_reviewer`` generations to rate; their ids per reviewer."""
    ids = []
    for number in range(REVIEWERS):
        session = stores.log.create_session(f"reviewer-{number}")
        entries = make_entries(session.id, f"reviewer-{number}", per_reviewer)
        stores.log.add_entries(entries)
        ids.append([entry.generation_id for entry in entries])
    return ids


def rate_all(stores: Stores, ids: list[list[str]], round_: int, reviewers: int = REVIEWERS) -> list[float]:
    def reviewer(number: int) -> list[float]:
        rating = Rating(stars=round_ % 5 + 1, thumbs="up", comment=f"round {round_}")
        return [
            timed(lambda gid=gid: stores.feedback.save_rating(gid, rating, reviewer=f"r{number}", connection_id="c"))
            for gid in ids[number]
        ]

    return in_threads(reviewer, reviewers)


def claim_all(stores: Stores, outboxes: int = REVIEWERS) -> list[float]:
    def outbox(number: int) -> list[float]:
        latencies = []
        while True:
            began = time.perf_counter()
            claimed = stores.feedback.claim(connection_id="c", owner=f"o{number}", limit=CLAIM_LIMIT, lease_seconds=30)
            latencies.append(time.perf_counter() - began)
            for delivery in claimed:
                stores.feedback.mark_sent(delivery)
            if not claimed and not stores.feedback.counts().get("pending"):
                return latencies

    return in_threads(outbox, outboxes)


def measure(url: str, per_reviewer: int, log_rows: int, reps: int) -> dict[str, list[float]]:
    stores = open_stores(url)
    ids = seed(stores, per_reviewer)
    rate_all(stores, ids, -1)  # warm: connections, caches
    claim_all(stores)
    results: dict[str, list[float]] = {key: [] for key in ("rate50", "rate95", "claim50", "claim95", "solo", "claim1")}
    for round_ in range(reps):
        # One reviewer alone first: the cost of the database itself, without 8 threads sharing 2 cores.
        results["solo"].append(percentile(rate_all(stores, ids, round_, reviewers=1), 0.50))
        results["claim1"].append(percentile(claim_all(stores, outboxes=1), 0.50))
        rates = rate_all(stores, ids, round_)
        claims = claim_all(stores)
        if set(stores.feedback.counts()) != {"sent"}:
            raise RuntimeError(f"not everything was sent: {stores.feedback.counts()}")
        results["rate50"].append(percentile(rates, 0.50))
        results["rate95"].append(percentile(rates, 0.95))
        results["claim50"].append(percentile(claims, 0.50))
        results["claim95"].append(percentile(claims, 0.95))
    session = stores.log.create_session("bench-log")
    for start in range(0, log_rows, 10_000):
        stores.log.add_entries(make_entries(session.id, "bench-log", min(10_000, log_rows - start), start=start))
    if len(stores.log.load_log(session.id)) != log_rows:
        raise RuntimeError("the log does not hold every row")
    results["load"] = repeat(lambda: stores.log.load_log(session.id), reps)
    stores.close()
    return results


def main() -> None:
    args = parse_args(__doc__ or "")
    per_reviewer = 5 if args.quick else 50
    log_rows = 2_000 if args.quick else 100_000
    server = PostgresServer(durable=True).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sqlite = measure(f"sqlite:///{Path(tmp) / 'team.sqlite3'}", per_reviewer, log_rows, args.reps)
            postgres = measure(server.create_database(), per_reviewer, log_rows, args.reps)
    finally:
        server.stop()
    for key, title in (("rate", "Rating commit (save_rating), 8 concurrent reviewers"),
                       ("claim", f"Queue claim ({CLAIM_LIMIT} items), 8 concurrent outboxes")):  # fmt: skip
        print_table(
            f"{title}, {REVIEWERS * per_reviewer} ratings per repetition",
            [(f"{name} {p}", runs[f"{key}{p[1:]}"]) for name, runs in (("SQLite", sqlite), ("PostgreSQL", postgres))
             for p in ("p50", "p95")],
            unit="ms", scale=1000,
        )  # fmt: skip
        for p in ("50", "95"):
            print(f"PostgreSQL / SQLite {key} p{p}: {median(postgres[key + p]) / median(sqlite[key + p]):.2f}")
    print_table(
        f"One reviewer alone: rating commit and queue claim p50, {per_reviewer} ratings per repetition",
        [(f"{name} {what}", runs[key]) for what, key in (("rating commit", "solo"), ("claim", "claim1"))
         for name, runs in (("SQLite", sqlite), ("PostgreSQL", postgres))],
        unit="ms", scale=1000,
    )  # fmt: skip
    print_table(
        f"Log page load (load_log), {log_rows:,} rows",
        [("SQLite", sqlite["load"]), ("PostgreSQL", postgres["load"])],
        unit="ms",
        scale=1000,
    )
    print(f"PostgreSQL / SQLite load: {median(postgres['load']) / median(sqlite['load']):.2f}")
    ratio_line(median(postgres["rate95"]) / median(sqlite["rate95"]), "reported: PostgreSQL / SQLite rating commit p95")


if __name__ == "__main__":
    main()
