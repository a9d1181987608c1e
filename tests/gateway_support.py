"""A real HTTP proxy in front of the emulator that answers chosen requests itself: a HoneyHive
deployment without one of the APIs, or a gateway that fails. Everything else is forwarded."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

# (method, path) -> (status, JSON body) to answer instead of the emulator, or None to forward.
Answer = Callable[[str, str], tuple[int, bytes] | None]


class Gateway(ThreadingHTTPServer):
    def __init__(self, upstream: str, answer: Answer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream
        self.answer = answer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Gateway

    def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        own = self.server.answer(self.command, self.path)
        if own is not None:
            self._reply(*own)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        answer = requests.request(
            self.command, f"{self.server.upstream}{self.path}", headers=headers, data=body, timeout=30
        )
        self._reply(answer.status_code, answer.content, answer.headers.get("Content-Type", "application/json"))

    do_GET = do_POST = do_PUT = do_DELETE = _forward

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def gateway(upstream: str, answer: Answer) -> Iterator[Gateway]:
    server = Gateway(upstream, answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
