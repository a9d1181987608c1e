"""HTTP for both HoneyHive APIs: one pooled ``requests.Session``, a retry policy per call, a
deadline per call, and every failure mapped to one of the client's error classes.

* **Deadline.** A call (connecting, every retry and its pause, reading the whole body) ends within
  ``timeout`` seconds: urllib3 asks ``_DeadlineTimeout`` for each attempt's timeouts, which shrink
  as the deadline nears, and ``deadlines.read_body`` bounds the body. A server may still stretch
  the header block of an answer by trickling it (each socket read is bounded, not their sum).
* **Retries.** urllib3's ``Retry`` with the rule of ``honeyhive_api.retrying``: the caller says
  whether the call is idempotent; idempotent calls retry transient failures, others only when the
  request cannot have been processed. Pauses are ``backoff_delay`` (full jitter, at least
  ``Retry-After``); a pause that would pass the deadline, or a ``Retry-After`` beyond
  ``MAX_RETRY_AFTER``, ends the retries and the caller gets the error (with ``retry_after``).
* **Redirects** are not followed: the ``Authorization`` header must not go to another host, and a
  moved API is a configuration error to report.

A little over 300 lines: the deadline, the retry policy and the error mapping act together on each
request (a retry's pause is cut by the deadline, the last error is mapped), so they stay side by side.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
import urllib3.exceptions
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util import Timeout
from urllib3.util.retry import Retry

from honeyhive_api.deadlines import Deadline, read_body
from honeyhive_api.error_mapping import (
    error_for_exception,
    error_for_status,
    error_for_stream_event,
    not_json_error,
    retry_after_seconds,
)
from honeyhive_api.errors import MalformedResponseError, StreamError, redact
from honeyhive_api.retrying import RETRYABLE_STATUSES, UNPROCESSED_STATUSES, backoff_delay

__all__ = ["Transport"]

CONNECT_TIMEOUT = 5.0
# A server may ask for a long pause; beyond this we give up and report the rate limit instead:
# waiting minutes inside one call would freeze the studio.
MAX_RETRY_AFTER = 60.0
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
# Error pages are quoted, never stored: this much of one is enough to find its reason.
ERROR_BODY_LIMIT = 64 * 1024
_MIN_TIMEOUT = 0.001  # urllib3 reads 0 as "non-blocking"; this is "give up almost at once"
USER_AGENT = "hive-review/0.1 (+honeyhive_api)"

log = logging.getLogger(__name__)
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class _Call:
    """What the adapter and the retry policy need to know about the call in progress."""

    deadline: Deadline
    idempotent: bool


# Set by ``Transport.open`` around the request; urllib3 runs the retries in the same thread.
_current_call: ContextVar[_Call | None] = ContextVar("honeyhive_api_call", default=None)


class _DeadlineTimeout(Timeout):
    """Timeouts that urllib3 reads afresh for each attempt: whatever is left of the deadline."""

    def __init__(self, deadline: Deadline, connect_cap: float) -> None:
        super().__init__(connect=connect_cap, read=deadline.seconds)
        self._deadline = deadline
        self._connect_cap = connect_cap

    def clone(self) -> _DeadlineTimeout:
        return _DeadlineTimeout(self._deadline, self._connect_cap)

    @property
    def connect_timeout(self) -> float:
        return max(min(self._connect_cap, self._deadline.remaining()), _MIN_TIMEOUT)

    @property
    def read_timeout(self) -> float:
        return max(self._deadline.remaining(), _MIN_TIMEOUT)


class _DeadlineRetry(Retry):
    """urllib3's Retry, pausing ``backoff_delay`` and never past the call's deadline."""

    # Only statuses our policies list are retried; urllib3 would also retry a 413 that carries
    # Retry-After, which for a generation could make it twice.
    RETRY_AFTER_STATUS_CODES = UNPROCESSED_STATUSES
    _pause: float = 0.0

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        following = super().increment(method, url, response, error, _pool, _stacktrace)
        retry_after = retry_after_seconds(response.headers.get("Retry-After")) if response is not None else None
        pause = backoff_delay(len(following.history), base=BACKOFF_BASE, cap=BACKOFF_CAP, retry_after=retry_after)
        call = _current_call.get()
        out_of_time = call is not None and pause >= call.deadline.remaining()
        if out_of_time or (retry_after is not None and retry_after > MAX_RETRY_AFTER):
            # For an answer, urllib3 then hands back that answer (raise_on_status=False).
            raise MaxRetryError(_pool, url or "", error or ResponseError("no time left to wait for a retry"))
        following._pause = pause
        return following

    def sleep(self, response: Any = None) -> None:
        if self._pause > 0:
            time.sleep(self._pause)


def _retry_policy(max_retries: int, *, idempotent: bool) -> Retry:
    return _DeadlineRetry(
        total=max_retries,
        connect=max_retries,  # a connection never made cannot have done anything
        read=max_retries if idempotent else 0,  # sent but unanswered: maybe done
        status=max_retries,
        other=0,
        status_forcelist=RETRYABLE_STATUSES if idempotent else UNPROCESSED_STATUSES,
        allowed_methods=None,  # idempotency is the call's to say, not the verb's (POST /events is)
        respect_retry_after_header=True,
        # Give us the last answer instead of raising, so a 429/5xx becomes our own error class.
        raise_on_status=False,
        raise_on_redirect=False,
    )


class _RoutingAdapter(HTTPAdapter):
    """One connection pool; the retry policy is chosen per call.

    ``HTTPAdapter.send`` reads ``self.max_retries``, so instead of swapping that shared attribute
    (not thread-safe) this adapter hands non-idempotent calls to a sibling adapter that shares its
    pool manager but carries the stricter policy.
    """

    def __init__(self, max_retries: int, pool_maxsize: int) -> None:
        super().__init__(
            max_retries=_retry_policy(max_retries, idempotent=True), pool_connections=1, pool_maxsize=pool_maxsize
        )
        self._creating = HTTPAdapter(max_retries=_retry_policy(max_retries, idempotent=False))
        self._creating.poolmanager = self.poolmanager  # the same pooled connections

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        call = _current_call.get()
        if call is None or not call.idempotent:  # unknown: the safe side is not to resend
            return self._creating.send(request, **kwargs)
        return super().send(request, **kwargs)


def _keep_headers(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


class Transport:
    """Sends calls to one HoneyHive base URL (already checked by ``urls.check_base_url``)."""

    def __init__(self, api_key: str, base_url: str, *, timeout: float, max_retries: int, pool_maxsize: int) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        self.pool_maxsize = pool_maxsize
        self._api_key = api_key
        self._session = requests.Session()
        # With no session auth, requests would read ~/.netrc and replace our Authorization header.
        self._session.auth = _keep_headers
        self._session.headers.update(
            {"Authorization": f"Bearer {api_key}", "Accept": "application/json", "User-Agent": USER_AGENT}
        )
        adapter = _RoutingAdapter(max_retries, pool_maxsize)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def __repr__(self) -> str:
        return f"Transport(base_url={self.base_url!r}, timeout={self.timeout:g}, api_key=<hidden>)"

    def close(self) -> None:
        self._session.close()

    def clean(self, text: str) -> str:
        """``text`` without the API key (for messages that quote what a server said)."""
        return redact(text, self._api_key)

    def request(self, method: str, path: str, *, idempotent: bool, empty_ok: bool = False, **kwargs: Any) -> Any:
        """Send a call and return its decoded JSON answer, all within ``timeout`` seconds.

        ``empty_ok``: an empty body (e.g. 204) is a valid answer, returned as ``None``.
        """
        deadline = Deadline(self.timeout)
        response = self.open(method, path, idempotent=idempotent, deadline=deadline, **kwargs)
        return self.read_json(response, f"{method} {path}", deadline, empty_ok=empty_ok)

    def open(self, method: str, path: str, *, idempotent: bool, deadline: Deadline, **kwargs: Any) -> requests.Response:
        """Send a call; return the answer once its headers are in (status < 300), body unread.

        ``kwargs`` go to ``requests`` (``params``, ``json``, ``headers``). The caller reads the
        body (``read_json``, or ``deadlines.iter_lines`` for a stream) and closes the response.
        """
        what = f"{method} {path}"
        token = _current_call.set(_Call(deadline, idempotent))
        started = time.monotonic()
        try:
            response = self._session.request(
                method,
                f"{self.base_url}{path}",
                timeout=_DeadlineTimeout(deadline, CONNECT_TIMEOUT),
                stream=True,  # the body is read under the deadline, not by requests
                allow_redirects=False,
                **kwargs,
            )
        except requests.exceptions.RequestException as exc:
            raise self._connection_error(exc, what) from None
        finally:
            _current_call.reset(token)
        log.debug("HoneyHive %s answered %s in %.0f ms", what, response.status_code, (time.monotonic() - started) * 1e3)
        if response.status_code >= 300:
            raise self._status_error(response, what, deadline)
        return response

    def read_json(self, response: requests.Response, what: str, deadline: Deadline, *, empty_ok: bool = False) -> Any:
        """The answer's body as JSON, read within ``deadline``; the response is closed after."""
        try:
            body = read_body(response, deadline)
        except (OSError, urllib3.exceptions.HTTPError, requests.exceptions.RequestException) as exc:
            raise self._connection_error(exc, what) from None
        finally:
            response.close()
        if empty_ok and not body.strip():
            return None
        try:
            return json.loads(body)
        except ValueError:
            content_type = response.headers.get("Content-Type", "")
            raise not_json_error(what, response.status_code, body, content_type, secret=self._api_key) from None

    @staticmethod
    def parse(model: type[ModelT], data: Any, what: str) -> ModelT:
        try:
            return model.model_validate(data)
        except PydanticValidationError as exc:
            raise MalformedResponseError(_shape_problem(exc, what)) from None

    def parse_list(self, model: type[ModelT], data: Any, what: str, *, key: str = "data") -> list[ModelT]:
        """A list answer: a bare JSON array, or the array under ``key`` (``{"data": [...]}``)."""
        if isinstance(data, dict) and isinstance(data.get(key), list):
            data = data[key]
        if not isinstance(data, list):
            raise MalformedResponseError(
                f"{what}: expected a JSON array (or {{{key!r}: [...]}}), got {type(data).__name__}. "
                "Check that HONEYHIVE_BASE_URL points at HoneyHive's API."
            )
        return [self.parse(model, item, what) for item in data]

    # ---- errors ---------------------------------------------------------------------------------

    def stream_error(self, data: Mapping[str, Any], what: str) -> StreamError:
        """The error an SSE ``error`` event stands for."""
        return error_for_stream_event(data, what, secret=self._api_key)

    def _connection_error(self, exc: BaseException, what: str) -> Exception:
        return error_for_exception(exc, what, base_url=self.base_url, timeout=self.timeout, secret=self._api_key)

    def _status_error(self, response: requests.Response, what: str, deadline: Deadline) -> Exception:
        try:
            # An error page gets a moment even when the deadline is spent: it says why.
            body = read_body(response, Deadline(max(deadline.remaining(), 1.0)), limit=ERROR_BODY_LIMIT)
        except (OSError, urllib3.exceptions.HTTPError, requests.exceptions.RequestException):
            body = b""
        finally:
            response.close()
        retries = response.raw.retries
        return error_for_status(
            response.status_code,
            what,
            body,
            response.headers,
            retries=len(retries.history) if retries is not None else 0,
            secret=self._api_key,
        )


def _shape_problem(exc: PydanticValidationError, what: str) -> str:
    problems = ", ".join(".".join(str(p) for p in e["loc"]) or "<root>" for e in exc.errors())
    return (
        f"{what}: HoneyHive's answer does not have the expected shape (problem with: {problems}). "
        "The API may have changed; check for a newer Hive Review."
    )
