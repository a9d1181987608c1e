"""The emulator's HTTP API: HoneyHive's task-based contract, served by FastAPI.

Routes follow ``honeyhive-legacy-api.md``; answers carry every field (unset ones as ``null``)
because HoneyHive's SDK parses them with models that require each field to be present.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse

from honeyhive_api import streaming
from honeyhive_api.emulator.faults import FaultState
from honeyhive_api.emulator.providers import Completion, Provider
from honeyhive_api.emulator.store import EmulatorStore
from honeyhive_api.models import (
    FeedbackQuery,
    GenerateQuery,
    GenerationLoggingQuery,
    PromptCreationQuery,
    PromptUpdateQuery,
    TaskCreationQuery,
    TaskUpdateQuery,
)
from honeyhive_api.templates import missing_variables, prompt_variables, render_template

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

OPEN_PATHS = frozenset({"/health"})


class FastJSONResponse(Response):
    """JSON serialised once with the standard library: the answers are plain dicts and lists of
    JSON types already, so FastAPI's generic encoder (which walks every value) is skipped."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or []


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


class GatewayMiddleware:
    """What sits in front of the API: injected faults, then the body size limit, then the API key.

    A plain ASGI middleware rather than ``BaseHTTPMiddleware``: it adds almost nothing per request,
    which the throughput benchmark measures.
    """

    def __init__(self, app: ASGIApp, *, faults: FaultState, api_key: str, max_body_bytes: int) -> None:
        self.app = app
        self.faults = faults
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
        if not path.startswith("/_emulator"):
            if self.faults.latency_ms:
                await asyncio.sleep(self.faults.latency_ms / 1000)
            refusal = self.faults.decide()
            if refusal is not None:
                headers = {"Retry-After": refusal.retry_after} if refusal.retry_after else {}
                await _send_json(send, refusal.status, {"message": refusal.message}, headers)
                return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            await self._too_large(send)
            return
        # Constant-time comparison: the answer's timing says nothing about how much of a key matched.
        if not hmac.compare_digest(headers.get(b"authorization", b""), self._expected):
            await _send_json(
                send,
                401,
                {
                    "message": "missing or wrong API key: send the header 'Authorization: Bearer <key>' "
                    "with the emulator's key"
                },
            )
            return
        if length is None and scope["method"] in ("POST", "PUT"):
            receive = await self._bounded_body(receive, send)
            if receive is None:
                return
        await self.app(scope, receive, send)

    async def _too_large(self, send: Send) -> None:
        await _send_json(
            send,
            413,
            {"message": f"request body larger than {self.max_body_bytes} bytes; send less text"},
        )

    async def _bounded_body(self, receive: Receive, send: Send) -> Receive | None:
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
                await self._too_large(send)
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


_END = object()


async def _pieces(
    provider: Provider, prompt: str, hyperparameters: dict[str, Any], usage: Completion, *, instant: bool
) -> AsyncIterator[str]:
    """The provider's pieces as they come. A real model runs on one worker thread that hands each
    piece to the event loop through a queue (not one thread hop per piece)."""
    if instant:
        for piece in provider.complete(prompt, hyperparameters, usage):
            yield piece
        return
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()

    def produce() -> None:
        try:
            for piece in provider.complete(prompt, hyperparameters, usage):
                loop.call_soon_threadsafe(queue.put_nowait, piece)
        except Exception as exc:  # handed to the stream, which reports it as an error event
            loop.call_soon_threadsafe(queue.put_nowait, exc)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, _END)

    worker = loop.run_in_executor(None, produce)
    while (item := await queue.get()) is not _END:
        if isinstance(item, Exception):
            raise item
        yield str(item)
    await worker


