"""Delivery drills: edits at random moments under faults, and two connections on one database
through an outage. A real SQLite file; two real emulators over HTTP."""

from __future__ import annotations

import random
import time

import pytest
from emulator_support import TASK, admin, deliveries_at, log_generations

from hive_review.feedback.ratings import Rating
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.settings import ConnectionSettings
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient


@pytest.fixture
def stores(tmp_path):
    opened = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    yield opened
    opened.close()


@pytest.mark.slow
def test_edit_drill_what_honeyhive_holds_is_the_last_rating_given(stores, emulator):
    """300 generations rated, then edited at random moments, under 50 % 503s, 429 bursts and
    300 ms latency: HoneyHive holds each generation's last rating."""
    setup = HoneyHiveClient(emulator.api_key, emulator.url, timeout=30, max_retries=3)
    generation_ids = log_generations(setup, stores, 300)
    admin(emulator, "PUT", "/_emulator/faults",
          json={"error_rate": 0.5, "rate_limit": 40, "latency_ms": 300, "fault_seed": 7})  # fmt: skip
    client = HoneyHiveClient(emulator.api_key, emulator.url, timeout=30, max_retries=0)
    # Tries without a limit: under 50 % 503s a delivery may fail eight times in a row, and a failed
    # one waits for the reviewer's retry; this drill is about order, not about giving up.
    outbox = FeedbackOutbox(
        stores.feedback, client, connection_id="c", workers=8, backoff_base=0.05, backoff_cap=0.5, max_attempts=10_000
    )
    outbox.start()
    rng = random.Random(3)
    last: dict[str, str] = {}
    try:
        for generation_id in generation_ids:
            last[generation_id] = stores.feedback.save_rating(
                generation_id, Rating(stars=1), reviewer="qa-1", connection_id="c"
            )
            outbox.wake()
        for _ in range(3):  # each round edits a random half while the earlier versions are in flight
            for generation_id in rng.sample(generation_ids, 150):
                rating = Rating(stars=rng.randint(1, 5), comment=f"edit {rng.random():.6f}")
                last[generation_id] = stores.feedback.save_rating(
                    generation_id, rating, reviewer="qa-1", connection_id="c"
                )
                outbox.wake()
                if rng.random() < 0.1:
                    time.sleep(0.01)
        assert outbox.drain(timeout=400), stores.feedback.counts()
    finally:
        outbox.stop()
        admin(emulator, "PUT", "/_emulator/faults", json={"error_rate": 0, "rate_limit": None, "latency_ms": 0})
    assert set(stores.feedback.counts()) <= {"sent", "superseded"}, stores.feedback.counts()
    rows = {row["generation_id"]: row for row in admin(emulator, "GET", "/generations", params={"task": TASK}).json()}
    stale = [gid for gid in generation_ids if rows[gid]["feedback"]["rating_id"] != last[gid]]
    assert stale == []
    assert set(stores.log.load_log()["feedback_status"]) == {"sent"}


@pytest.mark.slow
def test_two_connections_through_an_outage_each_rating_reaches_its_own_emulator(tmp_path, emulator_factory):
    """Two emulators with different keys share one database; ratings on both, one of them down
    for a while: every rating reaches its own emulator, none is ever sent to the other."""
    first = emulator_factory(api_key="key-of-a-0123456789")
    second = emulator_factory(api_key="key-of-b-9876543210")
    stores = open_stores(f"sqlite:///{tmp_path / 'shared.sqlite3'}")
    # Each connection is named as the studio names it: from its base URL and a fingerprint of its key.
    connections = {
        name: ConnectionSettings(base_url=server.url, key_source="environment", api_key=server.api_key)
        for name, server in (("a", first), ("b", second))
    }
    assert connections["a"].connection_id != connections["b"].connection_id
    clients = {
        name: HoneyHiveClient(connection.api_key, connection.base_url, timeout=10, max_retries=0)
        for name, connection in connections.items()
    }
    ids = {name: log_generations(client, stores, 20) for name, client in clients.items()}
    admin(first, "PUT", "/_emulator/faults", json={"error_rate": 1.0})  # A is down
    outboxes = [
        FeedbackOutbox(
            stores.feedback,
            clients[name],
            connection_id=connection.connection_id,
            backoff_base=0.05,
            backoff_cap=0.3,
            max_attempts=10_000,
        ).start()
        for name, connection in connections.items()
    ]
    try:
        for name, generation_ids in ids.items():
            for generation_id in generation_ids:
                stores.feedback.save_rating(
                    generation_id,
                    Rating(stars=4, comment=f"for {name}"),
                    reviewer=f"qa-{name}",
                    connection_id=connections[name].connection_id,
                )
        deadline = time.monotonic() + 60
        while len(deliveries_at(second)) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        admin(first, "PUT", "/_emulator/faults", json={"error_rate": 0.0})  # A is back
        for outbox in outboxes:
            assert outbox.drain(timeout=60), stores.feedback.counts()
    finally:
        for outbox in outboxes:
            outbox.stop()
    assert stores.feedback.counts() == {"sent": 40}
    at_a, at_b = deliveries_at(first), deliveries_at(second)
    assert {d["generation_id"] for d in at_a if d.get("status", 200) < 400} == set(ids["a"])
    assert {d["generation_id"] for d in at_b} == set(ids["b"])
    assert all(d["feedback_json"]["comment"] == "for b" for d in at_b)
    stores.close()
