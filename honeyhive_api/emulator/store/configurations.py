"""Configurations (the current API's deployed prompts).

An environment (``dev``, ``staging``, ``prod``) names at most one configuration of a task:
deploying one to ``prod`` takes ``prod`` off the one of the same task that had it, as HoneyHive's
deploy does within a project. A configuration's task is its first tag: the emulator keeps several
tasks under one key, where HoneyHive has one project (and key) per task. Untagged configurations
form one group of their own.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from honeyhive_api.emulator.store.database import Database, dump, now_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS configurations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,  -- the whole configuration as answered, JSON
    created_at TEXT NOT NULL
);
"""


class ConfigurationStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        db.create(SCHEMA)

    def is_empty(self) -> bool:
        return not self._db.query("SELECT 1 FROM configurations LIMIT 1")

    def find(self, name: str | None = None, env: str | None = None, tags: str | None = None) -> list[dict[str, Any]]:
        if name is None:
            rows = self._db.query("SELECT body FROM configurations ORDER BY created_at, name")
        else:
            rows = self._db.query("SELECT body FROM configurations WHERE name = ?", (name,))
        found = [json.loads(row["body"]) for row in rows]
        if env is not None:
            found = [item for item in found if env in item["env"]]
        if tags is not None:
            wanted = {tag.strip() for tag in tags.split(",") if tag.strip()}
            found = [item for item in found if wanted <= set(item["tags"])]
        return found

    def get(self, config_id: str) -> dict[str, Any] | None:
        rows = self._db.query("SELECT body FROM configurations WHERE id = ?", (config_id,))
        return json.loads(rows[0]["body"]) if rows else None

    def name_taken(self, name: str, by_other_than: str | None = None) -> bool:
        rows = self._db.query("SELECT id FROM configurations WHERE name = ?", (name,))
        return any(row["id"] != by_other_than for row in rows)

    def create(self, body: Mapping[str, Any], config_id: str | None = None) -> dict[str, Any]:
        stamp = now_iso()
        item = {
            "id": config_id or uuid.uuid4().hex,
            "name": body["name"],
            "type": body.get("type") or "LLM",
            "provider": body.get("provider") or "",
            "parameters": dict(body["parameters"]),
            "env": list(dict.fromkeys(body.get("env") or [])),
            "tags": list(body.get("tags") or []),
            "user_properties": dict(body.get("user_properties") or {}),
            "created_at": stamp,
            "updated_at": stamp,
        }
        with self._db.transaction() as db:
            self._take_envs(db, item)
            db.execute(
                "INSERT INTO configurations (id, name, body, created_at) VALUES (?, ?, ?, ?)",
                (item["id"], item["name"], dump(item), stamp),
            )
        return item

    def update(self, config_id: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        """Replace the fields given (``None``: keep), like HoneyHive's PUT."""
        current = self.get(config_id)
        if current is None:
            return None
        given = {key: value for key, value in changes.items() if value is not None and key in current}
        item = {**current, **given, "id": current["id"], "created_at": current["created_at"], "updated_at": now_iso()}
        item["env"] = list(dict.fromkeys(item["env"]))
        with self._db.transaction() as db:
            self._take_envs(db, item)
            db.execute(
                "UPDATE configurations SET name = ?, body = ? WHERE id = ?", (item["name"], dump(item), item["id"])
            )
        return item

    def delete(self, config_id: str) -> bool:
        return self._db.execute("DELETE FROM configurations WHERE id = ?", (config_id,)) > 0

    @staticmethod
    def _take_envs(db: Any, owner: Mapping[str, Any]) -> None:
        """Take ``owner``'s environments off the other configurations of its task (inside the
        caller's transaction)."""
        if not owner["env"]:
            return
        task = task_of(owner)
        for row in db.execute("SELECT id, body FROM configurations WHERE id != ?", (owner["id"],)).fetchall():
            item = json.loads(row["body"])
            kept = [env for env in item["env"] if env not in owner["env"]]
            if task_of(item) == task and kept != item["env"]:
                item["env"] = kept
                db.execute("UPDATE configurations SET body = ? WHERE id = ?", (dump(item), row["id"]))


def task_of(configuration: Mapping[str, Any]) -> str | None:
    tags = configuration.get("tags") or []
    return tags[0] if tags else None
