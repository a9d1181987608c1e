"""The current API's events go through the outbox: a run returns before ``POST /events``; the event
arrives exactly once even when the POST fails for a while; feedback of a generation waits for its
event. Real emulator over HTTP (HoneyHive and the model endpoint), SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from hive_review.backends import CurrentBackend, ModelEndpoint
from hive_review.feedback.queue import EVENT_KIND
from hive_review.feedback.ratings import Rating
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.log.entries import RunContext, entry_from_generation
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient, NotFoundError

TASK = "Sandbox - Email Writer"
INPUTS = {"topic": "the offsite", "tone": "calm"}


@pytest.fixture
def stores(database_url):
    opened = open_stores(database_url)
    yield opened
    opened.close()


def set_faults(emulator, **faults) -> None:
    requests.put(
        f"{emulator.url}/_emulator/faults",
        json=faults,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=10,
    ).raise_for_status()


class RecordingSender:
    """The outbox's sender (a ``CurrentBackend`` without a model), recording what it sent, in order."""

    def __init__(self, backend: CurrentBackend, fail_events: int = 0) -> None:
        self.backend = backend
        self.fail_events = fail_events
        self.calls: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def deliver_event(self, event) -> None:
        with self._lock:
            failing = self.fail_events > 0
            self.fail_events -= 1
        if failing:  # as a 503 from HoneyHive: nothing was stored, the outbox tries again
            from honeyhive_api.errors import ServerError

            raise ServerError("injected 503", status_code=503)
        self.backend.deliver_event(event)
        self.calls.append(("event", event["event_id"]))

    def send_feedback(self, task, generation_id, feedback, *, ground_truth=None):
        self.calls.append(("feedback", generation_id))
        return self.backend.send_feedback(task, generation_id, feedback, ground_truth=ground_truth)


def run_once(backend: CurrentBackend, stores, session_id: str) -> str:
    stream = backend.generate_stream(TASK, INPUTS, user_properties={"user_id": "qa-1"})
    text = "".join(stream)
    assert text and stream.generation is not None
    context = RunContext(session_id=session_id, reviewer="qa-1", task=TASK, origin="playground", source="test")
    stores.log.add_entry(entry_from_generation(stream.generation, context, inputs=INPUTS))
    return stream.generation.generation_id


def make(emulator, stores, fail_events: int = 0, model_server=None):
    client = HoneyHiveClient(emulator.api_key, emulator.url, timeout=10, max_retries=0)
    sender = RecordingSender(CurrentBackend(client, None, session_name="feedback"), fail_events)
    # Enough attempts that a run of 503s never exhausts them here (it would mark the event failed).
    outbox = FeedbackOutbox(stores.feedback, sender, connection_id="c", backoff_base=0.01, backoff_cap=0.05,
                            max_attempts=1_000)  # fmt: skip
    model_server = model_server or emulator
    endpoint = ModelEndpoint(f"{model_server.url}/v1", model_server.api_key, timeout=10)
    backend = CurrentBackend(client, endpoint, session_name="review", events=outbox)
    return client, sender, outbox, backend


def test_a_run_returns_before_its_event_is_sent_and_the_event_is_then_sent_once(emulator, stores):
    client, sender, outbox, backend = make(emulator, stores)
    session = stores.log.create_session("qa-1")
    event_id = run_once(backend, stores, session.id)  # the outbox is not running: nothing sent yet
    assert [d["kind"] for d in stores.feedback.deliveries(event_id)] == [EVENT_KIND]
    with pytest.raises(NotFoundError):
        client.get_event(event_id)
    assert stores.log.get_entry(event_id)["feedback_status"] == "unrated"  # an event is not feedback

    outbox.start()
    try:
        assert outbox.drain(30)
    finally:
        outbox.stop()
    event = client.get_event(event_id)
    assert event.session_id == backend.session_id and event.outputs["content"]
    assert sender.calls == [("event", event_id)]
    assert stores.log.get_entry(event_id)["feedback_status"] == "unrated"


def test_the_event_arrives_exactly_once_when_post_events_fails_for_a_while(emulator_factory, stores):
    honeyhive, model_server = emulator_factory(), emulator_factory()
    client, _, outbox, backend = make(honeyhive, stores, model_server=model_server)
    session = stores.log.create_session("qa-1")
    ids = [run_once(backend, stores, session.id)]  # starts the session and fetches the configurations
    set_faults(honeyhive, error_rate=0.6, fault_seed=7)  # then HoneyHive answers 503 to most requests
    outbox.start()
    try:
        ids += [run_once(backend, stores, session.id) for _ in range(4)]  # the runs do not wait for it
        assert len(set(ids)) == 5
        time.sleep(0.3)
        set_faults(honeyhive, error_rate=0.0)
        assert outbox.drain(30)
    finally:
        outbox.stop()
    filters = [{"field": "session_id", "operator": "is", "value": backend.session_id, "type": "string"}]
    events = [e.event_id for e in client.export_events(filters) if e.event_type == "model"]
    assert sorted(events) == sorted(ids)  # each once: none lost, none doubled
    deliveries = [d for i in ids for d in stores.feedback.deliveries(i)]
    assert {d["status"] for d in deliveries} == {"sent"}
    assert max(d["attempts"] for d in deliveries) > 1  # the faults were met, and outlived


def test_feedback_waits_for_its_generations_event(emulator, stores):
    _, sender, outbox, backend = make(emulator, stores, fail_events=3)
    session = stores.log.create_session("qa-1")
    event_id = run_once(backend, stores, session.id)
    # Rated before the event is at HoneyHive (and its first three POSTs will fail).
    stores.feedback.save_rating(event_id, Rating(stars=5, thumbs="up"), reviewer="qa-1", connection_id="c")
    assert [d.kind for d in stores.feedback.claim(connection_id="c", owner="probe", limit=10, lease_seconds=0.01)] == [
        EVENT_KIND
    ]  # only the event is due: the rating waits for it
    time.sleep(0.05)  # the probe's lease runs out
    outbox.start()
    try:
        assert outbox.drain(30)
    finally:
        outbox.stop()
    assert sender.calls == [("event", event_id), ("feedback", event_id)]
    assert backend.client.get_event(event_id).feedback["rating"] == 5
    assert stores.log.get_entry(event_id)["feedback_status"] == "sent"


def test_without_an_outbox_the_event_is_sent_before_the_run_returns(emulator, stores):
    client = HoneyHiveClient(emulator.api_key, emulator.url, timeout=10)
    backend = CurrentBackend(client, ModelEndpoint(f"{emulator.url}/v1", emulator.api_key), session_name="r")
    generation = backend.generate(TASK, INPUTS)
    assert client.get_event(generation.generation_id).event_type == "model"


def test_runs_ask_for_the_configurations_once_in_a_while_not_once_per_run(emulator, stores):
    client = HoneyHiveClient(emulator.api_key, emulator.url, timeout=10)
    calls = []
    original = client.list_configurations

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    client.list_configurations = counting  # type: ignore[method-assign]
    backend = CurrentBackend(client, ModelEndpoint(f"{emulator.url}/v1", emulator.api_key), session_name="r")
    copy = backend.with_options(max_retries=0)  # as a batch does: it shares the backend's cache
    for run in (backend, copy, backend):
        run.generate(TASK, INPUTS)
    assert len(calls) == 1
    backend.list_prompts(TASK)  # the pickers fetch anew, and runs then use what they fetched
    copy.generate(TASK, INPUTS)
    assert len(calls) == 2
