"""The session log and the feedback outbox on a real SQLite file and on a real PostgreSQL server,
delivering to the emulator over HTTP."""

from __future__ import annotations

import time
import uuid

import pandas as pd
import pytest
import requests
import sqlalchemy as sa

from hive_review.feedback.ratings import Rating
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.log import columns as col
from hive_review.log.entries import LogEntry
from hive_review.log.imports import import_log
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient

TASK = "Sandbox - Email Writer"
CONNECTION = "test-connection"  # the connection the outbox under test sends for


def set_faults(emulator, **faults) -> None:
    requests.put(
        f"{emulator.url}/_emulator/faults",
        json=faults,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=5,
    ).raise_for_status()


def stored_feedback(emulator, generation_id: str) -> dict:
    rows = requests.get(
        f"{emulator.url}/generations",
        params={"task": TASK},
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=5,
    ).json()
    return next(row for row in rows if row["generation_id"] == generation_id)


@pytest.fixture
def store(database_url):
    store = open_stores(database_url)
    yield store
    store.close()


@pytest.fixture
def client(emulator):
    with HoneyHiveClient(emulator.api_key, emulator.url, max_retries=1, timeout=10) as hh:
        yield hh


def logged_entry(client, store, session_id: str, **inputs: str) -> LogEntry:
    inputs = inputs or {"topic": "the roadmap", "tone": "calm"}
    generation = client.generate(TASK, inputs)
    entry = LogEntry(
        generation_id=generation.generation_id,
        session_id=session_id,
        reviewer="qa-1",
        task=TASK,
        prompt_version=generation.version,
        completion=generation.generation,
        model=generation.model or "",
        inputs=inputs,
        latency_ms=generation.latency,
        total_tokens=generation.token_counts().total_tokens,
    )
    store.log.add_entry(entry)
    return entry


