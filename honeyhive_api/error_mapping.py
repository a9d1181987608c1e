"""Every way a call can fail, turned into one of the client's error classes with a message that
says what happened and what to do. Nothing here raises: the transport raises what it gets back.

Messages quote the server's answer (shortened) and the call's method and path, never the
request's headers; ``redact`` scrubs the key from anything quoted, since a server may echo it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError, ReadTimeoutError

from honeyhive_api.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    HoneyHiveError,
    MalformedResponseError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
    ServerError,
    StreamError,
    ValidationError,
    redact,
)
from honeyhive_api.urls import redact_url

__all__ = [
    "error_for_exception",
    "error_for_status",
    "error_for_stream_event",
    "not_json_error",
    "retry_after_seconds",
]

QUOTE_LENGTH = 300
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_CONNECTION_REASONS = (
    "Connection refused",
    "Name or service not known",
    "nodename nor servname",
    "Temporary failure in name resolution",
    "Connection reset",
    "Remote end closed",
    "Connection broken",
    "IncompleteRead",
)


def error_for_status(
    status: int,
    what: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    retries: int,
    secret: str,
) -> HoneyHiveError:
    """The error for an answer with status >= 300 (redirects are not followed: see the transport)."""
    if 300 <= status < 400:
        location = redact_url(headers.get("Location", "")) or "nowhere"
        return APIStatusError(
            redact(
                f"{what} was redirected ({status}) to {location!r}. Set HONEYHIVE_BASE_URL to the "
                "address HoneyHive's API answers at (redirects are not followed, so the API key is not "
                "sent to another host).",
                secret,
            ),
            status_code=status,
        )
    message, fields = _error_details(body, headers.get("Content-Type", ""))
    after = f" after {retries} {'retry' if retries == 1 else 'retries'}" if retries else ""
    text = redact(f"{what} failed with {status}{after}: {message.rstrip('.')}.", secret)
    if status in (401, 403):
        return AuthenticationError(
            f"{text} Check HONEYHIVE_API_KEY (HoneyHive: Settings > Project > API Keys).", status_code=status
        )
    if status == 404:
        return NotFoundError(f"{text} Check the name or id, and that HONEYHIVE_BASE_URL is right.", status_code=status)
    if status == 409:
        return ConflictError(f"{text} Use another name, or change the existing one.", status_code=status)
    if status == 413:
        return PayloadTooLargeError(f"{text} Send less text.", status_code=status, fields=fields)
    if status in (400, 422):
        return ValidationError(text, status_code=status, fields=fields)
    if status == 429:
        retry_after = retry_after_seconds(headers.get("Retry-After"))
        wait = f"wait {retry_after:g} s" if retry_after is not None else "wait a moment"
        return RateLimitError(f"{text} HoneyHive is rate limiting; {wait} and try again.", retry_after=retry_after)
    if status >= 500:
        return ServerError(
            f"{text} HoneyHive (or a proxy in front of it) is failing; try again in a minute.", status_code=status
        )
    return APIStatusError(text, status_code=status)


def error_for_stream_event(data: Mapping[str, Any], what: str, *, secret: str) -> StreamError:
    """The error for an SSE ``error`` event. Its ``status_code`` may be missing, null or not a number."""
    message = data.get("message")
    if not isinstance(message, str) or not message.strip():
        message = "no reason given"
    reported = data.get("status_code")
    valid = isinstance(reported, int) and not isinstance(reported, bool) and 400 <= reported <= 599
    status = reported if valid else 500
    said = f"status {reported}" if valid else "no status"
    return StreamError(
        redact(
            f"{what} failed while streaming ({said}): {_shorten(message)}. The generation is incomplete; run it again.",
            secret,
        ),
        status_code=status,
    )


def not_json_error(what: str, status: int, body: bytes, content_type: str, *, secret: str) -> MalformedResponseError:
    """The error for a 2xx answer whose body is not JSON."""
    return MalformedResponseError(
        redact(
            f"{what}: HoneyHive answered {status} with {_describe(body, content_type)}, not JSON. Check that "
            "HONEYHIVE_BASE_URL points at HoneyHive's API (e.g. https://api.honeyhive.ai), not its web app "
            "or a proxy's login page.",
            secret,
        )
    )


def error_for_exception(
    exc: BaseException, what: str, *, base_url: str, timeout: float, secret: str
) -> APIConnectionError | MalformedResponseError:
    """The error for what requests or urllib3 raised (no answer, or an answer that broke off)."""
    where = redact_url(base_url)
    if _timed_out(exc):
        return APITimeoutError(
            f"{what}: HoneyHive at {where} did not answer completely within {timeout:g} s. Try again, or raise "
            "the timeout.",
            request_sent=not _never_connected(exc),
        )
    if type(exc).__name__ in ("DecodeError", "ContentDecodingError"):
        return MalformedResponseError(
            redact(f"{what}: HoneyHive's answer could not be decompressed ({exc}). Try again.", secret)
        )
    return APIConnectionError(
        redact(
            f"{what}: cannot reach HoneyHive at {where} ({_connection_reason(exc)}). Check the base URL "
            "(HONEYHIVE_BASE_URL) and your network.",
            secret,
        ),
        request_sent=not _never_connected(exc),
    )


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP-date (RFC 9110 allows both)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        seconds = max((when - datetime.now(UTC)).total_seconds(), 0.0)
    return seconds if math.isfinite(seconds) else None


# ---- helpers ----------------------------------------------------------------------------------------


def _error_details(body: bytes, content_type: str) -> tuple[str, list[str]]:
    """The server's reason and the offending fields, from JSON error bodies of either API."""
    try:
        data = json.loads(body)
    except ValueError:
        return _describe(body, content_type), []
    if not isinstance(data, dict):
        return _shorten(json.dumps(data)), []
    message = data.get("message") or data.get("detail") or data.get("error") or json.dumps(data)
    fields = data.get("fields") or []
    if isinstance(message, list):  # FastAPI-style validation detail
        fields = [".".join(str(p) for p in item.get("loc", [])) for item in message if isinstance(item, dict)]
        message = "invalid fields: " + ", ".join(fields)
    return _shorten(str(message)), [str(f) for f in fields] if isinstance(fields, list) else []


