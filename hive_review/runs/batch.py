"""Run a batch of inputs against a task's deployed prompt or chosen variants, with bounded
concurrency, live progress, cancel and resume. Results land in the session log.

The runner does its own retrying (the client it is given retries nothing) so that an item can
show "retrying", and so that a generation is repeated only when HoneyHive cannot have made it:
429, 503, or a connection that was never opened. Anything else fails that item with its error;
the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

from hive_review.log.entries import LogEntry, RunContext, entry_from_generation
from hive_review.log.store import LogStore
from hive_review.ports import Generator
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
)
from hive_review.settings import SOURCE_DEFAULT
from honeyhive_api import HoneyHiveError
from honeyhive_api.retrying import backoff_delay, not_processed

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 32
BATCH_SOURCE: Final = "batch"


def batch_source(chosen: str) -> str:
    """The source batch runs are sent with: the one the reviewer set in the sidebar, else ``batch``.

    The sidebar's default names the Playground; sent with batch runs, it would mix them with the
    runs a reviewer made one by one wherever HoneyHive filters by source.
    """
    chosen = chosen.strip()
    return chosen if chosen and chosen != SOURCE_DEFAULT else BATCH_SOURCE


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


class BatchRunner:
    """Runs the unfinished items of one batch on a background thread."""

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
        self.batch = batch
        self._client = client
        self._log = log
        self._batches = batches
        self._reviewer = reviewer
        self._source = source
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._cancelled = threading.Event()
        self._thread: threading.Thread | None = None
        # Waiting out a backoff ends early on cancel: Event.wait returns True once it is set.
        self._sleep = sleep or self._cancelled.wait

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._cancelled.clear()
        self._batches.reset_interrupted(self.batch.id)
        self._thread = threading.Thread(target=self._run, name=f"batch-{self.batch.id}", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Stop taking new items; items already at HoneyHive finish. The rest stay queued."""
        self._cancelled.set()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _run(self) -> None:
        items = self._batches.items(self.batch.id, [QUEUED])
        recorder = _Recorder(self._log, self._batches)
        recorder.start()
        try:
            with ThreadPoolExecutor(max_workers=self.batch.concurrency, thread_name_prefix="batch") as pool:
                for item in items:
                    pool.submit(self._run_item, item, recorder)
        finally:
            recorder.close()

    def _run_item(self, item: BatchItem, recorder: _Recorder) -> None:
        if self._cancelled.is_set():
            return
        attempts = item.attempts
        recorder.mark(item.id, RUNNING, attempts=attempts)
        while True:
            attempts += 1
            try:
                generation = self._client.generate(
                    self.batch.task,
                    item.inputs,
                    prompts=None if item.variant == DEPLOYED else [item.variant],
                    user_properties={"user_id": self._reviewer},
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
            recorder.done(item.id, attempts, entry)
            return


class _Recorder:
    """Writes the workers' results on one thread, many per commit.

    Workers hand over "running", "retrying", "failed" and "done" (with the log row) and go straight
    back to HoneyHive: a worker never waits for the database, and the database sees one writer
    instead of sixteen. A log row and its item's "done" are always in the same commit.
    """

    def __init__(self, log: LogStore, batches: BatchStore) -> None:
        self._log = log
        self._batches = batches
        self._queue: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._write_loop, name="batch-recorder", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def mark(self, item_id: int, status: str, *, attempts: int, error: str | None = None) -> None:
        self._queue.put(("mark", item_id, status, attempts, error))

    def done(self, item_id: int, attempts: int, entry: LogEntry) -> None:
        self._queue.put(("done", item_id, attempts, entry))

    def close(self) -> None:
        """Write what is left, then stop."""
        self._queue.put(None)
        self._thread.join()

    def _write_loop(self) -> None:
        finished = False
        while not finished:
            pending = [self._queue.get()]
            while True:  # take everything that is waiting: one commit for all of it
                try:
                    pending.append(self._queue.get_nowait())
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
        with self._batches.database.transaction() as db:
            entries = [event[3] for event in events if event[0] == "done"]
            self._log.add_entries(entries, db=db)
            for event in events:
                if event[0] == "mark":
                    _, item_id, status, attempts, error = event
                    self._batches.mark(item_id, status, attempts=attempts, error=error, db=db)
                else:
                    _, item_id, attempts, entry = event
                    self._batches.mark(item_id, DONE, attempts=attempts, generation_id=entry.generation_id, db=db)
