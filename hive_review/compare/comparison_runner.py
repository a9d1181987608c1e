"""Make the runs of a comparison set in the background, like a batch: the reviewer may leave the
Compare page (or the browser) and every run started still reaches the session log.

Each generation is logged as it completes, under its comparison's id, and its run is marked done in
the same transaction: a comparison shown again later is read from the store, never from a page's
memory. The client's own retries handle 429 and 503 (a comparison has no "retrying" to show).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from hive_review.background import BackgroundJob
from hive_review.compare.comparison_store import (
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    Comparison,
    ComparisonRun,
    ComparisonStore,
)
from hive_review.log.entries import RunContext, entry_from_generation
from hive_review.log.store import LogStore
from hive_review.ports import Generator, reviewer_properties
from honeyhive_api import HoneyHiveError

log = logging.getLogger(__name__)


class ComparisonRunner(BackgroundJob):
    """Runs the queued runs of one set on a background thread, ``concurrency`` at a time, in the
    set's order (a blind set's first pairs are ready first). ``cancel`` starts no more runs; those
    already at HoneyHive finish and are logged."""

    def __init__(
        self,
        client: Generator,
        log_store: LogStore,
        store: ComparisonStore,
        set_id: str,
        *,
        reviewer: str,
        concurrency: int,
    ) -> None:
        super().__init__(f"compare-{set_id}")
        self.set_id = set_id
        self._client = client
        self._log = log_store
        self._store = store
        self._reviewer = reviewer
        self._concurrency = max(1, concurrency)

    def _before_start(self) -> None:
        # Runs a stopped process left "running" never finished: they go again.
        self._store.requeue(self.set_id, [RUNNING])

    def _run(self) -> None:
        queued = [
            (comparison, run)
            for comparison in self._store.set_comparisons(self.set_id)
            for run in comparison.runs
            if run.status == QUEUED
        ]
        with ThreadPoolExecutor(max_workers=self._concurrency, thread_name_prefix="compare") as pool:
            for comparison, run in queued:
                pool.submit(self._run_one, comparison, run)

    def _run_one(self, comparison: Comparison, run: ComparisonRun) -> None:
        if self._cancelled.is_set():
            return
        try:
            self._store.mark(run.id, RUNNING)
            generation = self._client.generate(
                comparison.task,
                comparison.inputs,
                prompts=[run.variant],
                user_properties=reviewer_properties(self._reviewer),
                source=comparison.source,
            )
        except HoneyHiveError as error:
            self._fail(run, error.message)
            return
        except Exception as error:  # a bug must fail its run, not silently kill the worker
            log.exception("comparison run %s failed unexpectedly", run.id)
            self._fail(run, f"internal error: {error}")
            return
        context = RunContext(
            session_id=comparison.session_id,
            reviewer=self._reviewer,
            task=comparison.task,
            origin=comparison.origin,
            source=comparison.source,
            comparison_id=comparison.id,
        )
        entry = entry_from_generation(generation, context, inputs=comparison.inputs, prompt_name=run.variant)
        try:
            with self._store.database.transaction() as db:
                self._log.add_entries([entry], db=db)
                self._store.mark(run.id, DONE, generation_id=entry.generation_id, db=db)
        except Exception:
            log.exception("comparison run %s: could not record generation %s", run.id, entry.generation_id)

    def _fail(self, run: ComparisonRun, message: str) -> None:
        try:
            self._store.mark(run.id, FAILED, error=message)
        except Exception:
            log.exception("comparison run %s: could not record its failure", run.id)


class ComparisonRunners:
    """The comparison runners of this server process, by set id: a set keeps running while its
    reviewer moves between pages, and any session can show its progress."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runners: dict[str, ComparisonRunner] = {}

    def get(self, set_id: str) -> ComparisonRunner | None:
        with self._lock:
            return self._runners.get(set_id)

    def running(self, set_id: str) -> bool:
        runner = self.get(set_id)
        return runner is not None and runner.running

    def start(self, runner: ComparisonRunner) -> ComparisonRunner:
        with self._lock:
            current = self._runners.get(runner.set_id)
            if current is not None and current.running:
                return current
            self._runners[runner.set_id] = runner
            runner.start()  # under the lock: two sessions resuming one set start one runner
        return runner
