"""Tasks and their prompt variants (the task-based API). Exactly one prompt per task is deployed."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Mapping
from typing import Any

from honeyhive_api.emulator.store.database import Database, dump, load, now_iso
from honeyhive_api.templates import prompt_variables

SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT,
    datasets TEXT,
    metrics TEXT,
    fine_tuned_models TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS prompts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    task TEXT NOT NULL,
    version TEXT,
    text TEXT NOT NULL,
    input_variables TEXT,
    model TEXT NOT NULL,
    provider TEXT,
    hyperparameters TEXT NOT NULL,
    is_deployed INTEGER NOT NULL DEFAULT 0,
    few_shot_examples TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS prompts_task ON prompts(task);
"""


def _prompt_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "version": row["version"],
        "task": row["task"],
        "text": row["text"],
        "input_variables": load(row["input_variables"]),
        "model": row["model"],
        "provider": row["provider"],
        "hyperparameters": load(row["hyperparameters"]),
        "is_deployed": bool(row["is_deployed"]),
        "few_shot_examples": load(row["few_shot_examples"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


class TaskStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        db.create(SCHEMA)

    def is_empty(self) -> bool:
        return not self._db.query("SELECT 1 FROM tasks LIMIT 1")

    # ---- tasks ----------------------------------------------------------------------------------

    def _task_dict(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "name": row["name"],
            "type": row["type"],
            "prompts": self.list_prompts(task=row["name"]),
            "datasets": load(row["datasets"]),
            "metrics": load(row["metrics"]),
            "fine_tuned_models": load(row["fine_tuned_models"]),
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }

    def list_tasks(self, name: str | None = None) -> list[dict[str, Any]]:
        if name is None:
            rows = self._db.query("SELECT * FROM tasks ORDER BY created_at, name")
        else:
            rows = self._db.query("SELECT * FROM tasks WHERE name = ?", (name,))
        return [self._task_dict(row) for row in rows]

    def task_exists(self, name: str) -> bool:
        return bool(self._db.query("SELECT 1 FROM tasks WHERE name = ?", (name,)))

    def create_task(self, body: Mapping[str, Any]) -> dict[str, Any]:
        stamp = now_iso()
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    uuid.uuid4().hex,
                    body["name"],
                    body.get("type"),
                    dump(body.get("datasets")),
                    dump(body.get("metrics")),
                    dump(body.get("fine_tuned_models")),
                    stamp,
                    stamp,
                ),
            )
        for prompt in body.get("prompts") or []:
            self.create_prompt({**prompt, "task": body["name"]})
        return self.list_tasks(body["name"])[0]

    def update_task(self, task_id: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        rows = self._db.query("SELECT * FROM tasks WHERE id = ? OR name = ?", (task_id, task_id))
        if not rows:
            return None
        row = rows[0]
        name = changes.get("name") or row["name"]
        with self._db.transaction() as db:
            db.execute(
                "UPDATE tasks SET name = ?, type = COALESCE(?, type), datasets = COALESCE(?, datasets), "
                "metrics = COALESCE(?, metrics), fine_tuned_models = COALESCE(?, fine_tuned_models), "
                "updated_at = ? WHERE id = ?",
                (
                    name,
                    changes.get("type"),
                    dump(changes.get("datasets")),
                    dump(changes.get("metrics")),
                    dump(changes.get("fine_tuned_models")),
                    now_iso(),
                    row["id"],
                ),
            )
            if name != row["name"]:
                db.execute("UPDATE prompts SET task = ? WHERE task = ?", (name, row["name"]))
        return self.list_tasks(name)[0]

    def delete_task(self, name: str) -> bool:
        with self._db.transaction() as db:
            deleted = db.execute("DELETE FROM tasks WHERE name = ? OR id = ?", (name, name)).rowcount
            db.execute("DELETE FROM prompts WHERE task = ?", (name,))
        return deleted > 0

    # ---- prompts --------------------------------------------------------------------------------

    def list_prompts(self, task: str | None = None, name: str | None = None) -> list[dict[str, Any]]:
        sql, params = "SELECT * FROM prompts WHERE 1 = 1", []
        if task is not None:
            sql, params = sql + " AND task = ?", [*params, task]
        if name is not None:
            sql, params = sql + " AND name = ?", [*params, name]
        rows = self._db.query(sql + " ORDER BY created_at, name", tuple(params))
        return [_prompt_dict(row) for row in rows]

    def create_prompt(self, body: Mapping[str, Any]) -> dict[str, Any]:
        stamp = now_iso()
        task = body["task"]
        existing = self._db.query("SELECT COUNT(*) AS n FROM prompts WHERE task = ?", (task,))[0]["n"]
        version = body.get("version")
        version = str(version) if version is not None else str(existing + 1)
        name = body.get("name") or f"{task}-v{version}"
        variables = body.get("input_variables") or prompt_variables(body["text"])
        # A task's first prompt is deployed: a task always has one to run.
        deployed = bool(body.get("is_deployed")) or existing == 0
        with self._db.transaction() as db:
            if deployed:
                db.execute("UPDATE prompts SET is_deployed = 0 WHERE task = ?", (task,))
            db.execute(
                "INSERT INTO prompts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    uuid.uuid4().hex,
                    name,
                    task,
                    version,
                    body["text"],
                    dump(variables),
                    body["model"],
                    body.get("provider"),
                    dump(body.get("hyperparameters") or {}),
                    int(deployed),
                    dump(body.get("few_shot_examples")),
                    stamp,
                    stamp,
                ),
            )
        return self.list_prompts(name=name)[0]

    def update_prompt(self, prompt_id: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        rows = self._db.query("SELECT * FROM prompts WHERE id = ? OR name = ?", (prompt_id, prompt_id))
        if not rows:
            return None
        current = _prompt_dict(rows[0])
        merged = {**current, **{k: v for k, v in changes.items() if v is not None and k in current}}
        if changes.get("text") is not None and changes.get("input_variables") is None:
            merged["input_variables"] = prompt_variables(merged["text"])
        with self._db.transaction() as db:
            if merged["is_deployed"]:
                db.execute("UPDATE prompts SET is_deployed = 0 WHERE task = ?", (current["task"],))
            db.execute(
                "UPDATE prompts SET version = ?, text = ?, input_variables = ?, model = ?, provider = ?, "
                "hyperparameters = ?, is_deployed = ?, few_shot_examples = ?, updated_at = ? WHERE id = ?",
                (
                    str(merged["version"]) if merged["version"] is not None else None,
                    merged["text"],
                    dump(merged["input_variables"]),
                    merged["model"],
                    merged["provider"],
                    dump(merged["hyperparameters"]),
                    int(bool(merged["is_deployed"])),
                    dump(merged["few_shot_examples"]),
                    now_iso(),
                    current["id"],
                ),
            )
        return self.list_prompts(name=current["name"])[0]

    def delete_prompt(self, name: str) -> bool:
        with self._db.transaction() as db:
            return db.execute("DELETE FROM prompts WHERE name = ? OR id = ?", (name, name)).rowcount > 0