def _describe(body: bytes, content_type: str) -> str:
    """A non-JSON body in a few words: an HTML page by its title, text by its first characters."""
    if not body.strip():
        return "an empty body"
    looks_html = "html" in content_type.lower() or body.lstrip()[:1] == b"<"
    if looks_html:
        title = _TITLE.search(body)
        if title:
            return f"an HTML page titled {_shorten(title.group(1).decode('utf-8', 'replace'))!r}"
        return "an HTML page"
    return f"text {_shorten(body.decode('utf-8', 'replace'))!r}"


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1] + "…"


def _reason_of(exc: BaseException) -> BaseException | None:
    """What urllib3 wrapped: requests' errors carry a MaxRetryError whose ``reason`` is the cause."""
    inner = exc.args[0] if exc.args else None
    return getattr(inner, "reason", None) if inner is not None else None


def _timed_out(exc: BaseException) -> bool:
    # urllib3 wraps a read timeout in MaxRetryError once retries run out; requests then calls it a
    # ConnectionError. It is still a timeout: the request was sent, no answer came.
    return any(_is_timeout(candidate) for candidate in (exc, _reason_of(exc)))


def _is_timeout(exc: BaseException | None) -> bool:
    if isinstance(exc, NewConnectionError):  # urllib3 2 derives "refused" from ConnectTimeoutError
        return False
    return isinstance(exc, TimeoutError | ReadTimeoutError | ConnectTimeoutError | requests.exceptions.Timeout)


def _never_connected(exc: BaseException) -> bool:
    """True when the request cannot have reached the server: the connection was never made."""
    if isinstance(exc, requests.exceptions.ConnectTimeout | ConnectTimeoutError):
        return True
    return isinstance(_reason_of(exc), NewConnectionError | ConnectTimeoutError | NameResolutionError)


def _connection_reason(exc: BaseException) -> str:
    text = str(exc)
    for marker in _CONNECTION_REASONS:
        if marker in text:
            return marker.lower()
    return type(exc).__name__
