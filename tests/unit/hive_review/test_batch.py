"""Batch runs on their own: the store's items, the runner's cancel and resume, the rule for what may
be run again, and the recorder that writes results. A real SQLite file and a real PostgreSQL server;
the emulator over HTTP."""

from __future__ import annotations

import time

import requests

from hive_review.runs.batch import BatchRunner
from hive_review.runs.batch_store import DONE, FAILED, QUEUED, RUNNING
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient

TASK = "Sandbox - Email Writer"
ROWS = [{"topic": f"topic {n}", "tone": "calm"} for n in range(12)]


def set_faults(emulator, **faults) -> None:
    requests.put(
        f"{emulator.url}/_emulator/faults",
        json=faults,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=10,
    ).raise_for_status()


def generations_at(emulator) -> int:
    rows = requests.get(
        f"{emulator.url}/generations",
        params={"task": TASK},
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=10,
    ).json()
    return len(rows)


def make_runner(emulator, database_url, **options):
    stores = open_stores(database_url)
    session = stores.log.create_session("qa-batch")
    batch = stores.batches.create_batch(session_id=session.id, task=TASK, rows=ROWS, variants=[], concurrency=4)
    client = HoneyHiveClient(emulator.api_key, emulator.url, timeout=10, max_retries=0)
    runner = BatchRunner(client, stores.log, stores.batches, batch.id, reviewer="qa-batch", source="batch", **options)
    return stores, batch, runner


def test_a_batch_runs_every_item_once_and_logs_each_result(emulator, database_url):
    stores, batch, runner = make_runner(emulator, database_url)
    runner.start()
    assert runner.wait(60)
    assert stores.batches.progress(batch.id)[DONE] == len(ROWS)
    items = stores.batches.items(batch.id)
    log = stores.log.load_log()
    # The recorder wrote every log row with its item's "done", and nothing twice.
    assert sorted(log["generation_id"]) == sorted(item.generation_id for item in items)
    assert set(log["batch_id"]) == {batch.id} and set(log["origin"]) == {"batch"}
    assert generations_at(emulator) == len(ROWS)


def test_cancel_leaves_the_rest_queued_and_resume_finishes_exactly_the_rest(emulator, database_url):
    set_faults(emulator, latency_ms=150)
    stores, batch, runner = make_runner(emulator, database_url)
    runner.start()
    while stores.batches.progress(batch.id)[DONE] < 2:  # wait for the state: two results in
        assert runner.running
        time.sleep(0.02)
    runner.cancel()
    assert runner.wait(60)
    stopped = stores.batches.progress(batch.id)
    assert 0 < stopped[DONE] < len(ROWS) and stopped[QUEUED] == len(ROWS) - stopped[DONE]
    set_faults(emulator, latency_ms=0)

    # A new runner (as after a restart) on the same batch runs only what is left.
    resumed = BatchRunner(
        HoneyHiveClient(emulator.api_key, emulator.url, timeout=10, max_retries=0),
        stores.log, stores.batches, batch.id, reviewer="qa-batch", source="batch",
    )  # fmt: skip
    resumed.start()
    assert resumed.wait(60)
    assert stores.batches.progress(batch.id)[DONE] == len(ROWS)
    assert generations_at(emulator) == len(ROWS)  # nothing was generated twice
    assert len(stores.log.load_log()) == len(ROWS)


def test_items_left_running_by_a_dead_process_are_queued_again(emulator, database_url):
    stores, batch, _ = make_runner(emulator, database_url)
    [first, *_] = stores.batches.items(batch.id)
    stores.batches.mark(first.id, RUNNING, attempts=1)  # as a killed process left it
    assert stores.batches.reset_interrupted(batch.id) == 1
    assert stores.batches.items(batch.id, [QUEUED])[0].id == first.id


def test_refusals_that_did_nothing_are_retried_and_others_fail_the_item(emulator, database_url):
    # Every answer is a 503: HoneyHive did nothing, so the runner may try again, up to its limit.
    set_faults(emulator, error_rate=1.0)
    stores, batch, runner = make_runner(emulator, database_url, max_attempts=3, base_delay=0.01, max_delay=0.02)
    runner.start()
    assert runner.wait(60)
    items = stores.batches.items(batch.id)
    assert {item.status for item in items} == {FAILED}
    assert {item.attempts for item in items} == {3}
    assert all("503" in (item.error or "") for item in items)

    # A failed batch is retried on request, and then runs through.
    set_faults(emulator, error_rate=0.0)
    assert stores.batches.requeue_failed(batch.id) == len(ROWS)
    runner.start()
    assert runner.wait(60)
    assert stores.batches.progress(batch.id)[DONE] == len(ROWS)


def test_a_refusal_that_may_have_done_something_is_not_retried(emulator, database_url):
    stores = open_stores(database_url)
    session = stores.log.create_session("qa-batch")
    batch = stores.batches.create_batch(session_id=session.id, task=TASK, rows=ROWS[:2], variants=["no such variant"])
    client = HoneyHiveClient(emulator.api_key, emulator.url, timeout=10, max_retries=0)
    runner = BatchRunner(client, stores.log, stores.batches, batch.id, reviewer="qa-batch", source="batch")
    runner.start()
    assert runner.wait(60)
    items = stores.batches.items(batch.id)
    assert {(item.status, item.attempts) for item in items} == {(FAILED, 1)}  # refused for good: one try
