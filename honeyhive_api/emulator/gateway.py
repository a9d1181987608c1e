"""What sits in front of every route: the request count, injected faults, then the body size limit,
then the API key.

A plain ASGI middleware rather than ``BaseHTTPMiddleware``: it adds almost nothing per request,
which the throughput benchmark measures. Refusals are answered in the error shape of the API the
path belongs to (see ``responses.error_style``).
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from honeyhive_api.emulator.faults import FaultState
from honeyhive_api.emulator.request_log import RequestLog
from honeyhive_api.emulator.responses import error_body, error_style

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

OPEN_PATHS = frozenset({"/health"})
# The emulator's own controls: never refused by injected faults, or a drill could not turn them off.
ADMIN_PREFIX = "/_emulator"


async def send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


class GatewayMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        faults: FaultState,
        api_key: str,
        max_body_bytes: int,
        requests: RequestLog | None = None,
    ) -> None:
        self.app = app
        self.faults = faults
        self.requests = requests if requests is not None else RequestLog()
        self._expected = f"Bearer {api_key}".encode()
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        style = error_style(path)
        if not path.startswith(ADMIN_PREFIX):
            self.requests.received(scope["method"], path)
            if self.faults.latency_ms:
                await asyncio.sleep(self.faults.latency_ms / 1000)
            refusal = self.faults.decide()
            if refusal is not None:
                self.requests.refused(scope["method"], path)
                headers = {"Retry-After": refusal.retry_after} if refusal.retry_after else {}
                await send_json(send, refusal.status, error_body(style, refusal.status, refusal.message), headers)
                return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await self._too_large(send, path)
            return
        # Constant-time comparison: the answer's timing says nothing about how much of a key matched.
        if not hmac.compare_digest(headers.get(b"authorization", b""), self._expected):
            message = "missing or wrong API key: send the header 'Authorization: Bearer <key>' with the emulator's key"
            await send_json(send, 401, error_body(style, 401, message))
            return
        if length is None and scope["method"] in ("POST", "PUT"):
            bounded = await self._bounded_body(receive, send, path)
            if bounded is None:
                return
            receive = bounded
        await self.app(scope, receive, send)

    async def _too_large(self, send: Send, path: str) -> None:
        message = f"request body larger than {self.max_body_bytes} bytes; send less text"
        await send_json(send, 413, error_body(error_style(path), 413, message))

    async def _bounded_body(self, receive: Receive, send: Send, path: str) -> Receive | None:
        """Read a chunked body up to the limit, then replay it to the app."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body_bytes:
                await self._too_large(send, path)
                return None
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay
