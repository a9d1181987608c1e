"""Exceptions of the HoneyHive client: one class per kind of failure.

Every message is built from the server's answer and the request's method and path only; the
API key is never part of a request line or body we quote, and ``redact`` scrubs it from
anything we do quote (a server may echo a header back).
"""

from __future__ import annotations


class HoneyHiveError(Exception):
    """Base of every error the client raises."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r})"


class APIStatusError(HoneyHiveError):
    """The server answered with a status >= 400."""

    def __init__(self, message: str, *, status_code: int) -> None:
        super().__init__(message, status_code=status_code)


class AuthenticationError(APIStatusError):
    """401 or 403: the API key is wrong, missing or not allowed."""


class NotFoundError(APIStatusError):
    """404: the task, prompt or generation does not exist."""


class ConflictError(APIStatusError):
    """409: the change clashes with what is stored, e.g. a configuration of that name exists."""


class ValidationError(APIStatusError):
    """400 or 422: the request was malformed; the message names the offending fields."""

    def __init__(self, message: str, *, status_code: int, fields: list[str] | None = None) -> None:
        super().__init__(message, status_code=status_code)
        self.fields = fields or []


class PayloadTooLargeError(ValidationError):
    """413: the request body is larger than the server accepts."""


class RateLimitError(APIStatusError):
    """429 after every retry was used."""

    def __init__(self, message: str, *, status_code: int = 429, retry_after: float | None = None) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx after every retry was used."""


class StreamError(ServerError):
    """An ``error`` event ended a stream: HoneyHive had accepted the request and the work ran.

    ``status_code`` is the one the event reported, or 500 when it gave none. Unlike a 503 answer,
    it never means "not processed": a generation may exist, so it is not sent again.
    """


class APIConnectionError(HoneyHiveError):
    """The server could not be reached, or the connection broke mid-answer.

    ``request_sent`` is False when the connection was never made (refused, unresolvable, connect
    timeout): then the server cannot have acted on the request, and even a generation may be
    sent again.
    """

    def __init__(self, message: str, *, request_sent: bool = True) -> None:
        super().__init__(message)
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """The server did not answer within the timeout."""


class MalformedResponseError(HoneyHiveError):
    """The server answered 2xx with a body that is not the JSON the contract promises."""


class UnsupportedAPIError(HoneyHiveError):
    """The base URL answers, but speaks neither HoneyHive's current API nor its task API."""


class InvalidBaseURLError(HoneyHiveError, ValueError):
    """The base URL cannot be used: not http(s), plain http off loopback, or it carries credentials.

    A ``ValueError`` too, because it is a bad argument found before any request; the message
    shows the URL only through ``redact_url``, so a key pasted into it is never repeated.
    """


def redact(text: str, secret: str | None) -> str:
    """Replace every occurrence of ``secret`` in ``text``; a no-op for an empty secret."""
    if secret:
        text = text.replace(secret, "[redacted]")
    return text
