"""The log the pages read (``LogStore.cached_log``) loads only what changed and is always what a whole
load gives: after new rows, ratings, votes and delivery states, with writers racing the reader, on
SQLite and PostgreSQL. And the Arrow-built frame is the frame the general path builds."""

from __future__ import annotations

import json
import random
import threading
import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from hive_review.feedback.ratings import Rating
from hive_review.log import columns as col
from hive_review.log import store as log_store
from hive_review.log.arrow_frames import python_log_frame
from hive_review.log.entries import LogEntry
from hive_review.log.schema import log_entries
from hive_review.stores import open_stores


@pytest.fixture
def stores(database_url):
    opened = open_stores(database_url)
    yield opened
    opened.close()


def entries(session_id: str, count: int, start: int = 0, inputs: dict | None = None) -> list[LogEntry]:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    return [
        LogEntry(
            generation_id=f"g-{session_id[:6]}-{i:05d}",
            session_id=session_id,
            reviewer="qa-1",
            task="Email",
            prompt_version=str(1 + i % 2),
            completion=f"completion {i} ✉",
            timestamp=base + timedelta(seconds=i, microseconds=i),
            inputs=inputs if inputs is not None else {"topic": f"t{i % 7}", "tone": "calm"},
            latency_ms=10.5 + i,
            prompt_tokens=i,
        )
        for i in range(start, start + count)
    ]


def assert_current(stores, session_id) -> pd.DataFrame:
    cached = stores.log.cached_log(session_id)
    pd.testing.assert_frame_equal(cached, stores.log.load_log(session_id))
    return cached


def test_the_cached_log_takes_new_rows_ratings_and_delivery_states_as_a_whole_load_would(stores):
    session = stores.log.create_session("qa-1")
    stores.log.add_entries(entries(session.id, 50))
    first = assert_current(stores, session.id)
    assert stores.log.cached_log(session.id) is first  # nothing changed: the same frame, no read

    rating = Rating(stars=4, thumbs="up", comment="ok", labels=("tone",), ideal_answer="better")
    stores.feedback.save_rating(f"g-{session.id[:6]}-00007", rating, reviewer="qa-2", connection_id="c")
    second = assert_current(stores, session.id)
    assert second.loc[7, col.RATING] == 4 and second.loc[7, col.REVIEWER] == "qa-2"
    assert pd.isna(first.loc[7, col.RATING])  # a frame handed out earlier is never changed

    stores.log.add_entries(entries(session.id, 5, start=50, inputs={"topic": "new", "audience": "execs"}))
    third = assert_current(stores, session.id)  # a new input variable: a new column, empty before
    assert third["input.audience"].notna().sum() == 5

    [delivery] = stores.feedback.claim(connection_id="c", owner="o", limit=5, lease_seconds=30)
    stores.feedback.mark_sent(delivery)
    assert assert_current(stores, session.id).loc[7, col.FEEDBACK_STATUS] == "sent"


def test_a_row_that_arrives_with_an_older_seq_takes_its_place_in_order(stores):
    session = stores.log.create_session("qa-1")
    stores.log.add_entries(entries(session.id, 10, start=10))
    assert_current(stores, session.id)
    late = [{**e.row(), "seq": 1} for e in entries(session.id, 1, start=0)]  # a writer that committed late
    stores.log.insert_rows(late)
    assert list(assert_current(stores, session.id)[col.GENERATION_ID])[:2] == [
        late[0][col.GENERATION_ID],
        "g-" + session.id[:6] + "-00010",
    ]


def test_every_sessions_log_follows_writes_to_any_session(stores):
    first, second = stores.log.create_session("qa-1"), stores.log.create_session("qa-2")
    stores.log.add_entries(entries(first.id, 10))
    assert_current(stores, None)
    stores.log.add_entries(entries(second.id, 3))
    stores.feedback.save_rating(f"g-{first.id[:6]}-00001", Rating(stars=2), reviewer="qa-1", connection_id="c")
    assert len(assert_current(stores, None)) == 13
    third = stores.log.create_session("qa-3")
    stores.log.add_entries(entries(third.id, 2))
    assert len(assert_current(stores, None)) == 15


@pytest.mark.parametrize("split_rows", [10**9, 16], ids=["one-read", "parts-side-by-side"])
def test_writers_racing_the_reader_never_leave_it_behind(stores, database_url, monkeypatch, split_rows):
    monkeypatch.setattr(log_store, "_SPLIT_ROWS", split_rows)  # small: every load is read in parts
    session = stores.log.create_session("qa-1")
    stores.log.add_entries(entries(session.id, 200))
    ids = [f"g-{session.id[:6]}-{i:05d}" for i in range(200)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        # Each writer its own stores (its own connections), as another studio process would be.
        mine = open_stores(database_url)
        rng = random.Random(number)
        try:
            for step in range(25):
                if step % 5 == 0:
                    mine.log.add_entries(entries(session.id, 3, start=1000 + number * 100 + step))
                gid = rng.choice(ids)
                rating = Rating(stars=rng.randint(1, 5))
                mine.feedback.save_rating(gid, rating, reviewer=f"w{number}", connection_id="c")
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            mine.close()

    def reader() -> None:
        loads = 0
        while not stop.is_set():
            try:
                stores.log.cached_log(session.id)
                loads += 1
                if loads % 7 == 0:  # a whole load now and then, racing the writers too
                    stores.log._cache.clear()
            except BaseException as exc:
                errors.append(exc)
                return
            time.sleep(0.005)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    watcher.join()
    assert not errors
    assert len(assert_current(stores, session.id)) == 200 + 4 * 5 * 3


def test_the_arrow_frame_is_the_frame_the_general_path_builds(stores):
    session = stores.log.create_session("qa-1")
    stores.log.add_entries(entries(session.id, 30))
    rows = [
        {**e.row(), "seq": 10_000 + i} for i, e in enumerate(entries(session.id, 4, start=100, inputs={"topic": "x"}))
    ]
    rows[0][col.INPUTS_JSON] = json.dumps({"n": 3, "flag": True})  # not text: the general path
    rows[1][col.INPUTS_JSON] = ""
    rows[2][col.INPUTS_JSON] = None
    rows[3][col.TIMESTAMP] = "2025-02-01T10:00:00"  # no zone (an old import): UTC
    stores.log.insert_rows(rows)
    loaded = stores.log.load_log(session.id)
    # The general path on rows read as the studio read them before (pandas.read_sql).
    query = sa.select(log_entries).where(log_entries.c.session_id == session.id).order_by(log_entries.c.seq)
    with stores.database.engine.connect() as db:
        general = python_log_frame(pd.read_sql(query, db))
    pd.testing.assert_frame_equal(loaded, general, check_dtype=True)
    first = loaded.set_index(col.GENERATION_ID).loc[rows[0][col.GENERATION_ID]]
    assert first["input.flag"] == "True" and first["input.n"] in ("3", "3.0")  # as the studio always showed it
