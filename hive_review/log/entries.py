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
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
        total_tokens=usage.total_tokens if usage else None,
        cost=generation.cost,
        generation_id=generation.generation_id,
        batch_id=context.batch_id,
        comparison_id=context.comparison_id,
    )
