"""The export's pages, joined by SQLite (``EventStore.export_joined``), are the events in order:
oldest first, insertion order between equal times, each once across pages, and the same events the
per-event path gives."""

from __future__ import annotations

import json
import random
import uuid

from honeyhive_api.emulator.store import EmulatorStore
from honeyhive_api.emulator.store.event_filters import Where


def test_joined_pages_hold_every_event_once_in_order():
    store = EmulatorStore(":memory:")
    rng = random.Random(3)
    session = str(uuid.uuid4())
    events = [
        {"event_id": f"e{i:04d}", "event_type": "model", "session_id": session, "inputs": {"n": "é" * (i % 3)},
         "start_time": float(rng.randint(0, 400))}
        for i in range(2_500)
    ]  # fmt: skip
    for start in range(0, len(events), 500):
        store.events.add(events[start : start + 500])
    seen = []
    for page in (1, 2, 3, 4):
        joined, total = store.events.export_joined(Where(), limit=1_000, page=page)
        bodies, same_total = store.events.export(Where(), limit=1_000, page=page)
        assert total == same_total == 2_500
        assert json.loads(b"[" + joined + b"]") == [json.loads(body) for body in bodies]
        seen += [event["event_id"] for event in json.loads(b"[" + joined + b"]")]
    expected = [e["event_id"] for e in sorted(events, key=lambda e: (e["start_time"], e["event_id"]))]
    assert seen == expected
