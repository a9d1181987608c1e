"""Exactly once, for real: edits racing deliveries, several connections and several outboxes on one
database, and clearing a value. A real SQLite file and a real PostgreSQL server; deliveries to the
emulator over HTTP."""

from __future__ import annotations

import time

import pytest
from emulator_support import deliveries_at, log_generations, stored

from hive_review.feedback.ratings import Rating
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient


@pytest.fixture
def stores(database_url):
    opened = open_stores(database_url)
    yield opened
    opened.close()


@pytest.fixture
def client(emulator):
    with HoneyHiveClient(emulator.api_key, emulator.url, timeout=10, max_retries=0) as hh:
        yield hh


def send(client: HoneyHiveClient, delivery) -> None:
    client.send_feedback(
        delivery.task, delivery.generation_id, delivery.feedback_json, ground_truth=delivery.ground_truth
    )


# ---- 1. a later rating always wins -----------------------------------------------------------


def test_an_edit_made_while_the_first_rating_is_on_the_wire_wins(stores, client, emulator):
    [generation_id] = log_generations(client, stores, 1)
    queue = stores.feedback
    queue.save_rating(generation_id, Rating(stars=2), reviewer="qa-1", connection_id="c")
    [first] = queue.claim(connection_id="c", owner="outbox-1", limit=10, lease_seconds=30)  # on the wire now

    edit_id = queue.save_rating(generation_id, Rating(stars=5, thumbs="up"), reviewer="qa-1", connection_id="c")
    # While the first delivery is in flight nothing else of this generation may be sent: the edit
    # would otherwise race it and could land first.
    assert queue.claim(connection_id="c", owner="outbox-2", limit=10, lease_seconds=30) == []

    send(client, first)  # the old rating lands…
    assert not queue.mark_retry(first, "a 503 after all", 0.0)  # …and its outcome cannot put it back
    assert [d["status"] for d in queue.deliveries(generation_id)] == ["superseded", "pending"]

    [edit] = queue.claim(connection_id="c", owner="outbox-2", limit=10, lease_seconds=30)
    send(client, edit)
    assert queue.mark_sent(edit)
    feedback = stored(emulator, generation_id)["feedback"]
    assert (feedback["rating"], feedback["accepted"], feedback["rating_id"]) == (5, True, edit_id)
    assert stores.log.get_entry(generation_id)["feedback_status"] == "sent"


def test_an_outcome_is_recorded_only_by_the_owner_of_the_lease(stores, client):
    [generation_id] = log_generations(client, stores, 1)
    queue = stores.feedback
    queue.save_rating(generation_id, Rating(stars=3), reviewer="qa-1", connection_id="c")
    [claimed] = queue.claim(connection_id="c", owner="outbox-1", limit=10, lease_seconds=0.01)
    time.sleep(0.05)  # the lease expires: outbox-1 is taken for dead
    [taken_over] = queue.claim(connection_id="c", owner="outbox-2", limit=10, lease_seconds=30)
    assert taken_over.id == claimed.id
    assert not queue.mark_failed(claimed, "late answer of a dead owner")
    assert queue.mark_sent(taken_over)
    assert [d["status"] for d in queue.deliveries(generation_id)] == ["sent"]


# ---- 2. every rating goes to its own connection ----------------------------------------------


# ---- 3. a second outbox on the database never re-sends what a live one is sending ---------------


def test_a_second_outbox_does_not_take_what_a_live_one_is_sending(stores, client):
    generation_ids = log_generations(client, stores, 3)
    for generation_id in generation_ids:
        stores.feedback.save_rating(generation_id, Rating(stars=4), reviewer="qa-1", connection_id="c")
    live = stores.feedback.claim(connection_id="c", owner="live", limit=10, lease_seconds=30)
    assert len(live) == 3
    assert stores.feedback.renew_leases("live", 30) == 3  # the live outbox keeps its leases
    # A studio process started now on the same database finds nothing to send.
    assert stores.feedback.claim(connection_id="c", owner="new", limit=10, lease_seconds=30) == []


def test_a_started_outbox_sends_what_a_dead_process_left_once_its_lease_expires(stores, client, emulator):
    [generation_id] = log_generations(client, stores, 1)
    stores.feedback.save_rating(generation_id, Rating(stars=4), reviewer="qa-1", connection_id="c")
    stores.feedback.claim(connection_id="c", owner="dead", limit=10, lease_seconds=0.2)  # then the process died
    outbox = FeedbackOutbox(stores.feedback, client, connection_id="c", idle_poll=0.1).start()
    try:
        assert outbox.drain(timeout=20)
    finally:
        outbox.stop()
    assert [d["generation_id"] for d in deliveries_at(emulator)] == [generation_id]


# ---- 4. clearing a value clears it at HoneyHive ----------------------------------------------


def test_clearing_the_ideal_answer_clears_it_at_honeyhive(stores, client, emulator):
    [generation_id] = log_generations(client, stores, 1)
    outbox = FeedbackOutbox(stores.feedback, client, connection_id="c").start()
    try:
        stores.feedback.save_rating(
            generation_id, Rating(stars=3, ideal_answer="Say it in one line."), reviewer="qa-1", connection_id="c"
        )
        outbox.wake()
        assert outbox.drain(timeout=20)
        assert stored(emulator, generation_id)["ground_truth"] == "Say it in one line."
        stores.feedback.save_rating(generation_id, Rating(stars=3), reviewer="qa-1", connection_id="c")
        outbox.wake()
        assert outbox.drain(timeout=20)
    finally:
        outbox.stop()
    assert not stored(emulator, generation_id)["ground_truth"]
