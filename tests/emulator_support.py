"""Reading and steering the emulator over its HTTP API from tests, and logging generations to rate."""

from __future__ import annotations

import requests

from hive_review.log.entries import LogEntry
from honeyhive_api import HoneyHiveClient

TASK = "Sandbox - Email Writer"
INPUTS = {"topic": "the roadmap", "tone": "calm"}


def admin(emulator, method: str, path: str, **kwargs) -> requests.Response:
    response = requests.request(
        method, f"{emulator.url}{path}", headers={"Authorization": f"Bearer {emulator.api_key}"}, timeout=10, **kwargs
    )
    response.raise_for_status()
    return response


def stored(emulator, generation_id: str) -> dict:
    rows = admin(emulator, "GET", "/generations", params={"task": TASK}).json()
    return next(row for row in rows if row["generation_id"] == generation_id)


def deliveries_at(emulator) -> list[dict]:
    return admin(emulator, "GET", "/_emulator/feedback-events").json()


def log_generations(client: HoneyHiveClient, stores, count: int) -> list[str]:
    session = stores.log.create_session("qa-1")
    ids = []
    for _ in range(count):
        generation = client.generate(TASK, INPUTS)
        stores.log.add_entry(
            LogEntry(generation_id=generation.generation_id, session_id=session.id, reviewer="qa-1", task=TASK,
                     prompt_version=generation.version, completion=generation.generation, inputs=INPUTS)
        )  # fmt: skip
        ids.append(generation.generation_id)
    return ids
