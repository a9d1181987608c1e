"""A plain socket server on 127.0.0.1 that writes exactly the bytes a test wants: bodies that
trickle, broken connections, proxies' HTML pages. For tests of the client's HTTP handling (the
``serve`` fixture of ``tests/unit/honeyhive_api/conftest.py`` starts and stops them)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

from honeyhive_api import HoneyHiveClient

CANARY = "hh-canary-5f0e7d2c9b8a41e6-SECRET"

Handler = Callable[[socket.socket, bytes], None]


class RawServer:
    """Accepts connections on 127.0.0.1 and hands each request (head and body) to ``handler``,
    which writes whatever bytes it likes. Requests are recorded; the connection closes after one."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[bytes] = []
        self.stopped = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            request = _read_request(conn)
            if request is None:
                return
            self.requests.append(request)
            with contextlib.suppress(OSError):  # the client hung up: what the deadline tests expect
                self.handler(conn, request)

    def paths(self) -> list[str]:
        return [r.split(b" ", 2)[1].decode() for r in self.requests]

    def close(self) -> None:
        self.stopped.set()
        self._listener.close()


def _read_request(conn: socket.socket) -> bytes | None:
    conn.settimeout(5)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")),
            0,
        )
        while len(body) < length:
            body += conn.recv(65536)
    except OSError:
        return None
    return head + b"\r\n\r\n" + body


def answer(status: str, body: bytes | str, *, content_type: str = "application/json", headers: str = "") -> bytes:
    payload = body.encode() if isinstance(body, str) else body
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n"
        f"Connection: close\r\n{headers}\r\n"
    ).encode() + payload


def replying(*replies: bytes) -> Handler:
    """A handler that gives the n-th request the n-th reply (the last one again after that)."""
    count = iter(range(1_000_000))

    def handle(conn: socket.socket, _request: bytes) -> None:
        conn.sendall(replies[min(next(count), len(replies) - 1)])

    return handle


def client_for(server: RawServer, **options: float) -> HoneyHiveClient:
    settings = {"timeout": 5.0, "max_retries": 0, **options}
    return HoneyHiveClient(CANARY, server.url, **settings)  # type: ignore[arg-type]
