"""Seeding an empty database from ``seed.yaml``: tasks and prompts, their configurations, logged
production events and annotation queues.

Each part is seeded once per database, recorded in ``seed_state``: a configuration or queue that a
user deleted does not come back at the next start, and a database made before a part existed
gets that part at its next start.

The logged events are deterministic for the seed's ``seed``: the same ids, inputs, outputs and
timings (relative to the moment of seeding) every time.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from honeyhive_api.emulator.providers import count_tokens
from honeyhive_api.emulator.store import EmulatorStore
from honeyhive_api.emulator.store.database import now_iso
from honeyhive_api.templates import render_template

SEED_STATE = "CREATE TABLE IF NOT EXISTS seed_state (part TEXT PRIMARY KEY, seeded_at TEXT NOT NULL);"
# Fixed namespace: seeded ids are the same in every database made from the same seed.
SEED_NAMESPACE = uuid.UUID("5f0c2a8e-4b1d-4f6a-9a57-3c1e2d9b7a10")
# USD per million tokens (input, output), for realistic `metadata.cost` on logged events.
PRICES = {"gpt-4o-mini": (0.15, 0.60), "gpt-3.5-turbo": (0.50, 1.50)}
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][\w.\-]*)\s*\}\}")


def seeded_id(kind: str, *names: object) -> str:
    return str(uuid.uuid5(SEED_NAMESPACE, "/".join([kind, *map(str, names)])))


def spaced_placeholders(text: str) -> str:
    """``{{topic}}`` → ``{{ topic }}``: how HoneyHive's own editor writes them."""
    return _VARIABLE.sub(lambda match: f"{{{{ {match.group(1)} }}}}", text)


def seed_if_empty(store: EmulatorStore, seed_path: str | Path, now: datetime | None = None) -> None:
    data = yaml.safe_load(Path(seed_path).read_text(encoding="utf-8")) or {}
    store.db.create(SEED_STATE)
    configurations = configurations_from_seed(data)
    parts: list[tuple[str, Callable[[], bool], Callable[[], None]]] = [
        ("tasks", store.tasks.is_empty, lambda: _seed_tasks(store, data)),
        ("configurations", store.configurations.is_empty, lambda: _seed_configurations(store, configurations)),
        ("events", store.events.is_empty, lambda: store.events.add(logged_events(data, configurations, now))),
        ("queues", store.queues.is_empty, lambda: _seed_queues(store, data)),
    ]
    seeded = {row["part"] for row in store.db.query("SELECT part FROM seed_state")}
    for part, is_empty, seed in parts:
        if part in seeded:
            continue
        if is_empty():  # a part with data from before seed_state existed is left alone
            seed()
        store.db.execute("INSERT OR IGNORE INTO seed_state VALUES (?, ?)", (part, now_iso()))


