"""Log completions made elsewhere through ``POST /generations/log`` and add them to the session log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from hive_review.log import columns as col
from hive_review.log.entries import LogEntry, RunContext, entry_from_generation
from hive_review.log.store import LogStore
from hive_review.ports import ReviewBackend, reviewer_properties
from hive_review.runs.upload_rows import IngestRow
from honeyhive_api import HoneyHiveError


@dataclass
class IngestResult:
    logged: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)  # (1-based row number, message)


def ingest_completions(
    client: ReviewBackend,
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
                user_properties=reviewer_properties(reviewer),
            )
        except HoneyHiveError as exc:
            result.failures.append((number, exc.message))
        else:
            if not generation.model:
                generation = generation.model_copy(update={"model": row.model})
            context = RunContext(
                session_id=session_id,
                reviewer=reviewer,
                task=row_task,
                origin="ingest",
                source=source,
                batch_id=batch_id,
            )
            entries.append(_numbers_of_the_file(entry_from_generation(generation, context, inputs=row.inputs), row))
            result.logged += 1
        if on_progress is not None:
            on_progress(number, len(rows))
    log.add_entries(entries)
    return result


def _numbers_of_the_file(entry: LogEntry, row: IngestRow) -> LogEntry:
    """The latency and token counts of a completion made elsewhere are the file's: HoneyHive measured
    nothing, it only echoes what it was sent, and answers 0 for what it was not sent (the emulator
    does, for latency, each token count and cost). A number the file lacks stays missing, so that it
    does not enter a median or a mean as 0. A cost is kept only with token counts to base it on."""
    usage = row.usage or {}
    return replace(
        entry,
        latency_ms=row.latency_ms,
        prompt_tokens=usage.get(col.PROMPT_TOKENS),
        completion_tokens=usage.get(col.COMPLETION_TOKENS),
        total_tokens=usage.get(col.TOTAL_TOKENS),
        cost=entry.cost if usage else None,
    )