def wait_until(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_log_survives_a_restart_with_typed_columns(database_url, client):
    url = database_url
    first = open_stores(url)
    session = first.log.create_session("qa-1")
    entry = logged_entry(client, first, session.id, topic="emoji 🎉 and עברית", tone="warm")
    revision = first.log.revision(session.id)
    first.close()

    second = open_stores(url)
    log = second.log.load_log(session.id)
    assert list(log[col.GENERATION_ID]) == [entry.generation_id]
    assert log[col.TIMESTAMP].dt.tz is not None
    assert log["input.topic"].iloc[0] == "emoji 🎉 and עברית"
    assert str(log[col.RATING].dtype) == "Int64"
    assert log[col.FEEDBACK_STATUS].iloc[0] == "unrated"
    assert second.log.revision(session.id) == revision
    assert [s.id for s in second.log.list_sessions()] == [session.id]


def test_adding_the_same_generation_twice_keeps_one_row(store, client):
    session = store.log.create_session("qa-1")
    entry = logged_entry(client, store, session.id)
    assert store.log.add_entries([entry]) == 0
    assert len(store.log.load_log(session.id)) == 1


def test_a_rating_is_committed_then_delivered_once(store, client, emulator):
    session = store.log.create_session("qa-1")
    entry = logged_entry(client, store, session.id)
    rating = Rating(thumbs="up", stars=4, labels=("concise",), comment="Good", ideal_answer="Better one")
    rating_id = store.feedback.save_rating(entry.generation_id, rating, reviewer="qa-1", connection_id=CONNECTION)

    row = store.log.get_entry(entry.generation_id)
    assert row[col.FEEDBACK_STATUS] == "pending"  # committed before any network call
    assert row[col.RATING] == 4 and row[col.THUMBS] == "up"

    outbox = FeedbackOutbox(store.feedback, client, connection_id=CONNECTION).start()
    try:
        assert outbox.drain(20)
    finally:
        outbox.stop()
    assert store.log.get_entry(entry.generation_id)[col.FEEDBACK_STATUS] == "sent"
    stored = stored_feedback(emulator, entry.generation_id)
    assert stored["feedback"]["accepted"] is True
    assert stored["feedback"]["rating"] == 4
    assert stored["feedback"]["labels"] == ["concise"]
    assert stored["feedback"]["rating_id"] == rating_id
    assert stored["ground_truth"] == "Better one"


def test_an_edit_before_delivery_supersedes_and_an_edit_after_sends_an_update(store, client, emulator):
    session = store.log.create_session("qa-1")
    entry = logged_entry(client, store, session.id)
    store.feedback.save_rating(entry.generation_id, Rating(stars=2), reviewer="qa-1", connection_id=CONNECTION)
    store.feedback.save_rating(
        entry.generation_id, Rating(stars=3, thumbs="down"), reviewer="qa-1", connection_id=CONNECTION
    )
    statuses = [d["status"] for d in store.feedback.deliveries(entry.generation_id)]
    assert statuses == ["superseded", "pending"]

    outbox = FeedbackOutbox(store.feedback, client, connection_id=CONNECTION).start()
    try:
        assert outbox.drain(20)
        assert stored_feedback(emulator, entry.generation_id)["feedback"]["rating"] == 3
        store.feedback.save_rating(entry.generation_id, Rating(stars=5), reviewer="qa-1", connection_id=CONNECTION)
        outbox.wake()
        assert outbox.drain(20)
    finally:
        outbox.stop()
    feedback = stored_feedback(emulator, entry.generation_id)["feedback"]
    assert feedback["rating"] == 5
    assert feedback["accepted"] is None  # the edit cleared the thumbs


def test_a_refused_rating_fails_with_the_reason_and_can_be_retried(store, client, emulator, tmp_path):
    session = store.log.create_session("qa-1")
    entry = LogEntry(
        generation_id=str(uuid.uuid4()), session_id=session.id, reviewer="qa-1", task=TASK,
        prompt_version="1", completion="made elsewhere, unknown to HoneyHive",
    )  # fmt: skip
    store.log.add_entry(entry)
    store.feedback.save_rating(entry.generation_id, Rating(thumbs="down"), reviewer="qa-1", connection_id=CONNECTION)
    outbox = FeedbackOutbox(store.feedback, client, connection_id=CONNECTION).start()
    try:
        assert outbox.drain(20)
        row = store.log.get_entry(entry.generation_id)
        assert row[col.FEEDBACK_STATUS] == "failed"
        assert "404" in row[col.FEEDBACK_ERROR] and "not found" in row[col.FEEDBACK_ERROR]
        assert store.feedback.retry_failed(entry.generation_id) == 1
        assert store.log.get_entry(entry.generation_id)[col.FEEDBACK_STATUS] == "pending"
    finally:
        outbox.stop()


def test_a_transient_failure_stays_pending_with_the_reason_then_is_sent(store, client, emulator):
    session = store.log.create_session("qa-1")
    entry = logged_entry(client, store, session.id)
    set_faults(emulator, error_rate=1.0)
    store.feedback.save_rating(entry.generation_id, Rating(stars=1), reviewer="qa-1", connection_id=CONNECTION)
    outbox = FeedbackOutbox(store.feedback, client, connection_id=CONNECTION, backoff_base=0.2, backoff_cap=0.5).start()
    try:
        wait_until(lambda: store.log.get_entry(entry.generation_id)[col.FEEDBACK_ERROR])
        row = store.log.get_entry(entry.generation_id)
        assert row[col.FEEDBACK_STATUS] == "pending"
        assert "503" in row[col.FEEDBACK_ERROR]
        set_faults(emulator, error_rate=0.0)
        assert outbox.drain(20)
    finally:
        outbox.stop()
    assert store.log.get_entry(entry.generation_id)[col.FEEDBACK_STATUS] == "sent"


def test_an_imported_log_continues_and_undelivered_ratings_are_queued(store, client, emulator, database_factory):
    session = store.log.create_session("qa-1")
    entry = logged_entry(client, store, session.id)
    store.feedback.save_rating(
        entry.generation_id, Rating(stars=4, comment="kept"), reviewer="qa-1", connection_id=CONNECTION
    )
    exported = store.log.load_log(session.id)

    other = open_stores(database_factory())
    try:
        target = other.log.create_session("qa-2")
        assert import_log(other.feedback, exported, target.id, connection_id=CONNECTION) == 1
        assert (
            import_log(other.feedback, exported, target.id, connection_id=CONNECTION) == 0
        )  # already there: left alone
        log = other.log.load_log(target.id)
        assert log[col.RATING].iloc[0] == 4
        assert log[col.FEEDBACK_STATUS].iloc[0] == "pending"
        outbox = FeedbackOutbox(other.feedback, client, connection_id=CONNECTION).start()
        try:
            assert outbox.drain(20)
        finally:
            outbox.stop()
        assert stored_feedback(emulator, entry.generation_id)["feedback"]["comment"] == "kept"
    finally:
        other.close()


def test_load_log_of_an_empty_session_has_every_column(store):
    session = store.log.create_session("qa-1")
    log = store.log.load_log(session.id)
    assert log.empty and list(log.columns) == list(col.LOG_COLUMNS)
    assert isinstance(log, pd.DataFrame)


def test_a_database_from_an_earlier_version_gets_the_new_columns(database_url):
    open_stores(database_url).close()
    engine = sa.create_engine(database_url)
    with engine.begin() as db:  # as an earlier version left it: without the newest column, unmigrated
        db.exec_driver_sql("ALTER TABLE log_entries DROP COLUMN ab_position")
        db.exec_driver_sql("DROP TABLE alembic_version")
    engine.dispose()
    store = open_stores(database_url)
    session = store.log.create_session("qa-1")
    assert col.AB_POSITION in store.log.load_log(session.id).columns


def test_the_revision_of_all_sessions_grows_with_a_write_to_any(store, client):
    first, second = store.log.create_session("qa-1"), store.log.create_session("qa-2")
    before = (store.log.revision(None), store.log.revision(first.id))
    logged_entry(client, store, second.id)
    assert store.log.revision(None) > before[0]  # the "All sessions" view reloads
    assert store.log.revision(first.id) == before[1]  # another session's cache stays valid