def _validation_message(exc: RequestValidationError) -> tuple[str, list[str]]:
    fields: list[str] = []
    parts: list[str] = []
    for error in exc.errors():
        location = [str(p) for p in error.get("loc", ()) if p != "body"]
        name = ".".join(location) or "body"
        fields.append(name)
        parts.append(f"{name}: {error.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts), fields


def create_app(
    store: EmulatorStore,
    provider: Provider,
    faults: FaultState,
    *,
    api_key: str,
    max_body_bytes: int,
) -> FastAPI:
    # Routes are ``async``: the store answers in well under a millisecond (one SQLite connection
    # behind a lock), so handing each request to a worker thread would cost more than it saves.
    # Only a real model's work (local / openai providers) runs in a thread.
    app = FastAPI(title="HoneyHive emulator (Hive Review)", version="0.1.0", default_response_class=FastJSONResponse)
    instant = provider.name == "offline"

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"message": exc.message, "fields": exc.fields}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, fields = _validation_message(exc)
        return JSONResponse({"message": message, "fields": fields}, status_code=422)

    def require_task(name: str) -> None:
        if not store.task_exists(name):
            raise ApiError(404, f"task {name!r} not found; GET /tasks lists the tasks")

    @app.get("/health")
    async def health() -> Any:
        return {"status": "ok", "provider": provider.name, "model": provider.label}

    # ---- tasks ----------------------------------------------------------------------------------

    @app.get("/tasks")
    async def list_tasks(name: str | None = None) -> Any:
        return store.list_tasks(name)

    @app.post("/tasks")
    async def create_task(body: TaskCreationQuery) -> Any:
        if store.task_exists(body.name):
            raise ApiError(409, f"task {body.name!r} exists already", ["name"])
        return store.create_task(body.model_dump())

    @app.put("/tasks/{task_id}")
    async def update_task(task_id: str, body: TaskUpdateQuery) -> Any:
        updated = store.update_task(task_id, body.model_dump())
        if updated is None:
            raise ApiError(404, f"task {task_id!r} not found")
        return updated

    @app.delete("/tasks/{name}")
    async def delete_task(name: str) -> Any:
        return {"deleted": store.delete_task(name)}

    # ---- prompts --------------------------------------------------------------------------------

    @app.get("/prompts")
    async def list_prompts(task: str | None = None, name: str | None = None) -> Any:
        return store.list_prompts(task=task, name=name)

    @app.post("/prompts")
    async def create_prompt(body: PromptCreationQuery) -> Any:
        require_task(body.task)
        if body.name and store.list_prompts(name=body.name):
            raise ApiError(409, f"prompt {body.name!r} exists already", ["name"])
        return store.create_prompt(body.model_dump())

    @app.put("/prompts/{prompt_id}")
    async def update_prompt(prompt_id: str, body: PromptUpdateQuery) -> Any:
        updated = store.update_prompt(prompt_id, body.model_dump())
        if updated is None:
            raise ApiError(404, f"prompt {prompt_id!r} not found")
        return updated

    @app.delete("/prompts/{name}")
    async def delete_prompt(name: str) -> Any:
        return {"deleted": store.delete_prompt(name)}

    # ---- the proxy ------------------------------------------------------------------------------

    def chosen_prompt(query: GenerateQuery) -> dict[str, Any]:
        require_task(query.task)
        prompts = store.list_prompts(task=query.task)
        if query.prompts:
            wanted = query.prompts[0]
            found = [p for p in prompts if wanted in (p["name"], p["version"], p["id"])]
            if not found:
                names = ", ".join(p["name"] for p in prompts)
                raise ApiError(404, f"prompt {wanted!r} not found in task {query.task!r}; its prompts: {names}")
            return found[0]
        deployed = [p for p in prompts if p["is_deployed"]]
        if not deployed:
            raise ApiError(404, f"task {query.task!r} has no deployed prompt; deploy one first")
        return deployed[0]

    def rendered(prompt: dict[str, Any], inputs: dict[str, str]) -> str:
        variables = prompt_variables(prompt["text"], prompt["input_variables"])
        missing = missing_variables(variables, inputs)
        if missing:
            raise ApiError(
                422,
                f"missing input variables for prompt {prompt['name']!r}: {', '.join(missing)}; "
                "send a value for each in `input`",
                [f"input.{name}" for name in missing],
            )
        return render_template(prompt["text"], inputs)

    def record_generation(
        query: GenerateQuery, prompt: dict[str, Any], text: str, usage: Completion, started: float
    ) -> dict[str, Any]:
        return store.add_generation(
            {
                "task": query.task,
                "version": prompt["version"] or prompt["name"],
                "prompt_name": prompt["name"],
                "model": provider.model_label(prompt["model"]),
                "model_id": query.model_id,
                "hyperparameters": prompt["hyperparameters"],
                "prompt_template": prompt["text"],
                "inputs": query.input,
                "prompt": render_template(prompt["text"], query.input),
                "generation": text,
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens,
                "total_tokens": usage.prompt_tokens + usage.completion_tokens,
                "cost": 0.0,  # the emulator's models cost nothing
                "latency": (time.perf_counter() - started) * 1000,
                "source": query.source,
                "user_properties": query.user_properties,
                "kind": "proxy",
            }
        )

    @app.post("/generations")
    async def generate(query: GenerateQuery) -> Any:
        prompt = chosen_prompt(query)
        text_in = rendered(prompt, query.input)
        started = time.perf_counter()
        usage = Completion()
        if not query.stream:

            def complete() -> str:
                return "".join(provider.complete(text_in, prompt["hyperparameters"], usage))

            try:
                text = complete() if instant else await run_in_threadpool(complete)
            except Exception as exc:
                raise ApiError(502, f"the model provider {provider.name!r} failed: {exc}") from None
            return record_generation(query, prompt, text, usage, started)

        async def events() -> AsyncIterator[bytes]:
            pieces: list[str] = []
            try:
                async for piece in _pieces(provider, text_in, prompt["hyperparameters"], usage, instant=instant):
                    pieces.append(piece)
                    yield streaming.encode_event(streaming.CHUNK, {"text": piece})
            except Exception as exc:
                yield streaming.encode_event(
                    streaming.ERROR,
                    {"message": f"the model provider {provider.name!r} failed: {exc}", "status_code": 502},
                )
                return
            generation = record_generation(query, prompt, "".join(pieces), usage, started)
            yield streaming.encode_event(streaming.DONE, generation)

        return StreamingResponse(
            events(),
            media_type=streaming.MEDIA_TYPE,
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @app.post("/generations/log")
    async def log_generation(query: GenerationLoggingQuery) -> Any:
        require_task(query.task)
        usage = query.usage
        completion_tokens = usage.completion_tokens if usage else 0
        prompt_tokens = usage.prompt_tokens if usage else 0
        total = usage.total_tokens if usage and usage.total_tokens else prompt_tokens + completion_tokens
        prompt_text = query.prompt
        if prompt_text is None and query.prompt_template and query.inputs:
            try:
                prompt_text = render_template(query.prompt_template, {k: str(v) for k, v in query.inputs.items()})
            except KeyError:
                prompt_text = None
        return store.add_generation(
            {
                "task": query.task,
                "version": query.version or "logged",
                "prompt_name": None,
                "model": query.model,
                "hyperparameters": query.hyperparameters,
                "prompt_template": query.prompt_template,
                "inputs": query.inputs,
                "prompt": prompt_text,
                "generation": query.generation,
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": total,
                "cost": 0.0,
                "latency": query.latency or 0.0,
                "source": query.source,
                "user_properties": query.user_properties,
                "metadata": query.metadata,
                "ground_truth": query.ground_truth,
                "feedback": query.feedback,
                "kind": "log",
            }
        )

    @app.get("/generations")
    async def list_generations(task: str | None = None, prompt: str | None = None, model_id: str | None = None) -> Any:
        return store.list_generations(task=task, prompt=prompt, model_id=model_id)

    # ---- feedback -------------------------------------------------------------------------------

    @app.post("/feedback")
    async def feedback(query: FeedbackQuery) -> Any:
        generation = store.get_generation(query.generation_id)
        if generation is None:
            raise ApiError(404, f"generation {query.generation_id!r} not found")
        if generation["task"] != query.task:
            raise ApiError(
                422,
                f"generation {query.generation_id!r} belongs to task {generation['task']!r}, not {query.task!r}",
                ["task"],
            )
        return store.merge_feedback(query.task, query.generation_id, query.feedback_json, query.ground_truth)

    # ---- the emulator's own controls (not part of HoneyHive's API) ------------------------------

    @app.get("/_emulator/faults")
    async def get_faults() -> Any:
        return faults.snapshot()

    @app.put("/_emulator/faults")
    async def put_faults(request: Request) -> Any:
        try:
            changes = await request.json()
            if not isinstance(changes, dict):
                raise ValueError("send a JSON object of fault settings")
            return faults.update(changes)
        except ValueError as exc:
            raise ApiError(422, str(exc)) from None

    @app.get("/_emulator/feedback-events")
    async def get_feedback_events(generation_id: str | None = None) -> Any:
        return store.feedback_events(generation_id)

    app.add_middleware(GatewayMiddleware, faults=faults, api_key=api_key, max_body_bytes=max_body_bytes)
    return app
