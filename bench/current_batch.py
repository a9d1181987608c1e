"""Q13: a batch on the current API: 400 rows, a model endpoint that takes 100 ms per answer,
concurrency 16, every run logged as an event, against the ideal rows x 100 ms / 16.

Two emulators, each in its own process (offline provider): HoneyHive (configurations, session,
events; no added latency) and the model endpoint (``--latency-ms 100``). ``BatchRunner`` with
``CurrentBackend.with_options(max_retries=0)`` (as the Batch page does), SQLite file. Wall time from
``start()`` until every item is done and every event is at HoneyHive. Two ways of logging events:
through the feedback outbox (``events=FeedbackOutbox``, as the studio wires it: the batch's recorder
commits each run's event with its log row, the outbox sends them in groups with
``POST /events/batch``; its drain after the batch is counted), and in the run (``POST /events``
before the item is done: a backend without an outbox). The harness floor: the same model calls made
with ``openai`` from 16 threads, nothing else.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai
import requests

from bench._common import API_KEY, INPUTS, TASK, emulator_process, median, parse_args, print_table, ratio_line
from hive_review.backends import CurrentBackend, ModelEndpoint
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.runs.batch import BatchRunner
from hive_review.runs.batch_store import DONE
from hive_review.stores import Stores, open_stores
from honeyhive_api import HoneyHiveClient

FLOOR = "(harness floor: as many openai calls, 16 threads, nothing logged)"
OUTBOX = "events through the outbox, in groups (studio default)"
LATENCY_S = 0.1
CONCURRENCY = 16
REVIEWER = "bench-current-batch"


def run_batch(stores: Stores, backend: CurrentBackend, rows: int, settle: Callable[[], object]) -> float:
    session = stores.log.create_session(REVIEWER)
    batch = stores.batches.create_batch(
        session_id=session.id, task=TASK, rows=[dict(INPUTS)] * rows, variants=[], concurrency=CONCURRENCY
    )
    runner = BatchRunner(backend.with_options(max_retries=0), stores.log, stores.batches, batch.id,
                         reviewer=REVIEWER, source="bench")  # fmt: skip
    start = time.perf_counter()
    runner.start()
    runner.wait()
    settle()  # every event at HoneyHive
    wall = time.perf_counter() - start
    done = stores.batches.progress(batch.id)[DONE]
    if done != rows:
        raise RuntimeError(f"batch finished {done} of {rows} items: {stores.batches.progress(batch.id)}")
    return wall


def bulk_requests(honeyhive_url: str) -> int:
    """``POST /events/batch`` requests the HoneyHive emulator has received so far."""
    rows = requests.get(f"{honeyhive_url}/_emulator/requests", headers={"Authorization": f"Bearer {API_KEY}"},
                        timeout=10).json()["requests"]  # fmt: skip
    return sum(row["received"] for row in rows if (row["method"], row["path"]) == ("POST", "/events/batch"))


def events_of(client: HoneyHiveClient, backend: CurrentBackend) -> int:
    filters = [{"field": "session_id", "operator": "is", "value": backend.session_id, "type": "string"}]
    return sum(1 for e in client.export_events(filters) if e.event_type == "model")


def main() -> None:
    args = parse_args(__doc__ or "", reps=5)
    rows = 32 if args.quick else 400
    ideal = rows * LATENCY_S / CONCURRENCY
    with (
        tempfile.TemporaryDirectory() as tmp,
        emulator_process() as honeyhive_url,
        emulator_process(latency_ms=LATENCY_S * 1000) as model_url,
    ):
        stores = open_stores(f"sqlite:///{Path(tmp) / 'sessions.sqlite3'}")
        client = HoneyHiveClient(API_KEY, honeyhive_url, timeout=30)
        endpoint = ModelEndpoint(f"{model_url}/v1", API_KEY, timeout=30)
        outbox = FeedbackOutbox(stores.feedback, CurrentBackend(client, None, session_name="f"), connection_id="b")
        outbox.start()
        backends = {
            OUTBOX: (CurrentBackend(client, endpoint, session_name="b2", events=outbox), lambda: outbox.drain(120)),
            "events in the run, one POST /events each (no outbox)": (
                CurrentBackend(client, endpoint, session_name="b1"),
                lambda: None,
            ),
        }
        for backend, _ in backends.values():
            backend.generate(TASK, INPUTS)  # warm: connections, the HoneyHive session
        direct = openai.OpenAI(base_url=f"{model_url}/v1", api_key=API_KEY, max_retries=0)
        messages = [{"role": "user", "content": "Write a short email about the offsite. Use a calm tone."}]

        def floor() -> float:
            """The harness alone: the same calls with ``openai`` from 16 threads, nothing logged."""
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                start = time.perf_counter()
                list(pool.map(lambda _: direct.chat.completions.create(model="gpt-4o-mini", messages=messages),  # type: ignore[arg-type]
                              range(rows)))  # fmt: skip
                return time.perf_counter() - start

        floor()
        results: dict[str, list[float]] = {name: [] for name in backends}
        results[FLOOR] = []
        groups: list[int] = []
        for _ in range(args.reps):
            results[FLOOR].append(floor())
            for name, (backend, settle) in backends.items():
                sent_before = bulk_requests(honeyhive_url)
                results[name].append(run_batch(stores, backend, rows, settle))
                if name == OUTBOX:
                    groups.append(bulk_requests(honeyhive_url) - sent_before)
        counts = {name: events_of(client, backend) for name, (backend, _) in backends.items()}
        outbox.stop()
        stores.close()
    expected = args.reps * rows + 1
    print_table(
        f"Batch of {rows} rows on the current API, model latency {LATENCY_S * 1000:.0f} ms, concurrency {CONCURRENCY}",
        [("ideal (rows x 0.1 s / 16)", [ideal]), *results.items()],
    )
    for name, count in counts.items():
        print(f"events at HoneyHive, {name}: {count} of {expected}")
    print(f"POST /events/batch requests per batch through the outbox: {groups} ({rows} events each batch)")
    floor_ratio = median(results[FLOOR]) / ideal
    project = median(results[OUTBOX])
    print(f"harness floor / ideal: {floor_ratio:.2f}; project / floor: {project / median(results[FLOOR]):.2f}")
    detail = "; ".join(f"{name}: {median(results[name]) / ideal:.2f}" for name in backends)
    ratio_line(project / ideal, f"<= 1.15 x ideal; {detail}")


if __name__ == "__main__":
    main()
