"""The emulator's data: tasks, prompts, generations and feedback in one SQLite file.

One connection guarded by a lock: the emulator's handlers run in a thread pool, SQLite serialises
writers anyway, and ``:memory:`` databases exist only on the connection that made them.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

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
CREATE TABLE IF NOT EXISTS generations (
    generation_id TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    version TEXT NOT NULL,
    prompt_name TEXT,
    model TEXT NOT NULL,
    model_id TEXT,
    hyperparameters TEXT NOT NULL,
    prompt_template TEXT,
    inputs TEXT,
    prompt TEXT,
    generation TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    cost REAL NOT NULL,
    latency REAL NOT NULL,
    source TEXT NOT NULL,
    user_properties TEXT,
    metadata TEXT,
    ground_truth TEXT,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS generations_task ON generations(task, created_at);
CREATE TABLE IF NOT EXISTS feedback (
    generation_id TEXT PRIMARY KEY,
    task TEXT NOT NULL,
    feedback TEXT NOT NULL,
    ground_truth TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Every POST /feedback as received, so drills can count deliveries (merging hides repeats).
CREATE TABLE IF NOT EXISTS feedback_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    generation_id TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_events_generation ON feedback_events(generation_id);
"""


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _load(value: str | None) -> Any:
    return None if value is None else json.loads(value)


