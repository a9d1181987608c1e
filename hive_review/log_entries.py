"""Turn what HoneyHive answered into a row of the session log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from hive_review.store import LogEntry
from honeyhive_api import Generation


def entry_from_generation(
    generation: Generation,
    *,
    session_id: str,
    reviewer: str,
    task: str,
    inputs: Mapping[str, str],
    origin: str,
    source: str,
    prompt_name: str | None = None,
    batch_id: str | None = None,
    comparison_id: str | None = None,
) -> LogEntry:
    usage = generation.token_counts()
    extra = generation.model_extra or {}
    created = generation.created_at or datetime.now(UTC)
    return LogEntry(
        timestamp=created.astimezone(UTC) if created.tzinfo else created.replace(tzinfo=UTC),
        session_id=session_id,
        reviewer=reviewer,
        task=task,
        prompt_name=prompt_name or str(extra.get("prompt_name") or ""),
        prompt_version=generation.version,
        model=generation.model or "",
        source=generation.source or source,
        origin=origin,
        inputs={str(k): str(v) for k, v in inputs.items()},
        completion=generation.generation,
        latency_ms=generation.latency,
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
        total_tokens=usage.total_tokens if usage else None,
        cost=generation.cost,
        generation_id=generation.generation_id,
        batch_id=batch_id,
        comparison_id=comparison_id,
    )
