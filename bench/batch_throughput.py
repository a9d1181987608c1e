"""Q1: wall time of a 400-row batch (BatchRunner, concurrency 16) against an emulator that adds 100 ms per
request, vs. the ideal rows x 0.1 s / 16 and vs. a sequential loop of client.generate.

The emulator runs in its own process (offline provider) so that it does not share the runner's GIL.
The sequential baseline runs on a fifth of the rows per repetition and is scaled to the full row count
(it is linear: one request after another), to keep the run short.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench._common import API_KEY, INPUTS, TASK, emulator_process, median, parse_args, print_table, ratio_line, repeat
from hive_review.runs.batch import BatchRunner
from hive_review.runs.batch_store import DONE, BatchStore
from hive_review.stores import Stores, open_stores
from honeyhive_api import HoneyHiveClient

LATENCY_S = 0.1
CONCURRENCY = 16
REVIEWER = "bench-batch"


def run_batch(client: HoneyHiveClient, sessions: Stores, batches: BatchStore, session_id: str, rows: int) -> None:
    batch = batches.create_batch(
        session_id=session_id, task=TASK, rows=[dict(INPUTS)] * rows, variants=[], concurrency=CONCURRENCY
    )
    runner = BatchRunner(client, sessions.log, batches, batch.id, reviewer=REVIEWER, source="bench")
    runner.start()
    runner.wait()
    done = batches.progress(batch.id)[DONE]
    if done != rows:
        raise RuntimeError(f"batch finished {done} of {rows} items: {batches.progress(batch.id)}")


def main() -> None:
    args = parse_args(__doc__ or "")
    rows = 32 if args.quick else 400
    seq_rows = max(8, rows // 5)
    ideal = rows * LATENCY_S / CONCURRENCY
    with tempfile.TemporaryDirectory() as tmp, emulator_process(latency_ms=LATENCY_S * 1000) as url:
        db_url = f"sqlite:///{Path(tmp) / 'sessions.sqlite3'}"
        sessions = open_stores(db_url)
        batches = sessions.batches
        session = sessions.log.create_session(REVIEWER)
        # The studio gives the runner a client that retries nothing (it retries itself).
        client = HoneyHiveClient(API_KEY, url, max_retries=0)
        client.generate(TASK, INPUTS)  # warm: connection, imports
        batch_times = repeat(lambda: run_batch(client, sessions, batches, session.id, rows), args.reps)

        def sequential() -> None:
            for _ in range(seq_rows):
                client.generate(TASK, INPUTS, user_properties={"user_id": REVIEWER}, source="bench")

        seq_times = [t * rows / seq_rows for t in repeat(sequential, args.reps)]
        stored = len(sessions.log.load_log(session.id))
        client.close()
    print_table(
        f"Batch of {rows} rows, emulator latency {LATENCY_S * 1000:.0f} ms, concurrency {CONCURRENCY} "
        f"({stored} rows logged)",
        [
            ("ideal (rows x 0.1 s / 16)", [ideal]),
            ("BatchRunner wall", batch_times),
            (f"sequential generate (scaled from {seq_rows})", seq_times),
        ],
    )
    batch_median, seq_median = median(batch_times), median(seq_times)
    print(f"throughput: {rows / batch_median:.1f} items/s; speed-up over sequential: {seq_median / batch_median:.1f}x")
    ratio_line(batch_median / ideal, "<= 1.15 x ideal")


if __name__ == "__main__":
    main()
