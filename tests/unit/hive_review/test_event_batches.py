"""A batch on the current API logs its runs' events through the durable outbox in bulk: committed with
the log rows, sent in groups (``POST /events/batch``), exactly once through faults and lost answers;
feedback given right after a run lands after its event exists. Real emulators over HTTP (HoneyHive,
and a second one as the model endpoint), the studio's database on SQLite and PostgreSQL."""

from __future__ import annotations

import math
import threading

import pytest
import requests

from hive_review.backends import CurrentBackend, ModelEndpoint
from hive_review.feedback.queue import EVENT_KIND
from hive_review.feedback.ratings import Rating
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.log.entries import RunContext, entry_from_generation
from hive_review.runs.batch import BatchRunner
from hive_review.runs.batch_store import DONE
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient
from honeyhive_api.errors import APITimeoutError

TASK = "Sandbox - Email Writer"
INPUTS = {"topic": "the offsite", "tone": "calm"}


@pytest.fixture
def stores(database_url):
    opened = open_stores(database_url)
    yield opened
    opened.close()


def admin(emulator, method: str, path: str, **kwargs) -> requests.Response:
    response = requests.request(
        method, f"{emulator.url}{path}", headers={"Authorization": f"Bearer {emulator.api_key}"}, timeout=10, **kwargs
    )
    response.raise_for_status()
    return response


def received(emulator, method: str, path: str) -> tuple[int, int]:
    """(received, refused by a fault) of one route, from the emulator's request log."""
    for row in admin(emulator, "GET", "/_emulator/requests").json()["requests"]:
        if (row["method"], row["path"]) == (method, path):
            return row["received"], row["refused"]
    return 0, 0


def model_events(client: HoneyHiveClient, session_id: str | None) -> list[str]:
    filters = [{"field": "session_id", "operator": "is", "value": session_id, "type": "string"}]
    return [event.event_id for event in client.export_events(filters) if event.event_type == "model"]


class LosingFirstAnswer:
    """The outbox's sender, whose first ``POST /events/batch`` reaches HoneyHive but whose answer is
    lost (a timeout after sending): the outbox must send the group again, and HoneyHive keep one of each."""

    def __init__(self, backend: CurrentBackend) -> None:
        self.backend = backend
        self.groups: list[int] = []
        self._lock = threading.Lock()

    def deliver_events(self, events) -> None:
        self.backend.deliver_events(events)
        with self._lock:
            self.groups.append(len(events))
            first = len(self.groups) == 1
        if first:
            raise APITimeoutError("POST /events/batch: no answer within 10 s", request_sent=True)

    def deliver_event(self, event) -> None:
        self.backend.deliver_event(event)

    def send_feedback(self, task, generation_id, feedback, *, ground_truth=None):
        return self.backend.send_feedback(task, generation_id, feedback, ground_truth=ground_truth)


def setup(honeyhive, model_server, stores, *, sender=None, **outbox_options):
    client = HoneyHiveClient(honeyhive.api_key, honeyhive.url, timeout=10, max_retries=0)
    feedback_backend = CurrentBackend(client, None, session_name="feedback")
    options = {"backoff_base": 0.01, "backoff_cap": 0.05, "max_attempts": 1_000, **outbox_options}
    outbox = FeedbackOutbox(stores.feedback, sender or feedback_backend, connection_id="c", **options)
    endpoint = ModelEndpoint(f"{model_server.url}/v1", model_server.api_key, timeout=10)
    backend = CurrentBackend(client, endpoint, session_name="review", events=outbox)
    return client, outbox, backend


def run_batch(stores, backend: CurrentBackend, rows: int, concurrency: int = 4):
    session = stores.log.create_session("qa-batch")
    batch = stores.batches.create_batch(
        session_id=session.id,
        task=TASK,
        rows=[{"topic": f"topic {n}", "tone": "calm"} for n in range(rows)],
        variants=[],
        concurrency=concurrency,
    )
    runner = BatchRunner(backend.with_options(max_retries=0), stores.log, stores.batches, batch.id,
                         reviewer="qa-batch", source="batch")  # fmt: skip
    runner.start()
    assert runner.wait(120)
    assert stores.batches.progress(batch.id)[DONE] == rows
    return batch


