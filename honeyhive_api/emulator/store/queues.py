"""Annotation queues: saved event filters (plus events added by hand), as HoneyHive keeps them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from honeyhive_api.emulator.store.database import Database, dump, now_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS queues (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    body TEXT NOT NULL,  -- the whole queue as answered, JSON
    created_at TEXT NOT NULL
);
"""


class QueueStore:
    def __init__(self, db: Database, scope_id: str) -> None:
        self._db = db
        self._scope_id = scope_id
        db.create(SCHEMA)

    def is_empty(self) -> bool:
        return not self._db.query("SELECT 1 FROM queues LIMIT 1")

    def find(self, enabled: bool | None = None) -> list[dict[str, Any]]:
        rows = self._db.query("SELECT body FROM queues ORDER BY created_at, name")
        queues = [json.loads(row["body"]) for row in rows]
        return [queue for queue in queues if enabled is None or queue["enabled"] == enabled]

    def get(self, queue_id: str) -> dict[str, Any] | None:
        rows = self._db.query("SELECT body FROM queues WHERE id = ?", (queue_id,))
        return json.loads(rows[0]["body"]) if rows else None

    def create(self, body: Mapping[str, Any], queue_id: str | None = None) -> dict[str, Any]:
        stamp = now_iso()
        queue = {
            "id": queue_id or uuid.uuid4().hex,
            "name": body["name"],
            "description": body.get("description") or "",
            "filters": {"filterArray": list((body.get("filters") or {}).get("filterArray") or [])},
            "enabled": bool(body.get("enabled", True)),
            "is_active": bool(body.get("enabled", True)),
            "scope_id": self._scope_id,
            "scope_type": "project",
            "event_ids": list(dict.fromkeys(body.get("event_ids") or [])),
            "created_at": stamp,
            "updated_at": stamp,
        }
        self._db.execute(
            "INSERT INTO queues (id, name, body, created_at) VALUES (?, ?, ?, ?)",
            (queue["id"], queue["name"], dump(queue), stamp),
        )
        return queue

    def update(self, queue_id: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        with self._db.transaction() as db:
            row = db.execute("SELECT body FROM queues WHERE id = ?", (queue_id,)).fetchone()
            if row is None:
                return None
            queue = json.loads(row["body"])
            for key in ("name", "description", "filters"):
                if changes.get(key) is not None:
                    queue[key] = changes[key]
            if changes.get("enabled") is not None:
                queue["enabled"] = queue["is_active"] = bool(changes["enabled"])
            removed = set(changes.get("remove_event_ids") or [])
            added = changes.get("add_event_ids") or []
            queue["event_ids"] = [e for e in dict.fromkeys([*queue["event_ids"], *added]) if e not in removed]
            queue["updated_at"] = now_iso()
            db.execute("UPDATE queues SET name = ?, body = ? WHERE id = ?", (queue["name"], dump(queue), queue_id))
        return queue

    def delete(self, queue_id: str) -> bool:
        return self._db.execute("DELETE FROM queues WHERE id = ?", (queue_id,)) > 0
