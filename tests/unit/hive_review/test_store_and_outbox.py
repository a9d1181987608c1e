"""The session log and the feedback outbox on a real SQLite file, delivering to the emulator over HTTP."""

from __future__ import annotations

import time
import uuid

import pandas as pd
import pytest
import requests

from hive_review import columns as col
from hive_review.outbox import FeedbackOutbox
from hive_review.ratings import Rating
from hive_review.store import LogEntry, SessionStore
from honeyhive_api import HoneyHiveClient

TASK = "Sandbox - Email Writer"


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
def store(tmp_path):
    store = SessionStore(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
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
    store.add_entry(entry)
    return entry


def wait_until(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_log_survives_a_restart_with_typed_columns(tmp_path, client):
    url = f"sqlite:///{tmp_path / 'kept.sqlite3'}"
    first = SessionStore(url)
    session = first.create_session("qa-1")
    entry = logged_entry(client, first, session.id, topic="emoji 🎉 and עברית", tone="warm")
    revision = first.revision(session.id)
    first.close()

    second = SessionStore(url)
    log = second.load_log(session.id)
    assert list(log[col.GENERATION_ID]) == [entry.generation_id]
    assert log[col.TIMESTAMP].dt.tz is not None
    assert log["input.topic"].iloc[0] == "emoji 🎉 and עברית"
    assert str(log[col.RATING].dtype) == "Int64"
    assert log[col.FEEDBACK_STATUS].iloc[0] == "unrated"
    assert second.revision(session.id) == revision
    assert [s.id for s in second.list_sessions()] == [session.id]


def test_adding_the_same_generation_twice_keeps_one_row(store, client):
    session = store.create_session("qa-1")
    entry = logged_entry(client, store, session.id)
    assert store.add_entries([entry]) == 0
    assert len(store.load_log(session.id)) == 1


def test_a_rating_is_committed_then_delivered_once(store, client, emulator):
    session = store.create_session("qa-1")
    entry = logged_entry(client, store, session.id)
    rating = Rating(thumbs="up", stars=4, labels=("concise",), comment="Good", ideal_answer="Better one")
    rating_id = store.save_rating(entry.generation_id, rating, reviewer="qa-1")

    row = store.get_entry(entry.generation_id)
    assert row[col.FEEDBACK_STATUS] == "pending"  # committed before any network call
    assert row[col.RATING] == 4 and row[col.THUMBS] == "up"

    outbox = FeedbackOutbox(store, client).start()
    try:
        assert outbox.drain(20)
    finally:
        outbox.stop()
    assert store.get_entry(entry.generation_id)[col.FEEDBACK_STATUS] == "sent"
    stored = stored_feedback(emulator, entry.generation_id)
    assert stored["feedback"]["accepted"] is True
    assert stored["feedback"]["rating"] == 4
    assert stored["feedback"]["labels"] == ["concise"]
    assert stored["feedback"]["rating_id"] == rating_id
    assert stored["ground_truth"] == "Better one"


def test_an_edit_before_delivery_supersedes_and_an_edit_after_sends_an_update(store, client, emulator):
    session = store.create_session("qa-1")
    entry = logged_entry(client, store, session.id)
    store.save_rating(entry.generation_id, Rating(stars=2), reviewer="qa-1")
    store.save_rating(entry.generation_id, Rating(stars=3, thumbs="down"), reviewer="qa-1")
    statuses = [d["status"] for d in store.deliveries(entry.generation_id)]
    assert statuses == ["superseded", "pending"]

    outbox = FeedbackOutbox(store, client).start()
    try:
        assert outbox.drain(20)
        assert stored_feedback(emulator, entry.generation_id)["feedback"]["rating"] == 3
        store.save_rating(entry.generation_id, Rating(stars=5), reviewer="qa-1")
        outbox.wake()
        assert outbox.drain(20)
    finally:
        outbox.stop()
    feedback = stored_feedback(emulator, entry.generation_id)["feedback"]
    assert feedback["rating"] == 5
    assert feedback["accepted"] is None  # the edit cleared the thumbs


def test_a_refused_rating_fails_with_the_reason_and_can_be_retried(store, client, emulator, tmp_path):
    session = store.create_session("qa-1")
    entry = LogEntry(
        generation_id=str(uuid.uuid4()), session_id=session.id, reviewer="qa-1", task=TASK,
        prompt_version="1", completion="made elsewhere, unknown to HoneyHive",
    )  # fmt: skip
    store.add_entry(entry)
    store.save_rating(entry.generation_id, Rating(thumbs="down"), reviewer="qa-1")
    outbox = FeedbackOutbox(store, client).start()
    try:
        assert outbox.drain(20)
        row = store.get_entry(entry.generation_id)
        assert row[col.FEEDBACK_STATUS] == "failed"
        assert "404" in row[col.FEEDBACK_ERROR] and "not found" in row[col.FEEDBACK_ERROR]
        assert store.retry_failed(entry.generation_id) == 1
        assert store.get_entry(entry.generation_id)[col.FEEDBACK_STATUS] == "pending"
    finally:
        outbox.stop()


def test_a_transient_failure_stays_pending_with_the_reason_then_is_sent(store, client, emulator):
    session = store.create_session("qa-1")
    entry = logged_entry(client, store, session.id)
    set_faults(emulator, error_rate=1.0)
    store.save_rating(entry.generation_id, Rating(stars=1), reviewer="qa-1")
    outbox = FeedbackOutbox(store, client, backoff_base=0.2, backoff_cap=0.5).start()
    try:
        wait_until(lambda: store.get_entry(entry.generation_id)[col.FEEDBACK_ERROR])
        row = store.get_entry(entry.generation_id)
        assert row[col.FEEDBACK_STATUS] == "pending"
        assert "503" in row[col.FEEDBACK_ERROR]
        set_faults(emulator, error_rate=0.0)
        assert outbox.drain(20)
    finally:
        outbox.stop()
    assert store.get_entry(entry.generation_id)[col.FEEDBACK_STATUS] == "sent"


def test_an_imported_log_continues_and_undelivered_ratings_are_queued(store, client, emulator):
    session = store.create_session("qa-1")
    entry = logged_entry(client, store, session.id)
    store.save_rating(entry.generation_id, Rating(stars=4, comment="kept"), reviewer="qa-1")
    exported = store.load_log(session.id)

    other = SessionStore(f"sqlite:///{store.engine.url.database}-copy")
    try:
        target = other.create_session("qa-2")
        assert other.import_log(exported, target.id) == 1
        assert other.import_log(exported, target.id) == 0  # already there: left alone
        log = other.load_log(target.id)
        assert log[col.RATING].iloc[0] == 4
        assert log[col.FEEDBACK_STATUS].iloc[0] == "pending"
        outbox = FeedbackOutbox(other, client).start()
        try:
            assert outbox.drain(20)
        finally:
            outbox.stop()
        assert stored_feedback(emulator, entry.generation_id)["feedback"]["comment"] == "kept"
    finally:
        other.close()


def test_load_log_of_an_empty_session_has_every_column(store):
    session = store.create_session("qa-1")
    log = store.load_log(session.id)
    assert log.empty and list(log.columns) == list(col.LOG_COLUMNS)
    assert isinstance(log, pd.DataFrame)


def test_a_database_from_an_earlier_version_gets_the_new_columns(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    SessionStore(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as db:  # as an earlier version left it: without the newest column
        db.execute("ALTER TABLE log_entries DROP COLUMN ab_position")
    store = SessionStore(f"sqlite:///{path}")
    session = store.create_session("qa-1")
    assert col.AB_POSITION in store.load_log(session.id).columns


def test_the_revision_of_all_sessions_grows_with_a_write_to_any(store, client):
    first, second = store.create_session("qa-1"), store.create_session("qa-2")
    before = (store.revision(None), store.revision(first.id))
    logged_entry(client, store, second.id)
    assert store.revision(None) > before[0]  # the "All sessions" view reloads
    assert store.revision(first.id) == before[1]  # another session's cache stays valid