class EmulatorStore:
    def __init__(self, db_path: str) -> None:
        if db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            if db_path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # ---- seed -------------------------------------------------------------------------------------

    def seed_if_empty(self, seed_path: str | Path) -> None:
        if self._query("SELECT 1 FROM tasks LIMIT 1"):
            return
        data = yaml.safe_load(Path(seed_path).read_text(encoding="utf-8")) or {}
        for task in data.get("tasks", []):
            self.create_task({"name": task["name"], "type": task.get("type")})
            for prompt in task.get("prompts", []):
                self.create_prompt(
                    {
                        "task": task["name"],
                        "name": prompt["name"],
                        "version": str(prompt.get("version", "1")),
                        "text": prompt["text"],
                        "model": prompt["model"],
                        "provider": prompt.get("provider"),
                        "hyperparameters": prompt.get("hyperparameters") or {},
                        "is_deployed": bool(prompt.get("deployed", False)),
                        "input_variables": prompt.get("input_variables"),
                    }
                )

    # ---- tasks ----------------------------------------------------------------------------------

    def _task_dict(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "name": row["name"],
            "type": row["type"],
            "prompts": self.list_prompts(task=row["name"]),
            "datasets": _load(row["datasets"]),
            "metrics": _load(row["metrics"]),
            "fine_tuned_models": _load(row["fine_tuned_models"]),
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }

    def list_tasks(self, name: str | None = None) -> list[dict[str, Any]]:
        if name is None:
            rows = self._query("SELECT * FROM tasks ORDER BY created_at, name")
        else:
            rows = self._query("SELECT * FROM tasks WHERE name = ?", (name,))
        return [self._task_dict(row) for row in rows]

    def task_exists(self, name: str) -> bool:
        return bool(self._query("SELECT 1 FROM tasks WHERE name = ?", (name,)))

    def create_task(self, body: Mapping[str, Any]) -> dict[str, Any]:
        stamp = now_iso()
        task_id = uuid.uuid4().hex
        with self._transaction() as db:
            db.execute(
                "INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    task_id,
                    body["name"],
                    body.get("type"),
                    _dump(body.get("datasets")),
                    _dump(body.get("metrics")),
                    _dump(body.get("fine_tuned_models")),
                    stamp,
                    stamp,
                ),
            )
        for prompt in body.get("prompts") or []:
            self.create_prompt({**prompt, "task": body["name"]})
        return self.list_tasks(body["name"])[0]

    def update_task(self, task_id: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        rows = self._query("SELECT * FROM tasks WHERE id = ? OR name = ?", (task_id, task_id))
        if not rows:
            return None
        row = rows[0]
        name = changes.get("name") or row["name"]
        with self._transaction() as db:
            db.execute(
                "UPDATE tasks SET name = ?, type = COALESCE(?, type), datasets = COALESCE(?, datasets), "
                "metrics = COALESCE(?, metrics), fine_tuned_models = COALESCE(?, fine_tuned_models), "
                "updated_at = ? WHERE id = ?",
                (
                    name,
                    changes.get("type"),
                    _dump(changes.get("datasets")),
                    _dump(changes.get("metrics")),
                    _dump(changes.get("fine_tuned_models")),
                    now_iso(),
                    row["id"],
                ),
            )
            if name != row["name"]:
                db.execute("UPDATE prompts SET task = ? WHERE task = ?", (name, row["name"]))
        return self.list_tasks(name)[0]

    def delete_task(self, name: str) -> bool:
        with self._transaction() as db:
            deleted = db.execute("DELETE FROM tasks WHERE name = ? OR id = ?", (name, name)).rowcount
            db.execute("DELETE FROM prompts WHERE task = ?", (name,))
        return deleted > 0

    # ---- prompts --------------------------------------------------------------------------------

    @staticmethod
    def _prompt_dict(row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "name": row["name"],
            "version": row["version"],
            "task": row["task"],
            "text": row["text"],
            "input_variables": _load(row["input_variables"]),
            "model": row["model"],
            "provider": row["provider"],
            "hyperparameters": _load(row["hyperparameters"]),
            "is_deployed": bool(row["is_deployed"]),
            "few_shot_examples": _load(row["few_shot_examples"]),
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }

    def list_prompts(self, task: str | None = None, name: str | None = None) -> list[dict[str, Any]]:
        sql, params = "SELECT * FROM prompts WHERE 1 = 1", []
        if task is not None:
            sql, params = sql + " AND task = ?", [*params, task]
        if name is not None:
            sql, params = sql + " AND name = ?", [*params, name]
        rows = self._query(sql + " ORDER BY created_at, name", tuple(params))
        return [self._prompt_dict(row) for row in rows]

    def create_prompt(self, body: Mapping[str, Any]) -> dict[str, Any]:
        stamp = now_iso()
        task = body["task"]
        existing = self._query("SELECT COUNT(*) AS n FROM prompts WHERE task = ?", (task,))[0]["n"]
        version = body.get("version")
        version = str(version) if version is not None else str(existing + 1)
        name = body.get("name") or f"{task}-v{version}"
        variables = body.get("input_variables") or prompt_variables(body["text"])
        deployed = bool(body.get("is_deployed")) or existing == 0
        with self._transaction() as db:
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
                    _dump(variables),
                    body["model"],
                    body.get("provider"),
                    _dump(body.get("hyperparameters") or {}),
                    int(deployed),
                    _dump(body.get("few_shot_examples")),
                    stamp,
                    stamp,
                ),
            )
        return self.list_prompts(name=name)[0]

    def update_prompt(self, prompt_id: str, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        rows = self._query("SELECT * FROM prompts WHERE id = ? OR name = ?", (prompt_id, prompt_id))
        if not rows:
            return None
        current = self._prompt_dict(rows[0])
        merged = {**current, **{k: v for k, v in changes.items() if v is not None and k in current}}
        if changes.get("text") is not None and changes.get("input_variables") is None:
            merged["input_variables"] = prompt_variables(merged["text"])
        with self._transaction() as db:
            if merged["is_deployed"]:
                db.execute("UPDATE prompts SET is_deployed = 0 WHERE task = ?", (current["task"],))
            db.execute(
                "UPDATE prompts SET version = ?, text = ?, input_variables = ?, model = ?, provider = ?, "
                "hyperparameters = ?, is_deployed = ?, few_shot_examples = ?, updated_at = ? WHERE id = ?",
                (
                    str(merged["version"]) if merged["version"] is not None else None,
                    merged["text"],
                    _dump(merged["input_variables"]),
                    merged["model"],
                    merged["provider"],
                    _dump(merged["hyperparameters"]),
                    int(bool(merged["is_deployed"])),
                    _dump(merged["few_shot_examples"]),
                    now_iso(),
                    current["id"],
                ),
            )
        return self.list_prompts(name=current["name"])[0]

    def delete_prompt(self, name: str) -> bool:
        with self._transaction() as db:
            return db.execute("DELETE FROM prompts WHERE name = ? OR id = ?", (name, name)).rowcount > 0

    # ---- generations ----------------------------------------------------------------------------

    def add_generation(self, record: Mapping[str, Any]) -> dict[str, Any]:
        generation_id = uuid.uuid4().hex
        stamp = now_iso()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO generations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    generation_id,
                    record["task"],
                    record["version"],
                    record.get("prompt_name"),
                    record["model"],
                    record.get("model_id"),
                    _dump(record.get("hyperparameters") or {}),
                    record.get("prompt_template"),
                    _dump(record.get("inputs")),
                    record.get("prompt"),
                    record["generation"],
                    int(record["prompt_tokens"]),
                    int(record["completion_tokens"]),
                    int(record["total_tokens"]),
                    float(record["cost"]),
                    float(record["latency"]),
                    record.get("source") or "api",
                    _dump(record.get("user_properties")),
                    _dump(record.get("metadata")),
                    record.get("ground_truth"),
                    record["kind"],
                    stamp,
                ),
            )
        if record.get("feedback"):
            self.merge_feedback(record["task"], generation_id, record["feedback"], record.get("ground_truth"))
        found = self.get_generation(generation_id)
        assert found is not None
        return found

    def _generation_dict(self, row: sqlite3.Row, feedback: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "generation_id": row["generation_id"],
            "version": row["version"],
            "task": row["task"],
            "model": row["model"],
            "model_id": row["model_id"],
            "hyperparameters": _load(row["hyperparameters"]),
            "prompt_name": row["prompt_name"],
            "prompt_template": row["prompt_template"],
            "inputs": _load(row["inputs"]),
            "prompt": row["prompt"],
            "generation": row["generation"],
            "prompt_tokens": row["prompt_tokens"],
            "completion_tokens": row["completion_tokens"],
            "total_tokens": row["total_tokens"],
            "usage": {
                "prompt_tokens": row["prompt_tokens"],
                "completion_tokens": row["completion_tokens"],
                "total_tokens": row["total_tokens"],
            },
            "cost": row["cost"],
            "latency": row["latency"],
            "source": row["source"],
            "user_properties": _load(row["user_properties"]),
            "metadata": _load(row["metadata"]),
            "feedback": feedback,
            "ground_truth": row["ground_truth"],
            "created_at": row["created_at"],
        }

    def get_generation(self, generation_id: str) -> dict[str, Any] | None:
        rows = self._query(
            "SELECT g.*, f.feedback AS fb, f.ground_truth AS fb_truth FROM generations g "
            "LEFT JOIN feedback f USING (generation_id) WHERE g.generation_id = ?",
            (generation_id,),
        )
        return self._with_feedback(rows[0]) if rows else None

    def _with_feedback(self, row: sqlite3.Row) -> dict[str, Any]:
        item = self._generation_dict(row, _load(row["fb"]))
        if row["fb_truth"] is not None:
            item["ground_truth"] = row["fb_truth"]
        return item

    def list_generations(
        self, task: str | None = None, prompt: str | None = None, model_id: str | None = None
    ) -> list[dict[str, Any]]:
        sql = (
            "SELECT g.*, f.feedback AS fb, f.ground_truth AS fb_truth FROM generations g "
            "LEFT JOIN feedback f USING (generation_id) WHERE 1 = 1"
        )
        params: list[Any] = []
        if task is not None:
            sql, params = sql + " AND g.task = ?", [*params, task]
        if prompt is not None:
            sql, params = sql + " AND (g.prompt_name = ? OR g.version = ?)", [*params, prompt, prompt]
        if model_id is not None:
            sql, params = sql + " AND g.model_id = ?", [*params, model_id]
        rows = self._query(sql + " ORDER BY g.created_at, g.rowid", tuple(params))
        return [self._with_feedback(row) for row in rows]

    # ---- feedback -------------------------------------------------------------------------------

    def merge_feedback(
        self, task: str, generation_id: str, feedback: Mapping[str, Any], ground_truth: str | None
    ) -> dict[str, Any]:
        """Merge key by key (a later value wins), so a repeated delivery changes nothing."""
        stamp = now_iso()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO feedback_events (generation_id, body, received_at) VALUES (?, ?, ?)",
                (
                    generation_id,
                    _dump({"feedback_json": dict(feedback), "ground_truth": ground_truth}),
                    stamp,
                ),
            )
            row = db.execute("SELECT * FROM feedback WHERE generation_id = ?", (generation_id,)).fetchone()
            if row is None:
                merged, truth, created = dict(feedback), ground_truth, stamp
                db.execute(
                    "INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?)",
                    (generation_id, task, _dump(merged), truth, created, stamp),
                )
            else:
                merged = {**_load(row["feedback"]), **feedback}
                truth = ground_truth if ground_truth is not None else row["ground_truth"]
                created = row["created_at"]
                db.execute(
                    "UPDATE feedback SET feedback = ?, ground_truth = ?, updated_at = ? WHERE generation_id = ?",
                    (_dump(merged), truth, stamp, generation_id),
                )
        return {
            "task": task,
            "generation_id": generation_id,
            "feedback": merged,
            "ground_truth": truth,
            "created_at": created,
        }

    def feedback_events(self, generation_id: str | None = None) -> list[dict[str, Any]]:
        if generation_id is None:
            rows = self._query("SELECT * FROM feedback_events ORDER BY id")
        else:
            rows = self._query("SELECT * FROM feedback_events WHERE generation_id = ? ORDER BY id", (generation_id,))
        return [
            {
                "generation_id": row["generation_id"],
                "received_at": row["received_at"],
                **json.loads(row["body"]),
            }
            for row in rows
        ]
