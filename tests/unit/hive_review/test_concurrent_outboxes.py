"""Several studio processes on one PostgreSQL database, caught at the worst moment: each "process"
is a ``Stores`` of its own (its own engine and pool), and one of them is held still inside its
transaction (by an event hook on its engine) while the other acts. Deliveries go nowhere here: what
is checked is what each process may take and record."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.stores import Stores, open_stores


@pytest.fixture
def two_processes(postgresql_server) -> Iterator[tuple[Stores, Stores]]:
    url = postgresql_server.create_database()
    first, second = open_stores(url), open_stores(url)
    session = first.log.create_session("qa-1")
    first.log.add_entry(LogEntry(generation_id="g-1", session_id=session.id, reviewer="qa-1", task="t",
                                 prompt_version="1", completion="c"))  # fmt: skip
    yield first, second
    first.close()
    second.close()
    postgresql_server.drop_database(url)


def hold_after(stores: Stores, statement_start: str) -> tuple[threading.Event, threading.Event]:
    """Hold the next statement of ``stores`` that starts so, once it ran, until ``release`` is set."""
    reached, release = threading.Event(), threading.Event()

    def hook(_conn, _cursor, statement: str, *_args) -> None:
        if statement.startswith(statement_start) and not reached.is_set():
            reached.set()
            assert release.wait(20), "never released"

    sa.event.listen(stores.database.engine, "after_cursor_execute", hook)
    return reached, release


def in_thread(fn: Callable[[], object]) -> tuple[threading.Thread, dict[str, object]]:
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = fn()
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def wait_for_lock_wait(stores: Stores) -> None:
    """Until a backend of this database waits on a lock (the other process is blocked)."""
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 20
    with stores.database.engine.connect() as db:
        while not db.execute(query).scalar():
            assert time.monotonic() < deadline, "nobody waited on a lock"
            time.sleep(0.01)


def test_a_claim_in_progress_keeps_every_item_of_its_generation_from_another_process(two_processes):
    first, second = two_processes
    first.feedback.save_rating("g-1", Rating(stars=2), reviewer="qa-1", connection_id="c")
    first.feedback.queue_vote("g-1", {"preference": "win"}, connection_id="c")  # a second item of g-1
    reached, release = hold_after(first, "UPDATE feedback_outbox SET status")
    thread, outcome = in_thread(
        lambda: first.feedback.claim(connection_id="c", owner="first", limit=1, lease_seconds=30)
    )
    try:
        assert reached.wait(20)  # the first process has leased the rating; not committed yet
        # The vote is not locked by the first claim, but it is of the same generation: taking it now
        # would put two deliveries of g-1 on the wire, and the later one could land first.
        assert second.feedback.claim(connection_id="c", owner="second", limit=10, lease_seconds=30) == []
    finally:
        release.set()
        thread.join(20)
    assert [delivery.generation_id for delivery in outcome["value"]] == ["g-1"]
    assert second.feedback.claim(connection_id="c", owner="second", limit=10, lease_seconds=30) == []


def test_an_edit_while_its_delivery_is_recorded_neither_deadlocks_nor_fails(two_processes):
    outbox, reviewer = two_processes
    outbox.feedback.save_rating("g-1", Rating(stars=2), reviewer="qa-1", connection_id="c")
    [first] = outbox.feedback.claim(connection_id="c", owner="outbox", limit=10, lease_seconds=30)
    # The reviewer's edit has written the log row and is about to supersede the item on the wire…
    reached, release = hold_after(reviewer, "UPDATE log_entries")
    edit, edited = in_thread(
        lambda: reviewer.feedback.save_rating("g-1", Rating(stars=5), reviewer="qa-1", connection_id="c")
    )
    try:
        assert reached.wait(20)
        # …when the outbox records the first delivery's outcome: it must wait for the edit, not
        # take the item first and then wait for the log row the edit holds (a deadlock).
        finish, finished = in_thread(lambda: outbox.feedback.mark_sent(first))
        wait_for_lock_wait(outbox)
    finally:
        release.set()
        edit.join(20)
    finish.join(20)
    assert "error" not in edited and "error" not in finished, (edited, finished)
    assert finished["value"] is False  # superseded meanwhile: the outcome is not recorded
    assert [d["status"] for d in outbox.feedback.deliveries("g-1")] == ["superseded", "pending"]
    assert outbox.log.get_entry("g-1")["feedback_status"] == "pending"
