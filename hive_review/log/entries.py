"""A generation entering the session log (its rating comes later), and how one is made from what
HoneyHive answered."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hive_review.feedback.status import FeedbackStatus
from hive_review.log import columns as col
from honeyhive_api import Generation


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


@dataclass
class LogEntry:
    """One row of the session log, before it is rated."""

    generation_id: str
    session_id: str
    reviewer: str
    task: str
    prompt_version: str
    completion: str
    timestamp: datetime = field(default_factory=utc_now)
    prompt_name: str = ""
    model: str = ""
    source: str = ""
    origin: str = "playground"
    inputs: Mapping[str, str] = field(default_factory=dict)
    latency_ms: float | None = None
    model_latency_ms: float | None = None
    first_token_ms: float | None = None
    wait_ms: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    cost: float | None = None
    batch_id: str | None = None
    comparison_id: str | None = None
    preference: str | None = None

    def row(self) -> dict[str, Any]:
        return {
            col.GENERATION_ID: self.generation_id,
            col.SESSION_ID: self.session_id,
            col.TIMESTAMP: iso(self.timestamp),
            col.REVIEWER: self.reviewer,
            col.TASK: self.task,
            col.PROMPT_NAME: self.prompt_name,
            col.PROMPT_VERSION: self.prompt_version,
            col.MODEL: self.model,
            col.SOURCE: self.source,
            col.ORIGIN: self.origin,
            col.INPUTS_JSON: json.dumps(dict(self.inputs), ensure_ascii=False),
            col.COMPLETION: self.completion,
            col.LATENCY_MS: self.latency_ms,
            col.MODEL_LATENCY_MS: self.model_latency_ms,
            col.FIRST_TOKEN_MS: self.first_token_ms,
            col.WAIT_MS: self.wait_ms,
            col.PROMPT_TOKENS: self.prompt_tokens,
            col.COMPLETION_TOKENS: self.completion_tokens,
            col.TOTAL_TOKENS: self.total_tokens,
            col.COST: self.cost,
            col.BATCH_ID: self.batch_id,
            col.COMPARISON_ID: self.comparison_id,
            col.PREFERENCE: self.preference,
            col.FEEDBACK_STATUS: FeedbackStatus.UNRATED.value,
        }


@dataclass(frozen=True)
class RunContext:
    """Who ran a generation, where, and for what: the same for every generation of one run."""

    session_id: str
    reviewer: str
    task: str
    origin: str
    source: str
    batch_id: str | None = None
    comparison_id: str | None = None


# Where a backend's ``Generation`` carries the model's own times among its extra fields: the
# current API's backend names them as the log does; the task API's emulator answers ``model_latency``
# and ``queue_ms`` (HoneyHive itself answers none of them).
_TIMING_FIELDS: dict[str, tuple[str, ...]] = {
    col.MODEL_LATENCY_MS: (col.MODEL_LATENCY_MS, "model_latency"),
    col.FIRST_TOKEN_MS: (col.FIRST_TOKEN_MS,),
    col.WAIT_MS: (col.WAIT_MS, "queue_ms"),
}


def generation_timings(generation: Generation) -> dict[str, float | None]:
    """The model's own time, its time to the first token and the wait for it, in milliseconds;
    ``None`` for each the answer did not give."""
    extra = generation.model_extra or {}
    found: dict[str, float | None] = {}
    for column, names in _TIMING_FIELDS.items():
        value = next((extra[name] for name in names if extra.get(name) is not None), None)
        try:
            number = float(value) if value is not None and not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None  # a server's odd value is left out, not a failed run
        found[column] = number if number is None or number >= 0 else None
    return found


def entry_from_generation(
    generation: Generation,
    context: RunContext,
    *,
    inputs: Mapping[str, str],
    prompt_name: str | None = None,
) -> LogEntry:
    usage = generation.token_counts()
    extra = generation.model_extra or {}
    created = generation.created_at or utc_now()
    timings = generation_timings(generation)
    return LogEntry(
        timestamp=created.astimezone(UTC) if created.tzinfo else created.replace(tzinfo=UTC),
        session_id=context.session_id,
        reviewer=context.reviewer,
        task=context.task,
        prompt_name=prompt_name or str(extra.get("prompt_name") or ""),
        prompt_version=generation.version,
        model=generation.model or "",
        source=generation.source or context.source,
        origin=context.origin,
        inputs={str(k): str(v) for k, v in inputs.items()},
        completion=generation.generation,
        latency_ms=generation.latency,
        model_latency_ms=timings[col.MODEL_LATENCY_MS],
        first_token_ms=timings[col.FIRST_TOKEN_MS],
        wait_ms=timings[col.WAIT_MS],
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
        total_tokens=usage.total_tokens if usage else None,
        cost=generation.cost,
        generation_id=generation.generation_id,
        batch_id=context.batch_id,
        comparison_id=context.comparison_id,
    )
