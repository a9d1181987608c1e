"""``ModelEndpoint``: the model provider the current API makes us call ourselves.

HoneyHive's current API has no proxy: the studio renders a configuration and calls the model
through any OpenAI-compatible endpoint (OpenAI, Azure's compatible route, vLLM, Ollama, a
llama.cpp server, the emulator's ``/v1/chat/completions``) with the official ``openai`` client.

The model key is treated like the HoneyHive key: it is never in a ``repr``, a log line or an error
(see ``hive_review.backends.errors``). ``latency_ms`` and ``first_token_ms`` are measured here, from
sending the request to the last (first) chunk of text: they include any time the request waited for
a busy model. An endpoint that says how long it waited and how long its model took (the emulator's
``queue_ms``, ``model_ms`` and ``first_token_ms`` in ``usage``; Groq's ``queue_time`` and
``total_time``, in seconds) fills ``queue_ms``, ``model_ms`` and ``model_first_token_ms``.

A little over 300 lines on purpose: the endpoint, its stream and the answer both build share the
timing and error rules above, and each of them would need the others' internals in another module.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import openai
from openai.types.chat import ChatCompletionMessageParam

from hive_review.backends.errors import ModelEndpointError, model_error
from honeyhive_api import Usage
from honeyhive_api.errors import HoneyHiveError, InvalidBaseURLError
from honeyhive_api.urls import redact_url

__all__ = ["ModelAnswer", "ModelEndpoint", "ModelStream", "endpoint_hyperparameters"]

ChatMessages = Sequence[Mapping[str, str]]

# What OpenAI's chat completions take among a configuration's hyperparameters; the rest (top_k,
# HoneyHive's own keys…) would be refused by strict servers, so they are left out.
ACCEPTED = (
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "stop",
    "presence_penalty",
    "frequency_penalty",
    "seed",
    "logit_bias",
)
# Other spellings seen in saved configurations.
ALIASES = {"stop_sequences": "stop", "maxTokens": "max_tokens", "topP": "top_p"}
# A keyless server (Ollama, a local llama.cpp) still gets a key: the openai client refuses to start
# without one, and would otherwise fall back to OPENAI_API_KEY from the environment.
KEYLESS = "no-key"


def endpoint_hyperparameters(hyperparameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The hyperparameters to send: known ones under OpenAI's names, ``None`` values left out."""
    chosen: dict[str, Any] = {}
    for key, value in (hyperparameters or {}).items():
        name = ALIASES.get(key, key)
        if name in ACCEPTED and value is not None and value != []:
            chosen[name] = value
    return chosen


@dataclass(frozen=True)
class ModelAnswer:
    """One finished model call. ``model`` is the model that answered, not the one asked for."""

    text: str
    model: str
    usage: Usage | None
    latency_ms: float
    first_token_ms: float | None
    finish_reason: str | None
    cost: float | None = None
    # What the endpoint reported of its own times, when it did (see the module's docstring).
    queue_ms: float | None = None
    model_ms: float | None = None
    model_first_token_ms: float | None = None

    @property
    def hit_max_tokens(self) -> bool:
        return self.finish_reason == "length"

    @property
    def time_to_first_token_ms(self) -> float | None:
        """The model's own time to its first token when the endpoint said, else the one measured here."""
        return self.first_token_ms if self.model_first_token_ms is None else self.model_first_token_ms


Times = tuple[float | None, float | None, float | None]  # queue_ms, model_ms, model_first_token_ms


def _times(raw: Any) -> Times:
    """The endpoint's own times from the extra fields of its ``usage``, in milliseconds."""

    def ms(name: str, scale: float = 1.0) -> float | None:
        value = getattr(raw, name, None)
        return float(value) * scale if isinstance(value, int | float) and not isinstance(value, bool) else None

    if ms("queue_ms") is None and ms("model_ms") is None:  # Groq's spelling, in seconds
        return ms("queue_time", 1000.0), ms("total_time", 1000.0), None
    return ms("queue_ms"), ms("model_ms"), ms("first_token_ms")


def _usage(raw: Any) -> tuple[Usage | None, float | None]:
    if raw is None:
        return None, None
    usage = Usage(
        prompt_tokens=raw.prompt_tokens or 0,
        completion_tokens=raw.completion_tokens or 0,
        total_tokens=raw.total_tokens or (raw.prompt_tokens or 0) + (raw.completion_tokens or 0),
    )
    cost = getattr(raw, "cost", None)  # some gateways (OpenRouter, LiteLLM) report it in the usage
    return usage, float(cost) if isinstance(cost, int | float) else None


def _messages(messages: ChatMessages) -> list[ChatCompletionMessageParam]:
    # Plain role/content dicts are what the endpoint takes; openai types each role separately.
    return cast("list[ChatCompletionMessageParam]", [dict(m) for m in messages])


def _elapsed_ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


