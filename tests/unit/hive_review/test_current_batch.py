"""A batch in the current mode: ``BatchRunner`` with ``CurrentBackend`` as its client (the pattern of
``test_batch.py``), over real HTTP to the emulator and a real SQLite file."""

from __future__ import annotations

import requests

from hive_review.backends import CurrentBackend, ModelEndpoint
from hive_review.runs.batch import BatchRunner
from hive_review.runs.batch_store import DONE, FAILED
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


def make_runner(honeyhive, model_server, tmp_path, **options):
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    session = stores.log.create_session("qa-batch")
    batch = stores.batches.create_batch(session_id=session.id, task=TASK, rows=ROWS, variants=[], concurrency=4)
    backend = CurrentBackend(
        HoneyHiveClient(honeyhive.api_key, honeyhive.url, timeout=10),
        ModelEndpoint(f"{model_server.url}/v1", model_server.api_key, timeout=10),
        session_name="qa-batch",
    )
    client = backend.with_options(max_retries=0)  # as ui/batch.py does: the runner retries itself
    runner = BatchRunner(client, stores.log, stores.batches, batch.id, reviewer="qa-batch", source="batch", **options)
    return stores, batch, backend, runner


def test_a_batch_runs_every_item_once_into_one_session(emulator, tmp_path):
    stores, batch, backend, runner = make_runner(emulator, emulator, tmp_path)
    runner.start()
    assert runner.wait(60)
    assert stores.batches.progress(batch.id)[DONE] == len(ROWS)
    items = stores.batches.items(batch.id)
    log = stores.log.load_log()
    assert sorted(log["generation_id"]) == sorted(item.generation_id for item in items)
    assert set(log["model"]) == {"offline-echo"} and set(log["prompt_name"]) == {"email-writer-v1"}

    filters = [{"field": "session_id", "operator": "is", "value": backend.session_id, "type": "string"}]
    events = [e for e in backend.client.export_events(filters) if e.event_type == "model"]
    assert sorted(e.event_id for e in events) == sorted(log["generation_id"])  # one event per item, no more
    assert {e.source for e in events} == {"batch"} and {e.user_properties["user_id"] for e in events} == {"qa-batch"}


def test_a_busy_model_endpoint_is_retried_by_the_runner_then_fails_the_items(emulator_factory, tmp_path):
    honeyhive, model_server = emulator_factory(), emulator_factory()
    set_faults(model_server, error_rate=1.0)  # the model refuses (503): nothing ran, so it may be retried
    stores, batch, _, runner = make_runner(
        honeyhive, model_server, tmp_path, max_attempts=3, base_delay=0.01, max_delay=0.02
    )
    runner.start()
    assert runner.wait(60)
    items = stores.batches.items(batch.id)
    assert {(item.status, item.attempts) for item in items} == {(FAILED, 3)}
    assert all("503" in (item.error or "") and "model endpoint" in (item.error or "") for item in items)
