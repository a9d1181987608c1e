"""Generations and their feedback (the task-based API), and every feedback delivery as received."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Mapping
from typing import Any

from honeyhive_api.emulator.store.database import Database, dump, load, now_iso

SCHEMA = """
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

_WITH_FEEDBACK = (
    "SELECT g.*, f.feedback AS fb, f.ground_truth AS fb_truth FROM generations g "
    "LEFT JOIN feedback f USING (generation_id)"
)


def _generation_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "generation_id": row["generation_id"],
        "version": row["version"],
        "task": row["task"],
        "model": row["model"],
        "model_id": row["model_id"],
        "hyperparameters": load(row["hyperparameters"]),
        "prompt_name": row["prompt_name"],
        "prompt_template": row["prompt_template"],
        "inputs": load(row["inputs"]),
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
        "user_properties": load(row["user_properties"]),
        "metadata": load(row["metadata"]),
        "feedback": load(row["fb"]),
        # Feedback's ground truth (sent later) wins over the one logged with the generation.
        "ground_truth": row["fb_truth"] if row["fb_truth"] is not None else row["ground_truth"],
        "created_at": row["created_at"],
    }


class GenerationStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        db.create(SCHEMA)

    def add_generation(self, record: Mapping[str, Any]) -> dict[str, Any]:
        generation_id = uuid.uuid4().hex
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO generations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    generation_id,
                    record["task"],
                    record["version"],
                    record.get("prompt_name"),
                    record["model"],
                    record.get("model_id"),
                    dump(record.get("hyperparameters") or {}),
                    record.get("prompt_template"),
                    dump(record.get("inputs")),
                    record.get("prompt"),
                    record["generation"],
                    int(record["prompt_tokens"]),
                    int(record["completion_tokens"]),
                    int(record["total_tokens"]),
                    float(record["cost"]),
                    float(record["latency"]),
                    record.get("source") or "api",
                    dump(record.get("user_properties")),
                    dump(record.get("metadata")),
                    record.get("ground_truth"),
                    record["kind"],
                    now_iso(),
                ),
            )
        if record.get("feedback"):
            self.merge_feedback(record["task"], generation_id, record["feedback"], record.get("ground_truth"))
        found = self.get_generation(generation_id)
        assert found is not None
        return found

    def get_generation(self, generation_id: str) -> dict[str, Any] | None:
        rows = self._db.query(f"{_WITH_FEEDBACK} WHERE g.generation_id = ?", (generation_id,))
        return _generation_dict(rows[0]) if rows else None

    def list_generations(
        self, task: str | None = None, prompt: str | None = None, model_id: str | None = None
    ) -> list[dict[str, Any]]:
        sql, params = f"{_WITH_FEEDBACK} WHERE 1 = 1", []
        if task is not None:
            sql, params = sql + " AND g.task = ?", [*params, task]
        if prompt is not None:
            sql, params = sql + " AND (g.prompt_name = ? OR g.version = ?)", [*params, prompt, prompt]
        if model_id is not None:
            sql, params = sql + " AND g.model_id = ?", [*params, model_id]
        rows = self._db.query(sql + " ORDER BY g.created_at, g.rowid", tuple(params))
        return [_generation_dict(row) for row in rows]

    def merge_feedback(
        self, task: str, generation_id: str, feedback: Mapping[str, Any], ground_truth: str | None
    ) -> dict[str, Any]:
        """Merge key by key (a later value wins), so a repeated delivery changes nothing."""
        stamp = now_iso()
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO feedback_events (generation_id, body, received_at) VALUES (?, ?, ?)",
                (generation_id, dump({"feedback_json": dict(feedback), "ground_truth": ground_truth}), stamp),
            )
            row = db.execute("SELECT * FROM feedback WHERE generation_id = ?", (generation_id,)).fetchone()
            if row is None:
                merged, truth, created = dict(feedback), ground_truth, stamp
                db.execute(
                    "INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?)",
                    (generation_id, task, dump(merged), truth, created, stamp),
                )
            else:
                merged = {**load(row["feedback"]), **feedback}
                truth = ground_truth if ground_truth is not None else row["ground_truth"]
                created = row["created_at"]
                db.execute(
                    "UPDATE feedback SET feedback = ?, ground_truth = ?, updated_at = ? WHERE generation_id = ?",
                    (dump(merged), truth, stamp, generation_id),
                )
        return {
            "task": task,
            "generation_id": generation_id,
            "feedback": merged,
            "ground_truth": truth,
            "created_at": created,
        }

    def feedback_deliveries(self, generation_id: str | None = None) -> list[dict[str, Any]]:
        """Every ``POST /feedback`` as received, oldest first."""
        if generation_id is None:
            rows = self._db.query("SELECT * FROM feedback_events ORDER BY id")
        else:
            rows = self._db.query("SELECT * FROM feedback_events WHERE generation_id = ? ORDER BY id", (generation_id,))
        return [
            {
                "api": "legacy",
                "generation_id": row["generation_id"],
                "event_id": None,
                "received_at": row["received_at"],
                **json.loads(row["body"]),
            }
            for row in rows
        ]