class ModelStream:
    """Iterate for text chunks; ``answer`` is set once the stream has ended. A context manager:
    leaving it (or ``close()``) closes the connection even when the reader stopped early."""

    def __init__(self, opened: openai.Stream[Any], *, started: float, endpoint: ModelEndpoint, model: str) -> None:
        self._stream = opened
        self._started = started
        self._endpoint = endpoint
        self._model = model
        self.chunks: list[str] = []
        self.answer: ModelAnswer | None = None

    def __iter__(self) -> Iterator[str]:
        answered_by, usage, cost, finish, first = "", None, None, None, None
        times: Times = (None, None, None)
        try:
            for chunk in self._stream:
                answered_by = chunk.model or answered_by
                if chunk.usage is not None:  # the last chunk, asked for with include_usage
                    usage, cost = _usage(chunk.usage)
                    times = _times(chunk.usage)
                for choice in chunk.choices:
                    finish = choice.finish_reason or finish
                    text = choice.delta.content if choice.delta is not None else None
                    if text:
                        if first is None:
                            first = _elapsed_ms(self._started)
                        self.chunks.append(text)
                        yield text
        except openai.OpenAIError as exc:
            raise self._endpoint.error(exc, self._model) from None
        finally:
            self.close()
        self.answer = ModelAnswer(
            text="".join(self.chunks),
            model=answered_by or self._model,
            usage=usage,
            latency_ms=_elapsed_ms(self._started),
            first_token_ms=first,
            finish_reason=finish,
            cost=cost,
            queue_ms=times[0],
            model_ms=times[1],
            model_first_token_ms=times[2],
        )

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> ModelStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class ModelEndpoint:
    """An OpenAI-compatible chat endpoint. ``timeout``: seconds for connecting and for each read
    (so a stream may run long, but may not go quiet longer); ``max_retries``: openai's own retries."""

    def __init__(
        self, base_url: str, api_key: str | None = None, *, timeout: float = 60.0, max_retries: int = 2
    ) -> None:
        self._api_key = api_key or ""
        self._base_url = _checked_url(base_url, self._api_key)
        self._timeout = timeout
        self._max_retries = max_retries
        self._client = openai.OpenAI(
            base_url=self._base_url,
            api_key=self._api_key or KEYLESS,
            timeout=timeout,
            max_retries=max_retries,
        )

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def timeout(self) -> float:
        return self._timeout

    @property
    def max_retries(self) -> int:
        return self._max_retries

    def __repr__(self) -> str:
        return f"ModelEndpoint(base_url={redact_url(self._base_url)!r}, timeout={self._timeout:g}, api_key=<hidden>)"

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None) -> ModelEndpoint:
        return ModelEndpoint(
            self._base_url,
            self._api_key,
            timeout=self._timeout if timeout is None else timeout,
            max_retries=self._max_retries if max_retries is None else max_retries,
        )

    def close(self) -> None:
        self._client.close()

    def error(self, exc: openai.OpenAIError, model: str) -> HoneyHiveError:
        """The ``HoneyHiveError`` to raise for one of openai's exceptions (used by ``ModelStream`` too)."""
        return model_error(exc, base_url=self._base_url, model=model, secret=self._api_key, timeout=self._timeout)

    def stream(
        self, messages: ChatMessages, *, model: str, hyperparameters: Mapping[str, Any] | None = None
    ) -> ModelStream:
        """Start a streamed completion; iterate the result for text, then read its ``answer``."""
        started = time.perf_counter()
        try:
            opened = self._client.chat.completions.create(
                model=model,
                messages=_messages(messages),
                stream=True,
                stream_options={"include_usage": True},
                **endpoint_hyperparameters(hyperparameters),
            )
        except openai.OpenAIError as exc:
            raise self.error(exc, model) from None
        return ModelStream(opened, started=started, endpoint=self, model=model)

    def complete(
        self, messages: ChatMessages, *, model: str, hyperparameters: Mapping[str, Any] | None = None
    ) -> ModelAnswer:
        """One completion in one answer (no time to first token: nothing arrives before the end)."""
        started = time.perf_counter()
        try:
            response = self._client.chat.completions.create(
                model=model,
                messages=_messages(messages),
                **endpoint_hyperparameters(hyperparameters),
            )
        except openai.OpenAIError as exc:
            raise self.error(exc, model) from None
        latency = _elapsed_ms(started)
        if not response.choices:
            raise ModelEndpointError(f"The model endpoint answered no choices for model {model!r}. Run it again.")
        choice = response.choices[0]
        usage, cost = _usage(response.usage)
        times = _times(response.usage)
        return ModelAnswer(
            text=choice.message.content or "",
            model=response.model or model,
            usage=usage,
            latency_ms=latency,
            first_token_ms=None,
            finish_reason=choice.finish_reason,
            cost=cost,
            queue_ms=times[0],
            model_ms=times[1],
            model_first_token_ms=None,  # as ``first_token_ms``: nothing reached the reader before the end
        )


def _checked_url(base_url: str, api_key: str) -> str:
    """The same rules as HoneyHive's base URL: no credentials in it, and a key never over plain
    http to another machine."""
    shown = redact_url(base_url)
    url = base_url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidBaseURLError(
            f"The model endpoint URL {shown!r} is not an http(s) URL (HIVE_REVIEW_MODEL_BASE_URL)."
        )
    if "@" in parts.netloc or parts.query or parts.fragment:
        raise InvalidBaseURLError(
            f"The model endpoint URL {shown!r} carries credentials or a query string: remove them and give the "
            "key as HIVE_REVIEW_MODEL_API_KEY."
        )
    local = parts.hostname in ("localhost", "127.0.0.1", "::1") or parts.hostname.endswith(".localhost")
    if parts.scheme == "http" and api_key and not local:
        raise InvalidBaseURLError(
            f"The model endpoint URL {shown!r} uses plain http to another machine, which would send the model key "
            "unencrypted: use https (HIVE_REVIEW_MODEL_BASE_URL)."
        )
    return url.rstrip("/")