def test_a_batch_of_n_runs_is_n_events_in_at_most_ceil_n_over_batch_size_bulk_requests(emulator_factory, stores):
    honeyhive, model_server = emulator_factory(), emulator_factory()
    # A long linger: groups go out when full, and the last one when the batch ends (its flush).
    client, outbox, backend = setup(honeyhive, model_server, stores, event_batch_size=20, event_linger=60.0)
    outbox.start()
    try:
        batch = run_batch(stores, backend, rows=50)
        assert outbox.drain(60)
    finally:
        outbox.stop()
    ids = [item.generation_id for item in stores.batches.items(batch.id)]
    assert sorted(model_events(client, backend.session_id)) == sorted(ids)  # each once
    bulk, _ = received(honeyhive, "POST", "/events/batch")
    assert 1 <= bulk <= math.ceil(50 / 20)
    assert received(honeyhive, "POST", "/events") == (0, 0)  # none sent one by one
    assert outbox.events.requests == bulk
    deliveries = [d for i in ids for d in stores.feedback.deliveries(i)]
    assert [d["kind"] for d in deliveries] == [EVENT_KIND] * 50 and {d["status"] for d in deliveries} == {"sent"}
    assert {stores.log.get_entry(i)["feedback_status"] for i in ids} == {"unrated"}  # an event is not feedback


def test_the_runs_events_are_committed_with_their_log_rows_and_sent_only_by_the_outbox(emulator_factory, stores):
    honeyhive, model_server = emulator_factory(), emulator_factory()
    client, outbox, backend = setup(honeyhive, model_server, stores)
    batch = run_batch(stores, backend, rows=6)  # the outbox is not running
    ids = [item.generation_id for item in stores.batches.items(batch.id)]
    assert {d["kind"] for i in ids for d in stores.feedback.deliveries(i)} == {EVENT_KIND}
    assert model_events(client, backend.session_id) == []  # the runs did not send them
    assert received(honeyhive, "POST", "/events") == (0, 0)
    outbox.start()
    try:
        assert outbox.drain(30)
    finally:
        outbox.stop()
    assert sorted(model_events(client, backend.session_id)) == sorted(ids)
    assert received(honeyhive, "POST", "/events/batch") == (1, 0)  # all six, one request


def test_events_arrive_exactly_once_through_503s_and_a_lost_answer(emulator_factory, stores):
    honeyhive, model_server = emulator_factory(), emulator_factory()
    client = HoneyHiveClient(honeyhive.api_key, honeyhive.url, timeout=10, max_retries=0)
    sender = LosingFirstAnswer(CurrentBackend(client, None, session_name="feedback"))
    client, outbox, backend = setup(honeyhive, model_server, stores, sender=sender, event_batch_size=8,
                                    event_linger=0.05)  # fmt: skip
    backend.generate(TASK, INPUTS)  # the HoneyHive session and the configurations, before the faults
    admin(honeyhive, "PUT", "/_emulator/faults", json={"error_rate": 0.6, "fault_seed": 11})
    outbox.start()
    try:
        batch = run_batch(stores, backend, rows=40)  # HoneyHive refuses most event posts meanwhile
        assert outbox.drain(60)
    finally:
        outbox.stop()
        admin(honeyhive, "PUT", "/_emulator/faults", json={"error_rate": 0.0})
    ids = [item.generation_id for item in stores.batches.items(batch.id)]
    events = model_events(client, backend.session_id)
    assert len(events) == len(set(events)) == 41  # none doubled (the batch's 40 and the first run)
    assert set(ids) <= set(events)  # none lost
    bulk, refused = received(honeyhive, "POST", "/events/batch")
    assert refused > 0 and bulk > refused  # the faults were met, and outlived
    assert len(sender.groups) >= 2  # the first group that got through lost its answer, and was sent again
    deliveries = [d for i in ids for d in stores.feedback.deliveries(i)]
    assert {d["status"] for d in deliveries} == {"sent"} and max(d["attempts"] for d in deliveries) > 1


