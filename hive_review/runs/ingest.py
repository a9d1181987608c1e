"""Log completions made elsewhere through ``POST /generations/log`` and add them to the session log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hive_review.log.entries import RunContext, entry_from_generation
from hive_review.log.store import LogStore
from hive_review.ports import GenerationLogger
from hive_review.runs.upload_rows import IngestRow
from honeyhive_api import HoneyHiveError


@dataclass
class IngestResult:
    logged: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)  # (1-based row number, message)


def ingest_completions(
    client: GenerationLogger,
    log: LogStore,
    rows: Sequence[IngestRow],
    *,
    task: str,
    session_id: str,
    reviewer: str,
    source: str,
    batch_id: str,
    on_progress: Callable[[int, int], None] | None = None,
) -> IngestResult:
    """Log each row; a row HoneyHive refuses is reported with its number and does not stop the rest."""
    result = IngestResult()
    entries = []
    for number, row in enumerate(rows, start=1):
        row_task = row.task or task  # a `task` column in the file wins over the task picked on the page
        try:
            generation = client.log_generation(
                row_task,
                row.model,
                row.completion,
                hyperparameters={},
                prompt_template=row.prompt_template,
                inputs=row.inputs or None,
                prompt=row.prompt,
                usage=row.usage,
                latency=row.latency_ms,
                source=source,
                user_properties={"user_id": reviewer},
            )
        except HoneyHiveError as exc:
            result.failures.append((number, exc.message))
        else:
            if not generation.model:
                generation = generation.model_copy(update={"model": row.model})
            if generation.latency is None and row.latency_ms is not None:
                generation = generation.model_copy(update={"latency": row.latency_ms})
            context = RunContext(
                session_id=session_id,
                reviewer=reviewer,
                task=row_task,
                origin="ingest",
                source=source,
                batch_id=batch_id,
            )
            entries.append(entry_from_generation(generation, context, inputs=row.inputs))
            result.logged += 1
        if on_progress is not None:
            on_progress(number, len(rows))
    log.add_entries(entries)
    return result
