"""A job on one background thread that a page starts, cancels and waits for (a batch's items, a
comparison set's runs): the reviewer may leave the page, and the work goes on in the server.
"""

from __future__ import annotations

import threading


class BackgroundJob:
    """``_run`` on a daemon thread, started at most once at a time. ``cancel`` only sets
    ``_cancelled``: the job checks it between pieces of work, so work already started finishes."""

    def __init__(self, thread_name: str) -> None:
        self._thread_name = thread_name
        self._cancelled = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the job, unless it is running already."""
        if self.running:
            return
        self._cancelled.clear()
        self._before_start()
        self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Start no more work; what is under way finishes."""
        self._cancelled.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the job has finished, after waiting at most ``timeout`` seconds."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _before_start(self) -> None:
        """Runs on the caller's thread just before the job's thread starts."""

    def _run(self) -> None:
        raise NotImplementedError
