"""Team drill: three studio processes on one PostgreSQL database deliver 600 ratings through 503s,
429 bursts and latency, one of them is killed mid-way and started again. Every rating arrives, every
item ends sent, and no item is sent by two live processes: a rating is delivered more than once
only if it was on the wire in the killed process (then again, with the same ``rating_id``)."""

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

from hive_review.log.entries import LogEntry
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
RATER = ROOT / "tests" / "drills" / "team_rater.py"
TASK = "Sandbox - Email Writer"
RATINGS = 600
PROCESSES = 3
LEASE_SECONDS = 5.0  # short, so the killed process's items come back within the drill


def _admin(emulator, method: str, path: str, **kwargs):
    answer = requests.request(
        method, f"{emulator.url}{path}", headers={"Authorization": f"Bearer {emulator.api_key}"}, timeout=30, **kwargs
    )
    answer.raise_for_status()
    return answer.json()


class Rater:
    """One studio process (tests/drills/team_rater.py) and what it printed."""

    def __init__(self, database_url: str, share: int, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(RATER), database_url, "--share", str(share), "--of", str(PROCESSES),
             "--lease-seconds", str(LEASE_SECONDS)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
        )  # fmt: skip
        self.owner = self.read_until("owner ").split(" ", 1)[1]

    def read_until(self, start: str) -> str:
        """The next line of output that starts so (waits for it: the process prints as it goes)."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(start):
                return line.strip()
        raise AssertionError(f"the rater exited ({self.process.wait()}) before printing {start!r}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        assert self.process.stdout is not None
        self.process.stdout.close()


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_three_studio_processes_on_one_postgresql_deliver_600_ratings_through_faults_and_a_kill(
    emulator, postgresql_server
):
    started = time.monotonic()
    database_url = postgresql_server.create_database()
    store = open_stores(database_url)
    session = store.log.create_session("qa-team")
    entries = []
    with HoneyHiveClient(emulator.api_key, emulator.url) as client:
        for number in range(RATINGS):
            generation = client.log_generation(
                TASK, "gpt-4o-mini", f"Completion number {number}.", hyperparameters={}, inputs={"n": str(number)}
            )
            entries.append(LogEntry(generation_id=generation.generation_id, session_id=session.id,
                                    reviewer="qa-team", task=TASK, prompt_version=generation.version,
                                    completion=generation.generation))  # fmt: skip
    store.log.add_entries(entries)
    # 30% of answers 503, bursts over 40 requests a second refused with 429 + Retry-After, 100 ms latency.
    _admin(emulator, "PUT", "/_emulator/faults",
           json={"error_rate": 0.3, "rate_limit": 40, "latency_ms": 100, "fault_seed": 7})  # fmt: skip

    env = {**os.environ, "HONEYHIVE_API_KEY": emulator.api_key, "HONEYHIVE_BASE_URL": emulator.url}
    raters = [Rater(database_url, share, env) for share in range(PROCESSES)]
    try:
        # Kill the first process mid-way, with deliveries of its own on the wire.
        victim = raters[0]
        victim.read_until(f"saved {RATINGS // PROCESSES // 2}")

        def in_flight_of(owner: str) -> set[str]:
            return {
                d["id"] for d in store.feedback.deliveries() if d["status"] == "sending" and d["lease_owner"] == owner
            }

        _wait_for(lambda: in_flight_of(victim.owner), 20, "the first process to have deliveries on the wire")
        os.kill(victim.process.pid, signal.SIGKILL)
        victim.process.wait(10)
        in_flight = in_flight_of(victim.owner)  # frozen now: its owner is dead
        assert in_flight
        raters[0] = Rater(database_url, 0, env)  # started again on the same database

        for rater in raters:
            rater.read_until("all saved")
        _wait_for(lambda: store.feedback.counts() == {"sent": RATINGS}, 90, f"{RATINGS} sent")
    finally:
        for rater in raters:
            rater.stop()
    faults = _admin(emulator, "GET", "/_emulator/faults")
    _admin(emulator, "PUT", "/_emulator/faults", json={"error_rate": 0, "rate_limit": None, "latency_ms": 0})

    deliveries = store.feedback.deliveries()
    assert len(deliveries) == RATINGS and {d["status"] for d in deliveries} == {"sent"}
    assert {d["generation_id"] for d in deliveries} == {entry.generation_id for entry in entries}
    assert set(store.log.load_log()["feedback_status"]) == {"sent"}
    # Every rating arrived; a rating arrived twice only if it was on the wire in the killed process.
    events = _admin(emulator, "GET", "/_emulator/feedback-events")
    arrived = collections.Counter(event["feedback_json"]["rating_id"] for event in events)
    assert set(arrived) == {d["id"] for d in deliveries}
    doubled = {rating_id for rating_id, count in arrived.items() if count > 1}
    assert doubled <= in_flight, doubled - in_flight
    assert max(arrived.values()) <= 2
    attempts = sum(d["attempts"] for d in deliveries)
    print(
        f"team drill: {RATINGS} ratings by {PROCESSES} processes, {attempts} attempts, {len(in_flight)} in flight "
        f"at the kill, {len(doubled)} re-sent, {time.monotonic() - started:.0f} s; faults {faults}"
    )
    store.close()
    postgresql_server.drop_database(database_url)
