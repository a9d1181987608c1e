"""Run a batch of inputs against a task's deployed prompt or chosen variants, with bounded
concurrency, live progress, cancel and resume. Results land in the session log.

The runner does its own retrying (the client it is given retries nothing) so that an item can
show "retrying", and so that a generation is repeated only when HoneyHive cannot have made it:
429, 503, or a connection that was never opened. Anything else fails that item with its error;
the batch goes on.

On the current API with the durable outbox, the runs' events are committed with their log rows and
sent in groups (``batch_events``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.background import BackgroundJob
from hive_review.feedback.event_items import QueuedEvent
from hive_review.log.entries import LogEntry, RunContext, entry_from_generation
from hive_review.log.store import LogStore
from hive_review.ports import Generator, reviewer_properties
from hive_review.run_sources import BATCH_SOURCE, source_for
from hive_review.runs.batch_events import DurableEvents, RunEvents, defer_events
from hive_review.runs.batch_store import (
    DEPLOYED,
    DONE,
    FAILED,
    QUEUED,
    RETRYING,
    RUNNING,
    Batch,
    BatchItem,
    BatchStore,
    batch_items,
)
from honeyhive_api import HoneyHiveError
from honeyhive_api.retrying import backoff_delay, not_processed

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
# How long the recorder gathers results before a commit (the batch's progress shows them then).
COMMIT_EVERY = 0.1
MAX_CONCURRENCY = 32


def batch_source(chosen: str) -> str:
    """The source batch runs are sent with: the one the reviewer set in the sidebar, else ``batch``.

    The sidebar's default names the Playground; sent with batch runs, it would mix them with the
    runs a reviewer made one by one wherever HoneyHive filters by source.
    """
    return source_for(chosen, BATCH_SOURCE)


def batch_signature(task: str, rows: Sequence[Mapping[str, str]], variants: Sequence[str], repeats: int) -> str:
    """Names what a batch runs: its task, rows of inputs, variants and repeats (not its concurrency,
    which changes only how fast). Two batches of one signature make the same generations."""
    what = {
        "task": task,
        "rows": [dict(row) for row in rows],
        "variants": sorted(set(variants) or {DEPLOYED}),
        "repeats": repeats,
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def stored_batch_signature(batches: BatchStore, batch: Batch) -> str:
    """``batch_signature`` of a batch in the database."""
    return batch_signature(batch.task, batches.input_rows(batch.id), batch.variants, batch.repeats)


class BatchRunner(BackgroundJob):
    """Runs the unfinished items of one batch on a background thread. ``cancel`` stops taking new
    items; items already at HoneyHive finish. The rest stay queued."""

    def __init__(
        self,
        client: Generator,
        log: LogStore,
        batches: BatchStore,
        batch_id: str,
        *,
        reviewer: str,
        source: str,
        max_attempts: int = 5,
        base_delay: float = 0.5,
        max_delay: float = 10.0,
        sleep: Callable[[float], bool] | None = None,
    ) -> None:
        batch = batches.get_batch(batch_id)
        if batch is None:
            raise ValueError(f"No batch {batch_id!r} in this database.")
        super().__init__(f"batch-{batch_id}")
        self.batch = batch
        self._client = client
        self._log = log
        self._batches = batches
        self._reviewer = reviewer
        self._source = source
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        # Waiting out a backoff ends early on cancel: Event.wait returns True once it is set.
        self._sleep = sleep or self._cancelled.wait

    def _before_start(self) -> None:
        self._batches.reset_interrupted(self.batch.id)

    def _run(self) -> None:
        items = self._batches.items(self.batch.id, [QUEUED])
        client, run_events, outbox = defer_events(self._client, self._batches.database)
        recorder = _Recorder(self._log, self._batches, outbox)
        recorder.start()
        try:
            with ThreadPoolExecutor(max_workers=self.batch.concurrency, thread_name_prefix="batch") as pool:
                for item in items:
                    pool.submit(self._run_item, item, client, run_events, recorder)
        finally:
            recorder.close()

    def _run_item(self, item: BatchItem, client: Generator, run_events: RunEvents | None, recorder: _Recorder) -> None:
        if self._cancelled.is_set():
            return
        attempts = item.attempts
        recorder.mark(item.id, RUNNING, attempts=attempts)
        while True:
            attempts += 1
            if run_events is not None:
                run_events.take()  # nothing an earlier attempt left: only this run's event goes with it
            try:
                generation = client.generate(
                    self.batch.task,
                    item.inputs,
                    prompts=None if item.variant == DEPLOYED else [item.variant],
                    user_properties=reviewer_properties(self._reviewer),
                    source=self._source,
                )
            except HoneyHiveError as error:
                if not_processed(error) and attempts < self._max_attempts and not self._cancelled.is_set():
                    recorder.mark(item.id, RETRYING, attempts=attempts, error=error.message)
                    retry_after = getattr(error, "retry_after", None)
                    delay = backoff_delay(attempts, base=self._base_delay, cap=self._max_delay, retry_after=retry_after)
                    if self._sleep(delay):
                        recorder.mark(item.id, QUEUED, attempts=attempts, error=error.message)
                        return
                    continue
                recorder.mark(item.id, FAILED, attempts=attempts, error=error.message)
                return
            except Exception as error:  # a bug must fail its item, not silently kill the worker
                log.exception("batch item %s failed unexpectedly", item.id)
                recorder.mark(item.id, FAILED, attempts=attempts, error=f"internal error: {error}")
                return
            context = RunContext(
                session_id=self.batch.session_id,
                reviewer=self._reviewer,
                task=self.batch.task,
                origin="batch",
                source=self._source,
                batch_id=self.batch.id,
            )
            entry = entry_from_generation(generation, context, inputs=item.inputs, prompt_name=item.variant or None)
            recorder.done(item.id, attempts, entry, run_events.take() if run_events is not None else [])
            return


class _Recorder:
    """Writes the workers' results on one thread, many per commit.

    Workers hand over "running", "retrying", "failed" and "done" (with the log row and, with an
    outbox, the run's event) and go straight back to HoneyHive: a worker never waits for the
    database, and the database sees one writer instead of sixteen. A log row, its item's "done" and
    its event's outbox item are always in the same commit.
    """

    def __init__(self, log: LogStore, batches: BatchStore, outbox: DurableEvents | None = None) -> None:
        self._log = log
        self._batches = batches
        self._outbox = outbox
        self._queue: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._write_loop, name="batch-recorder", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def mark(self, item_id: int, status: str, *, attempts: int, error: str | None = None) -> None:
        self._queue.put(("mark", item_id, status, attempts, error))

    def done(self, item_id: int, attempts: int, entry: LogEntry, events: Sequence[QueuedEvent] = ()) -> None:
        self._queue.put(("done", item_id, attempts, entry, events))

    def close(self) -> None:
        """Write what is left, then stop; the outbox sends the last events without waiting for more."""
        self._queue.put(None)
        self._thread.join()
        if self._outbox is not None:
            self._outbox.flush_events()

    def _write_loop(self) -> None:
        finished = False
        while not finished:
            pending = [self._queue.get()]
            # Take what arrives within a short while: one commit for all of it. Each commit has a
            # fixed cost (the session's revision, the statements), paid on the workers' GIL.
            deadline = time.monotonic() + COMMIT_EVERY
            while pending[-1] is not None:
                try:
                    pending.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            if None in pending:
                finished = True
                pending = [event for event in pending if event is not None]
            try:
                self._write(pending)
            except Exception:  # keep the workers' results flowing; the batch can be resumed
                log.exception("batch recorder: could not write %d results", len(pending))

    def _write(self, events: list[tuple[Any, ...]]) -> None:
        if not events:
            return
        run_events: list[QueuedEvent] = [run_event for event in events if event[0] == "done" for run_event in event[4]]
        with self._batches.database.transaction() as db:
            entries = [event[3] for event in events if event[0] == "done"]
            self._log.add_entries(entries, db=db)
            if run_events and self._outbox is not None:
                self._outbox.queue_events(run_events, db=db)
            _mark_items(db, events)
        if run_events and self._outbox is not None:
            self._outbox.events_committed(len(run_events))


_ITEM = batch_items.c
# Bound parameters of the statements below: named apart from the columns, which UPDATE reserves.
_SET_STATUS = (
    batch_items.update()
    .where(_ITEM.id == sa.bindparam("item"))
    .values(status=sa.bindparam("to_status"), error=sa.bindparam("to_error"), attempts=sa.bindparam("to_attempts"))
)
_SET_DONE = _SET_STATUS.values(generation_id=sa.bindparam("to_generation"))


def _mark_items(db: Connection, events: list[tuple[Any, ...]]) -> None:
    """The items' statuses as ``BatchStore.mark`` sets them, in two statements: only each item's
    latest in this commit is written (a "running" then "done" of one item is its "done"), and one
    executemany per statement instead of a statement per mark (800 in a 400-row batch before)."""
    latest: dict[int, dict[str, Any]] = {}
    for event in events:
        if event[0] == "mark":
            _, item_id, status, attempts, error = event
            latest[item_id] = {"item": item_id, "to_status": status, "to_error": error, "to_attempts": attempts}
        else:
            _, item_id, attempts, entry, _ = event
            latest[item_id] = {"item": item_id, "to_status": DONE, "to_error": None, "to_attempts": attempts,
                               "to_generation": entry.generation_id}  # fmt: skip
    done = [values for values in latest.values() if "to_generation" in values]
    others = [values for values in latest.values() if "to_generation" not in values]
    if done:
        db.execute(_SET_DONE, done)
    if others:
        db.execute(_SET_STATUS, others)
