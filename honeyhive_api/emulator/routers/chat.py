"""OpenAI-compatible chat completions under the emulator's base URL, answered by its provider.

``POST /v1/chat/completions`` streamed (server-sent ``data: {chunk}`` lines, then ``data: [DONE]``;
a last chunk with the usage when ``stream_options.include_usage``) or not, and ``GET /v1/models``.
Errors come in OpenAI's shape, so the official ``openai`` client raises its typed errors. ``model``
in an answer names the model that actually answered, not the one asked for. Its ``usage`` has three
fields beside OpenAI's: ``model_ms`` (the model's own time), ``queue_ms`` (how long the request waited
for the model, which answers one request at a time when it is the local one) and ``first_token_ms``
(the model's time to its first piece); clients that do not know them ignore them.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from honeyhive_api.emulator import streams
from honeyhive_api.emulator.providers import Completion, answering_model, complete_chat, timed
from honeyhive_api.emulator.responses import ApiError
from honeyhive_api.emulator.state import State

router = APIRouter(tags=["chat"])
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
# Request fields that are passed to the provider as its hyperparameters.
SAMPLING = ("temperature", "top_p", "stop", "presence_penalty", "frequency_penalty", "seed")


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str = Field(min_length=1)
    # A text, or OpenAI's content parts ([{"type": "text", "text": "..."}, ...]).
    content: str | list[dict[str, Any]] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(part.get("text") or "") for part in self.content if part.get("type") == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool | None = None


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field(min_length=1)
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool | None = None
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    n: int | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    stop: str | list[str] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None


def _hyperparameters(body: ChatCompletionRequest) -> dict[str, Any]:
    chosen = {name: getattr(body, name) for name in SAMPLING if getattr(body, name) is not None}
    limit = body.max_completion_tokens or body.max_tokens
    if limit is not None:
        chosen["max_tokens"] = limit
    return {"model": body.model, **chosen}


def _usage(usage: Completion, arrived: float) -> dict[str, Any]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.prompt_tokens + usage.completion_tokens,
        **usage.timings(arrived),
    }


def _sse(data: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"


@router.post("/v1/chat/completions")
async def chat_completions(state: State, body: ChatCompletionRequest) -> Any:
    if body.n not in (None, 1):
        raise ApiError(400, "n must be 1: the emulator answers one choice per request", ["n"])
    arrived = time.perf_counter()
    provider = state.provider
    messages = [{"role": message.role, "content": message.text} for message in body.messages]
    hyperparameters = _hyperparameters(body)
    usage = Completion()
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    model = answering_model(provider, body.model)

    def produce() -> Iterator[str]:
        return timed(complete_chat(provider, messages, hyperparameters, usage), usage)

    def finish_reason() -> str:
        # Only a real model stops at the limit; the offline echo always says its whole frame.
        limit = hyperparameters.get("max_tokens")
        hit = provider.name != "offline" and limit is not None and usage.completion_tokens >= limit
        return "length" if hit else "stop"

    if not body.stream:
        try:
            text = await streams.whole(produce, instant=state.instant, executor=state.model_thread)
        except Exception as exc:
            raise ApiError(502, f"the model provider {provider.name!r} failed: {exc}", code="provider_error") from None
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "logprobs": None,
                    "finish_reason": finish_reason(),
                }
            ],
            "usage": _usage(usage, arrived),
            "system_fingerprint": None,
        }

    include_usage = bool(body.stream_options and body.stream_options.include_usage)

    def chunk(delta: dict[str, Any], reason: str | None = None) -> bytes:
        data: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": reason}],
        }
        if include_usage:  # OpenAI: null on every chunk but the last, which has no choices
            data["usage"] = None
        return _sse(data)

    async def events() -> AsyncIterator[bytes]:
        yield chunk({"role": "assistant", "content": ""})
        try:
            async for piece in streams.pieces(produce, instant=state.instant, executor=state.model_thread):
                yield chunk({"content": piece})
        except Exception as exc:
            message = f"the model provider {provider.name!r} failed: {exc}"
            yield _sse({"error": {"message": message, "type": "server_error", "param": None, "code": "provider_error"}})
            return
        yield chunk({}, finish_reason())
        if include_usage:
            last = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model}
            yield _sse({**last, "choices": [], "usage": _usage(usage, arrived)})
        yield b"data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream", headers=SSE_HEADERS)


@router.get("/v1/models")
async def list_models(state: State) -> Any:
    """The model that answers: the provider's own, or (an OpenAI-compatible provider without a fixed
    model) each model the configurations name, which it passes on."""
    provider = state.provider
    own = answering_model(provider, "")
    names = (
        [own]
        if own
        else sorted({c["parameters"]["model"] for c in state.store.configurations.find() if c.get("parameters")})
    )
    owner = f"hive-review-emulator ({provider.name})"
    models = [{"id": name, "object": "model", "created": 0, "owned_by": owner} for name in names]
    return {"object": "list", "data": models}
