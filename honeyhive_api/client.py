"""HoneyHive's task-based API over one pooled ``requests.Session``.

Retries are urllib3's ``Retry`` with jittered exponential backoff that honours ``Retry-After``
(seconds or an HTTP-date) on 429 and 503. What may be retried depends on whether a retry could
double a side effect:

* reads and ``POST /feedback`` (HoneyHive merges feedback key by key, so sending the same
  object twice changes nothing) retry on connection failures, read failures and 429/5xx;
* creating a generation (``POST /generations``, ``POST /generations/log``) retries only when
  the request cannot have been processed: the connection was never made, or the server said
  429 or 503 before doing anything. A timeout while waiting for the answer is not retried:
  the generation may exist, and a second one would be a different completion.

401/403/404/422 are never retried. Every call has an explicit (connect, read) timeout.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import requests
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from honeyhive_api import streaming
from honeyhive_api.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    HoneyHiveError,
    MalformedResponseError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
    ServerError,
    ValidationError,
    redact,
)
from honeyhive_api.models import (
    Feedback,
    FeedbackQuery,
    GenerateQuery,
    Generation,
    GenerationLoggingQuery,
    Prompt,
    Task,
    Usage,
)

__all__ = ["DEFAULT_BASE_URL", "GenerationStream", "HoneyHiveClient"]

DEFAULT_BASE_URL = "https://api.honeyhive.ai"
CONNECT_TIMEOUT = 5.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Statuses that mean "not processed": the server refused before doing the work.
UNPROCESSED_STATUSES = frozenset({429, 503})
# A server may ask for a long pause; beyond this we give up and report the rate limit instead.
MAX_RETRY_AFTER = 60.0

log = logging.getLogger(__name__)
ModelT = TypeVar("ModelT", bound=BaseModel)


class _CappedRetry(Retry):
    """urllib3's Retry that gives up at once when the server asks for a pause longer than
    ``MAX_RETRY_AFTER``: waiting minutes inside one call would freeze the studio, so the caller gets
    a ``RateLimitError`` carrying ``retry_after`` instead."""

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        if response is not None:
            retry_after = self.get_retry_after(response)
            if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                raise MaxRetryError(_pool, url or "", None)
        return super().increment(method, url, response, error, _pool, _stacktrace)


def _retry_policy(max_retries: int, *, side_effect_free: bool) -> Retry:
    common: dict[str, Any] = {
        "total": max_retries,
        "connect": max_retries,
        "backoff_factor": 0.5,
        "backoff_jitter": 0.25,
        "backoff_max": 8.0,
        "respect_retry_after_header": True,
        # Give us the last response instead of raising, so a 429/5xx becomes our own error class.
        "raise_on_status": False,
        "raise_on_redirect": False,
    }
    if side_effect_free:
        return _CappedRetry(
            read=max_retries,
            status=max_retries,
            other=0,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET", "HEAD", "PUT", "DELETE", "POST"}),
            **common,
        )
    return _CappedRetry(
        read=0,
        other=0,
        status=max_retries,
        status_forcelist=UNPROCESSED_STATUSES,
        allowed_methods=frozenset({"POST"}),
        **common,
    )


class _RoutingAdapter(HTTPAdapter):
    """One connection pool; the retry policy is chosen per request.

    ``HTTPAdapter.send`` reads ``self.max_retries``, so instead of swapping that shared attribute
    (not thread-safe) this adapter hands the request to a sibling adapter that shares its pool
    manager but carries the stricter policy.
    """

    def __init__(self, max_retries: int, pool_maxsize: int) -> None:
        super().__init__(
            max_retries=_retry_policy(max_retries, side_effect_free=True),
            pool_connections=1,
            pool_maxsize=pool_maxsize,
        )
        self._creating = HTTPAdapter(max_retries=_retry_policy(max_retries, side_effect_free=False))
        self._creating.poolmanager = self.poolmanager  # the same pooled connections

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        path = urlsplit(request.url or "").path.rstrip("/")
        if request.method == "POST" and path.endswith(("/generations", "/generations/log", "/chat")):
            return self._creating.send(request, **kwargs)
        return super().send(request, **kwargs)


@dataclass
class GenerationStream:
    """A streamed generation: iterate for text chunks; ``generation`` is set when the stream ends.

    ``with client.generate_stream(...) as stream: for chunk in stream: ...`` closes the connection
    even when the caller stops early.
    """

    _response: requests.Response
    _events: Iterator[streaming.StreamEvent]
    _client: HoneyHiveClient
    generation: Generation | None = None
    chunks: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[str]:
        try:
            for event in self._events:
                if event.event == streaming.CHUNK:
                    text = str(event.data.get("text", ""))
                    self.chunks.append(text)
                    yield text
                elif event.event == streaming.DONE:
                    self.generation = self._client._parse(Generation, event.data, "POST /generations")
                    return
                elif event.event == streaming.ERROR:
                    message = str(event.data.get("message", "the stream ended with an error"))
                    raise ServerError(
                        self._client._clean(f"POST /generations failed while streaming: {message}"),
                        status_code=int(event.data.get("status_code", 500)),
                    )
            raise MalformedResponseError(
                "POST /generations: the stream ended before its final 'done' event; the generation may "
                "be incomplete. Run it again."
            )
        except requests.exceptions.Timeout as exc:
            raise APITimeoutError(
                "POST /generations: no data for longer than the read timeout while streaming. "
                "Raise the timeout or try again."
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise APIConnectionError(
                self._client._clean(f"POST /generations: the connection broke while streaming ({exc}).")
            ) from exc
        except ValueError as exc:  # JSON in an event that does not parse
            raise MalformedResponseError(
                f"POST /generations: the stream carried an event that is not valid JSON ({exc})."
            ) from exc
        finally:
            self._response.close()

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> GenerationStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class HoneyHiveClient:
    """Client of HoneyHive's task-based API (tasks, prompts, the generation proxy, logging, feedback)."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        pool_maxsize: int = 32,
    ) -> None:
        if not api_key or not api_key.strip():
            raise AuthenticationError(
                "No HoneyHive API key given. Set HONEYHIVE_API_KEY (or add it to .streamlit/secrets.toml); "
                "you find the key in HoneyHive under Settings > Account.",
                status_code=401,
            )
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"HoneyHive base URL {base_url!r} is not an http(s) URL; use e.g. {DEFAULT_BASE_URL}.")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self._pool_maxsize = pool_maxsize
        self._api_key = api_key
        self._session = requests.Session()
        # With no session auth, requests would read ~/.netrc and replace our Authorization header.
        self._session.auth = _keep_headers
        self._session.headers.update(
            {
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": "hive-review/0.1 (+honeyhive_api)",
            }
        )
        adapter = _RoutingAdapter(max_retries, pool_maxsize)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def __repr__(self) -> str:
        return f"HoneyHiveClient(base_url={self.base_url!r}, timeout={self.timeout}, api_key=<hidden>)"

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None) -> HoneyHiveClient:
        """A new client for the same HoneyHive with other timeout or retry settings.

        The batch runner uses ``max_retries=0`` so that it can show "retrying" and back off itself.
        """
        return HoneyHiveClient(
            self._api_key,
            self.base_url,
            timeout=self.timeout if timeout is None else timeout,
            max_retries=self.max_retries if max_retries is None else max_retries,
            pool_maxsize=self._pool_maxsize,
        )

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HoneyHiveClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- the API ------------------------------------------------------------------------------

    def list_tasks(self) -> list[Task]:
        return self._parse_list(Task, self._request("GET", "/tasks"), "GET /tasks")

    def list_prompts(self, task: str) -> list[Prompt]:
        data = self._request("GET", "/prompts", params={"task": task})
        return self._parse_list(Prompt, data, "GET /prompts")

    def list_generations(self, task: str, *, prompt: str | None = None) -> list[Generation]:
        params = {"task": task} if prompt is None else {"task": task, "prompt": prompt}
        data = self._request("GET", "/generations", params=params)
        return self._parse_list(Generation, data, "GET /generations")

    def generate(
        self,
        task: str,
        inputs: Mapping[str, str],
        *,
        prompts: list[str] | None = None,
        user_properties: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> Generation:
        body = self._generate_body(task, inputs, prompts, user_properties, source, stream=False)
        return self._parse(Generation, self._request("POST", "/generations", json=body), "POST /generations")

    def generate_stream(
        self,
        task: str,
        inputs: Mapping[str, str],
        *,
        prompts: list[str] | None = None,
        user_properties: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> GenerationStream:
        """Start a streamed generation; iterate the result for text chunks as they arrive."""
        body = self._generate_body(task, inputs, prompts, user_properties, source, stream=True)
        response = self._send("POST", "/generations", json=body, stream=True)
        content_type = response.headers.get("Content-Type", "")
        if not content_type.startswith(streaming.MEDIA_TYPE):
            # A server that ignores `stream` answers plain JSON: still a generation, in one chunk.
            generation = self._parse(Generation, self._decode(response, "POST /generations"), "POST /generations")
            response.close()
            return GenerationStream(response, iter(()), self, generation=generation, chunks=[generation.generation])
        events = streaming.decode_events(response.iter_lines(decode_unicode=True))
        return GenerationStream(response, events, self)

    def log_generation(
        self,
        task: str,
        model: str,
        generation: str,
        *,
        hyperparameters: Mapping[str, Any],
        prompt_template: str | None = None,
        inputs: Mapping[str, Any] | None = None,
        prompt: str | None = None,
        usage: Usage | Mapping[str, int] | None = None,
        latency: float | None = None,
        source: str | None = None,
        user_properties: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        ground_truth: str | None = None,
        version: str | None = None,
    ) -> Generation:
        """Ingest a completion produced elsewhere (``POST /generations/log``)."""
        query = GenerationLoggingQuery(
            task=task,
            model=model,
            hyperparameters=dict(hyperparameters),
            generation=generation,
            prompt_template=prompt_template,
            inputs=dict(inputs) if inputs is not None else None,
            prompt=prompt,
            version=version,
            usage=Usage.model_validate(usage) if usage is not None and not isinstance(usage, Usage) else usage,
            latency=latency,
            source=source,
            user_properties=dict(user_properties) if user_properties is not None else None,
            metadata=dict(metadata) if metadata is not None else None,
            ground_truth=ground_truth,
        )
        data = self._request("POST", "/generations/log", json=query.model_dump(mode="json", exclude_none=True))
        return self._parse(Generation, data, "POST /generations/log")

    def send_feedback(
        self,
        task: str,
        generation_id: str,
        feedback: Mapping[str, Any],
        *,
        ground_truth: str | None = None,
    ) -> Feedback:
        """Send feedback for a generation. HoneyHive merges it key by key, so a retry is harmless."""
        query = FeedbackQuery(
            task=task, generation_id=generation_id, feedback_json=dict(feedback), ground_truth=ground_truth
        )
        body = query.model_dump(mode="json", exclude_none=True)
        body["feedback_json"] = dict(feedback)  # keep explicit nulls: they clear an earlier value
        return self._parse(Feedback, self._request("POST", "/feedback", json=body), "POST /feedback")

    def health(self) -> dict[str, Any]:
        """``GET /health`` of the local emulator (HoneyHive's hosted API has no such route)."""
        data = self._request("GET", "/health")
        if not isinstance(data, dict):
            raise MalformedResponseError("GET /health: the answer is not a JSON object.")
        return data

    # ---- plumbing -----------------------------------------------------------------------------

    @staticmethod
    def _generate_body(
        task: str,
        inputs: Mapping[str, str],
        prompts: list[str] | None,
        user_properties: Mapping[str, Any] | None,
        source: str | None,
        *,
        stream: bool,
    ) -> dict[str, Any]:
        query = GenerateQuery(
            task=task,
            input={str(k): str(v) for k, v in inputs.items()},
            prompts=list(prompts) if prompts else None,
            user_properties=dict(user_properties) if user_properties else None,
            source=source,
            stream=stream or None,
        )
        return query.model_dump(mode="json", exclude_none=True)

    def _clean(self, text: str) -> str:
        return redact(text, self._api_key)

    def _send(self, method: str, path: str, *, stream: bool = False, **kwargs: Any) -> requests.Response:
        what = f"{method} {path}"
        try:
            response = self._session.request(
                method,
                f"{self.base_url}{path}",
                timeout=(min(CONNECT_TIMEOUT, self.timeout), self.timeout),
                stream=stream,
                allow_redirects=False,
                **kwargs,
            )
        except requests.exceptions.RequestException as exc:
            self._raise_request_error(exc, what)
        if response.status_code >= 400:
            try:
                self._raise_for_status(response, what)
            finally:
                response.close()
        return response

    def _raise_request_error(self, exc: requests.exceptions.RequestException, what: str) -> NoReturn:
        """Turn what requests raised into our error classes (never with the key in the message)."""
        # urllib3 wraps a read timeout in MaxRetryError once retries run out; requests then calls
        # it a ConnectionError. It is still a timeout: the request was sent, no answer came.
        if isinstance(exc, requests.exceptions.Timeout) or _timed_out(exc):
            raise APITimeoutError(
                f"{what}: HoneyHive at {self.base_url} did not answer within {self.timeout:g} s. "
                "Try again, or raise the timeout.",
                request_sent=not _never_connected(exc),
            ) from None
        if isinstance(exc, requests.exceptions.RetryError):  # only when urllib3 raises instead of returning
            raise ServerError(
                self._clean(f"{what}: gave up after {self.max_retries} retries ({exc})."), status_code=503
            ) from None
        reason = self._connection_reason(exc)
        raise APIConnectionError(
            self._clean(
                f"{what}: cannot reach HoneyHive at {self.base_url} ({reason}). Check the base URL "
                "(HONEYHIVE_BASE_URL) and your network."
            ),
            request_sent=not _never_connected(exc),
        ) from None

    @staticmethod
    def _connection_reason(exc: requests.exceptions.RequestException) -> str:
        text = str(exc)
        for marker in (
            "Connection refused",
            "Name or service not known",
            "nodename nor servname",
            "Temporary failure in name resolution",
            "Connection reset",
            "Remote end closed",
        ):
            if marker in text:
                return marker.lower()
        return type(exc).__name__

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        return self._decode(response, f"{method} {path}")

    def _decode(self, response: requests.Response, what: str) -> Any:
        try:
            return response.json()
        except ValueError:
            snippet = self._clean(response.text[:200])
            raise MalformedResponseError(
                f"{what}: HoneyHive answered {response.status_code} with a body that is not JSON "
                f"({snippet!r}). Check that the base URL points at HoneyHive's API."
            ) from None

    def _raise_for_status(self, response: requests.Response, what: str) -> None:
        status = response.status_code
        message, fields = self._error_details(response)
        text = self._clean(f"{what} failed with {status}: {message}")
        if status in (401, 403):
            raise AuthenticationError(
                f"{text} Check HONEYHIVE_API_KEY (HoneyHive: Settings > Account).", status_code=status
            )
        if status == 404:
            raise NotFoundError(text, status_code=status)
        if status == 413:
            raise PayloadTooLargeError(f"{text} Send less text.", status_code=status, fields=fields)
        if status in (400, 422):
            raise ValidationError(text, status_code=status, fields=fields)
        if status == 429:
            raise RateLimitError(
                f"{text} Still rate limited after {self.max_retries} retries; wait a moment and try again.",
                status_code=status,
                retry_after=_retry_after_seconds(response.headers.get("Retry-After")),
            )
        if status >= 500:
            raise ServerError(f"{text} (after {self.max_retries} retries)", status_code=status)
        raise HoneyHiveError(text, status_code=status)

    def _error_details(self, response: requests.Response) -> tuple[str, list[str]]:
        try:
            body = response.json()
        except ValueError:
            return (response.text.strip()[:300] or response.reason or "no message"), []
        if isinstance(body, dict):
            message = body.get("message") or body.get("detail") or body.get("error") or json.dumps(body)[:300]
            fields = body.get("fields") or []
            if isinstance(message, list):  # FastAPI-style validation detail
                fields = [".".join(str(p) for p in item.get("loc", [])) for item in message if isinstance(item, dict)]
                message = "invalid fields: " + ", ".join(fields)
            return str(message), [str(f) for f in fields] if isinstance(fields, list) else []
        return json.dumps(body)[:300], []

    def _parse(self, model: type[ModelT], data: Any, what: str) -> ModelT:
        try:
            return model.model_validate(data)
        except PydanticValidationError as exc:
            problems = ", ".join(".".join(str(p) for p in e["loc"]) or "<root>" for e in exc.errors())
            raise MalformedResponseError(
                f"{what}: HoneyHive's answer does not have the expected shape (problem with: {problems})."
            ) from None

    def _parse_list(self, model: type[ModelT], data: Any, what: str) -> list[ModelT]:
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]  # tolerate the {"data": [...]} wrapper some versions use
        if not isinstance(data, list):
            raise MalformedResponseError(f"{what}: expected a JSON array, got {type(data).__name__}.")
        return [self._parse(model, item, what) for item in data]


def _never_connected(exc: requests.exceptions.RequestException) -> bool:
    """True when the request cannot have reached the server: the connection was never made."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError, NameResolutionError))


def _timed_out(exc: requests.exceptions.RequestException) -> bool:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, (ReadTimeoutError, TimeoutError))


def _keep_headers(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) else None