def test_a_group_too_large_for_honeyhive_is_sent_event_by_event(emulator_factory, stores):
    honeyhive, model_server = emulator_factory(max_body_bytes=6_000), emulator_factory()
    client, outbox, backend = setup(honeyhive, model_server, stores, event_batch_size=50, event_linger=60.0)
    batch = run_batch(stores, backend, rows=8)  # eight events: more than 6 kB together, each well below
    outbox.start()
    try:
        assert outbox.drain(30)
    finally:
        outbox.stop()
    ids = [item.generation_id for item in stores.batches.items(batch.id)]
    assert sorted(model_events(client, backend.session_id)) == sorted(ids)
    assert received(honeyhive, "POST", "/events/batch")[0] == 1  # refused (413) as a whole, once
    assert received(honeyhive, "POST", "/events")[0] == 8
    assert {d["status"] for i in ids for d in stores.feedback.deliveries(i)} == {"sent"}


def test_a_rating_right_after_a_run_lands_after_its_event(emulator_factory, stores):
    honeyhive, model_server = emulator_factory(), emulator_factory()
    client, outbox, backend = setup(honeyhive, model_server, stores)  # the studio's linger and group size
    session = stores.log.create_session("qa-1")
    outbox.start()
    try:
        stream = backend.generate_stream(TASK, INPUTS, user_properties={"user_id": "qa-1"})
        assert "".join(stream) and stream.generation is not None
        context = RunContext(session_id=session.id, reviewer="qa-1", task=TASK, origin="playground", source="t")
        stores.log.add_entry(entry_from_generation(stream.generation, context, inputs=INPUTS))
        event_id = stream.generation.generation_id
        # Rated at once, while the event is still in the outbox (sent within SOON, with company).
        stores.feedback.save_rating(event_id, Rating(stars=4, thumbs="up"), reviewer="qa-1", connection_id="c")
        outbox.wake()
        assert outbox.wait_for(event_id, 30) == "sent"
    finally:
        outbox.stop()
    assert client.get_event(event_id).feedback["rating"] == 4
    event_item, rating_item = stores.feedback.deliveries(event_id)
    assert (event_item["kind"], rating_item["kind"]) == (EVENT_KIND, "rating")
    assert event_item["sent_at"] <= rating_item["sent_at"] and rating_item["attempts"] == 1  # no 404 first
    assert received(honeyhive, "POST", "/events/batch") == (1, 0)


def test_ratings_of_a_batch_row_given_before_its_event_is_sent_land_after_it(emulator_factory, stores):
    honeyhive, model_server = emulator_factory(), emulator_factory()
    client, outbox, backend = setup(honeyhive, model_server, stores, event_batch_size=4, event_linger=0.05)
    batch = run_batch(stores, backend, rows=10)  # the outbox is not running: no event sent yet
    ids = [item.generation_id for item in stores.batches.items(batch.id)]
    for stars, generation_id in enumerate(ids[:5], start=1):
        stores.feedback.save_rating(generation_id, Rating(stars=stars), reviewer="qa-1", connection_id="c")
    outbox.start()
    try:
        assert outbox.drain(30)
    finally:
        outbox.stop()
    for stars, generation_id in enumerate(ids[:5], start=1):
        assert client.get_event(generation_id).feedback["rating"] == stars
        event_item, rating_item = stores.feedback.deliveries(generation_id)
        assert event_item["kind"] == EVENT_KIND and event_item["sent_at"] <= rating_item["sent_at"]
        assert rating_item["attempts"] == 1 and stores.log.get_entry(generation_id)["feedback_status"] == "sent"
    assert sorted(model_events(client, backend.session_id)) == sorted(ids)
