"""Drills: ratings reach HoneyHive exactly once, through injected faults and a killed process.

HoneyHive (the emulator) records every POST /feedback it processes; each rating carries its own
``rating_id``, so the drills can tell a second delivery of the same rating from a new one.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from apptest_support import studio_app

from hive_review.feedback.ratings import Rating
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.log.entries import LogEntry
from hive_review.stores import Stores, open_stores
from honeyhive_api import HoneyHiveClient

pytestmark = pytest.mark.slow
TASK = "Sandbox - Email Writer"
CONNECTION = "drill-connection"
ROOT = Path(__file__).resolve().parents[2]


def _admin(emulator, method: str, path: str, **kwargs) -> requests.Response:
    answer = requests.request(
        method, f"{emulator.url}{path}", headers={"Authorization": f"Bearer {emulator.api_key}"}, timeout=30, **kwargs
    )
    answer.raise_for_status()
    return answer


def _log_generations(emulator, store: Stores, count: int) -> list[str]:
    session = store.log.create_session("qa-drill")
    entries = []
    with HoneyHiveClient(emulator.api_key, emulator.url) as client:
        for number in range(count):
            generation = client.log_generation(
                TASK, "gpt-4o-mini", f"Completion number {number}.", hyperparameters={}, inputs={"n": str(number)}
            )
            entries.append(
                LogEntry(
                    generation_id=generation.generation_id, session_id=session.id, reviewer="qa-drill",
                    task=TASK, prompt_version=generation.version, completion=generation.generation,
                )
            )  # fmt: skip
    store.log.add_entries(entries)
    return [entry.generation_id for entry in entries]


def _deliveries_by_generation(emulator) -> dict[str, list[dict]]:
    events = _admin(emulator, "GET", "/_emulator/feedback-events").json()
    grouped: dict[str, list[dict]] = collections.defaultdict(list)
    for event in events:
        grouped[event["generation_id"]].append(event)
    return grouped


def test_500_ratings_through_503s_429s_and_latency_arrive_exactly_once(emulator, tmp_path):
    store = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    generation_ids = _log_generations(emulator, store, 500)
    # 30% of answers 503, a rate limit that refuses bursts with 429 + Retry-After, 200 ms latency.
    _admin(emulator, "PUT", "/_emulator/faults", json={"error_rate": 0.3, "rate_limit": 25, "latency_ms": 200,
                                                        "fault_seed": 11})  # fmt: skip
    rating_ids = {}
    for number, generation_id in enumerate(generation_ids):
        rating_ids[generation_id] = store.feedback.save_rating(
            generation_id,
            Rating(stars=number % 5 + 1, thumbs="up" if number % 2 else "down"),
            reviewer="qa-drill",
            connection_id=CONNECTION,
        )
    client = HoneyHiveClient(emulator.api_key, emulator.url, timeout=30, max_retries=3)
    outbox = FeedbackOutbox(
        store.feedback, client, connection_id=CONNECTION, workers=8, backoff_base=0.2, backoff_cap=2.0
    ).start()
    try:
        assert outbox.drain(timeout=240), store.feedback.counts()
    finally:
        outbox.stop()
    faults = _admin(emulator, "GET", "/_emulator/faults").json()
    _admin(emulator, "PUT", "/_emulator/faults", json={"error_rate": 0, "rate_limit": None, "latency_ms": 0})

    assert store.feedback.counts() == {"sent": 500}
    delivered = _deliveries_by_generation(emulator)
    assert set(delivered) == set(generation_ids)
    for generation_id, events in delivered.items():
        assert len(events) == 1, (generation_id, events)  # exactly once: refused requests were not processed
        assert events[0]["feedback_json"]["rating_id"] == rating_ids[generation_id]
    log = store.log.load_log()
    assert set(log["feedback_status"]) == {"sent"}
    attempts = sum(d["attempts"] for d in store.feedback.deliveries())
    print(f"drill: 500 ratings, {attempts} outbox attempts, faults {faults}")


def test_killing_the_app_while_ratings_are_in_flight_loses_nothing_and_doubles_nothing(emulator, tmp_path, monkeypatch):
    database_url = f"sqlite:///{tmp_path / 'sessions.sqlite3'}"
    store = open_stores(database_url)
    generation_ids = _log_generations(emulator, store, 120)
    _admin(emulator, "PUT", "/_emulator/faults", json={"latency_ms": 300})

    env = {
        **os.environ,
        "HONEYHIVE_API_KEY": emulator.api_key,
        "HONEYHIVE_BASE_URL": emulator.url,
        "HONEYHIVE_API": "tasks",
    }
    rater = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "drill_rater.py"), database_url],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert rater.stdout is not None
        for line in rater.stdout:
            if line.strip() == "saved 80":
                break
        counts = store.feedback.counts()
        deadline = time.monotonic() + 20
        while not counts.get("sending") and time.monotonic() < deadline:
            time.sleep(0.01)
            counts = store.feedback.counts()
        assert counts.get("sending"), counts  # ratings are in flight at the moment of the kill
        os.kill(rater.pid, signal.SIGKILL)
        rater.wait(10)
    finally:
        if rater.poll() is None:
            rater.kill()
    at_kill = store.feedback.counts()
    saved = sum(at_kill.values())
    assert saved >= 80 and at_kill.get("sent", 0) < saved, at_kill
    in_flight = {d["generation_id"] for d in store.feedback.deliveries() if d["status"] == "sending"}

    # Start the app again, on the same database: its outbox delivers what was left.
    _admin(emulator, "PUT", "/_emulator/faults", json={"latency_ms": 0})
    monkeypatch.setenv("HONEYHIVE_API_KEY", emulator.api_key)
    monkeypatch.setenv("HONEYHIVE_API", "tasks")
    monkeypatch.setenv("HONEYHIVE_BASE_URL", emulator.url)
    monkeypatch.setenv("HIVE_REVIEW_DATABASE_URL", database_url)
    monkeypatch.setenv("HIVE_REVIEW_REVIEWER", "qa-drill")
    monkeypatch.chdir(tmp_path)
    app = studio_app()
    app.run()
    assert not app.exception
    deadline = time.monotonic() + 60
    while store.feedback.counts() != {"sent": saved} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert store.feedback.counts() == {"sent": saved}

    delivered = _deliveries_by_generation(emulator)
    rated = [gid for gid in generation_ids if store.log.get_entry(gid)["feedback_status"] == "sent"]
    assert len(rated) == saved
    doubled = 0
    for generation_id in rated:
        events = delivered[generation_id]
        assert len({e["feedback_json"]["rating_id"] for e in events}) == 1  # one rating, never two
        assert events[-1]["feedback_json"]["rating"] == store.log.get_entry(generation_id)["rating"]
        if len(events) > 1:
            doubled += 1
            # A repeat is only possible for a delivery that was on the wire when the process died,
            # and it carries the same rating (HoneyHive merges it: the stored feedback is unchanged).
            assert generation_id in in_flight and len(events) == 2
    print(f"drill: {saved} ratings saved before the kill, {len(in_flight)} in flight, {doubled} re-sent after restart")