def _seed_tasks(store: EmulatorStore, data: Mapping[str, Any]) -> None:
    for task in data.get("tasks", []):
        store.tasks.create_task({"name": task["name"], "type": task.get("type")})
        for prompt in task.get("prompts", []):
            store.tasks.create_prompt(
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


def configurations_from_seed(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every task's prompts as configurations: the deployed one in ``prod``, one other in ``staging``."""
    found = []
    for task in data.get("tasks", []):
        prompts = task.get("prompts", [])
        staging = next((p for p in prompts if p.get("staging")), None) or next(
            (p for p in prompts if not p.get("deployed")), None
        )
        for prompt in prompts:
            env = ["prod"] if prompt.get("deployed") else ["staging"] if prompt is staging else []
            template = [{"role": "user", "content": spaced_placeholders(prompt["text"])}]
            if task.get("system"):
                template.insert(0, {"role": "system", "content": task["system"]})
            found.append(
                {
                    "id": seeded_id("configuration", prompt["name"]),
                    "name": prompt["name"],
                    "type": "LLM",
                    "provider": prompt.get("provider") or "openai",
                    "parameters": {
                        "call_type": "chat",
                        "model": prompt["model"],
                        "hyperparameters": prompt.get("hyperparameters") or {},
                        "template": template,
                        "responseFormat": None,
                        "selectedFunctions": [],
                        "functionCallParams": None,
                        "forceFunction": None,
                    },
                    "env": env,
                    "tags": [task["name"]],
                    "user_properties": {},
                    "task": task["name"],  # not stored: which task's examples its events use
                }
            )
    return found


def _seed_configurations(store: EmulatorStore, configurations: list[dict[str, Any]]) -> None:
    for item in configurations:
        store.configurations.create({k: v for k, v in item.items() if k != "task"}, config_id=item["id"])


def _seed_queues(store: EmulatorStore, data: Mapping[str, Any]) -> None:
    for number, queue in enumerate(data.get("queues", [])):
        store.queues.create(queue, queue_id=seeded_id("queue", number))


def logged_events(
    data: Mapping[str, Any], configurations: list[dict[str, Any]], now: datetime | None = None
) -> list[dict[str, Any]]:
    """Production traffic: sessions of one to four ``model`` events each, without feedback."""
    settings = data.get("logged_events") or {}
    count = int(settings.get("count", 0))
    if not count:
        return []
    rng = random.Random(int(settings.get("seed", 0)))  # noqa: S311 (reproducible sample data)
    span_ms = float(settings.get("days", 7)) * 86_400_000
    staging_share = float(settings.get("staging_share", 0.2))
    # Whole hours: the same seed in the same hour gives the same timestamps.
    anchor = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0).timestamp() * 1000
    tasks = [task for task in data.get("tasks", []) if task.get("examples")]
    deployed = {task["name"]: _with_env(configurations, task["name"], "prod") for task in tasks}
    staged = {task["name"]: _with_env(configurations, task["name"], "staging") for task in tasks}
    events: list[dict[str, Any]] = []
    model_events = session_number = 0
    while model_events < count:
        session_number += 1
        task = rng.choice(tasks)
        session_id = seeded_id("session", session_number)
        user = f"user-{rng.randint(1, 40):03d}"
        start = anchor - rng.uniform(0, span_ms)
        calls = min(rng.randint(1, 4), count - model_events)
        children: list[dict[str, Any]] = []
        clock = start + rng.uniform(5, 50)
        for _ in range(calls):
            model_events += 1
            config = staged[task["name"]] if rng.random() < staging_share else deployed[task["name"]]
            example = rng.choice(task["examples"])
            duration = _duration(rng, task["name"])
            children.append(
                _model_event(config, example, session_id, user, clock, duration, seeded_id("event", model_events))
            )
            clock += duration + rng.uniform(2_000, 90_000)  # the user reads, then asks again
        events.append(
            {
                "event_id": session_id,
                "event_type": "session",
                "event_name": "hive-review-production",
                "source": "production",
                "session_id": session_id,
                "children_ids": [child["event_id"] for child in children],
                "inputs": {},
                "start_time": start,
                "end_time": clock,
                "user_properties": {"user_id": user},
                "metadata": {"task": task["name"]},
            }
        )
        events.extend(children)
    return events


def _with_env(configurations: list[dict[str, Any]], task: str, env: str) -> dict[str, Any]:
    return next(item for item in configurations if item["task"] == task and env in item["env"])


def _duration(rng: random.Random, task: str) -> float:
    """Milliseconds: summaries read a ticket and run longer; some calls are slow (a long tail)."""
    base = rng.lognormvariate(7.2, 0.45) if "Summar" in task else rng.lognormvariate(6.8, 0.4)
    return round(base * (3 if rng.random() < 0.08 else 1), 1)


def _model_event(
    config: Mapping[str, Any],
    example: Mapping[str, Any],
    session_id: str,
    user: str,
    start: float,
    duration: float,
    event_id: str,
) -> dict[str, Any]:
    parameters = config["parameters"]
    variables = {key: str(value) for key, value in example["inputs"].items()}
    messages = [
        {"role": message["role"], "content": render_template(message["content"], variables)}
        for message in parameters["template"]
    ]
    output = str(example["output"]).strip()
    prompt_tokens = sum(count_tokens(message["content"]) for message in messages) + 4 * len(messages)
    completion_tokens = count_tokens(output)
    price_in, price_out = PRICES.get(parameters["model"], (0.5, 1.5))
    return {
        "event_id": event_id,
        "event_type": "model",
        "event_name": config["name"],
        "source": "production",
        "session_id": session_id,
        "parent_id": session_id,
        "config": {
            "name": config["name"],
            "configuration_id": config["id"],
            "env": config["env"][0],
            "provider": config["provider"],
            "model": parameters["model"],
            "call_type": parameters["call_type"],
            "hyperparameters": parameters["hyperparameters"],
            "template": parameters["template"],
        },
        "inputs": {**variables, "chat_history": messages},
        "outputs": {"role": "assistant", "content": output},
        "start_time": round(start, 1),
        "end_time": round(start + duration, 1),
        "duration": duration,
        "metadata": {
            "task": config["task"],
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "cost": round((prompt_tokens * price_in + completion_tokens * price_out) / 1_000_000, 8),
            "finish_reason": "stop",
        },
        "user_properties": {"user_id": user},
    }
