"""Deadlines, and reading an answer's body without ever outliving one.

``requests``' timeout bounds each single read on the socket, not the whole answer: a server that
sends one byte every two seconds keeps a call with a 5 s timeout busy for as long as it likes,
and an event stream of keep-alive comments never times out at all. Here every read asks the
deadline how long it may still wait (the socket's timeout is set to exactly that before each
read), and the body is read with ``read1`` (whatever has arrived, at most one socket read) so
that a trickle cannot hold one read open either.

Timeouts surface as the builtin ``TimeoutError``; the transport turns them into
``APITimeoutError`` with the call's name.
"""

from __future__ import annotations

import codecs
import socket
import time
from collections.abc import Iterator
from typing import Any

import requests

__all__ = ["Deadline", "iter_lines", "read_body"]

READ_SIZE = 64 * 1024
# The socket refuses a timeout of 0 as "non-blocking"; this is "give up almost at once".
_MIN_WAIT = 0.001


class Deadline:
    """A point in time ``seconds`` from now (monotonic clock). ``restart`` moves it ``seconds`` on:
    a stream's silence deadline restarts at every real event."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends_at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._ends_at - time.monotonic()

    def restart(self) -> None:
        self._ends_at = time.monotonic() + self.seconds

    def __repr__(self) -> str:
        return f"Deadline(seconds={self.seconds:g}, remaining={self.remaining():.3f})"


def read_body(response: requests.Response, deadline: Deadline, *, limit: int | None = None) -> bytes:
    """The whole (decoded) body, or ``TimeoutError`` once ``deadline`` passes.

    With ``limit``, stops after that many bytes (error pages are quoted, never read whole).
    Raises urllib3's errors for a broken connection or a body that does not decompress.
    """
    chunks: list[bytes] = []
    size = 0
    for chunk in _chunks(response, deadline):
        chunks.append(chunk)
        size += len(chunk)
        if limit is not None and size >= limit:
            break
    return b"".join(chunks)


def iter_lines(response: requests.Response, deadline: Deadline) -> Iterator[str]:
    """The body's lines (UTF-8, without their ``\\n`` / ``\\r\\n``) as they arrive.

    Each wait for more data is bounded by ``deadline`` as it is at that moment, so a caller that
    restarts the deadline between lines gets a silence deadline.
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    for chunk in _chunks(response, deadline):
        pending += decoder.decode(chunk)
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line.removesuffix("\r")
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending.removesuffix("\r")


def _chunks(response: requests.Response, deadline: Deadline) -> Iterator[bytes]:
    raw = response.raw
    while True:
        remaining = deadline.remaining()
        if remaining <= 0:
            raise TimeoutError(f"deadline of {deadline.seconds:g} s passed")
        _bound_next_read(raw, remaining)
        # requests opens the response with decode_content=False (it decodes in iter_content);
        # reading raw, we ask urllib3 to undo gzip/deflate here.
        chunk = raw.read1(READ_SIZE, decode_content=True)
        if not chunk:
            return
        yield chunk


def _bound_next_read(raw: Any, seconds: float) -> None:
    """Let the next socket read wait at most ``seconds``.

    urllib3 keeps the socket on the connection while the connection is kept alive; when the
    server closes after the answer, http.client hands the socket to the response instead. If
    neither is found (another transport, a test double), reads stay bounded by the per-read
    timeout and the deadline is still checked between reads. urllib3 sets the timeout afresh
    before the connection's next request, so nothing leaks into later calls.
    """
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is None:
        buffered = getattr(getattr(raw, "_fp", None), "fp", None)
        sock = getattr(getattr(buffered, "raw", None), "_sock", None)
    if isinstance(sock, socket.socket):
        sock.settimeout(max(seconds, _MIN_WAIT))
