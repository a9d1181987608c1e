"""Errors of the current-API backend: model endpoint failures as ``honeyhive_api`` error classes.

Every class here is a ``HoneyHiveError``, so the pages, the batch runner and the outbox handle them
as they handle HoneyHive's own failures. Each model error is *also* the matching client class
(``ModelRateLimitError`` is a ``RateLimitError``, ``ModelConnectionError`` an ``APIConnectionError``
…): ``honeyhive_api.retrying`` then decides what may be sent again with its one rule, unchanged.

Messages never hold the model key: the server's own words are quoted only after the key (and
anything shaped like a key, since OpenAI echoes part of a wrong one) is masked, and openai's
exception is not chained (its text may quote the server verbatim).
"""

from __future__ import annotations

import re

import openai

from honeyhive_api.error_mapping import retry_after_seconds
from honeyhive_api.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    HoneyHiveError,
    NotFoundError,
    RateLimitError,
    ServerError,
    StreamError,
    ValidationError,
    redact,
)
from honeyhive_api.urls import redact_url

__all__ = [
    "ModelAuthenticationError",
    "ModelConnectionError",
    "ModelEndpointError",
    "ModelNotFoundError",
    "ModelRateLimitError",
    "ModelRequestError",
    "ModelServerError",
    "ModelStatusError",
    "ModelStreamError",
    "ModelTimeoutError",
    "NoModelEndpointError",
    "NotDeployedError",
    "model_error",
]

QUOTE_LENGTH = 300
# "sk-…", "sk-proj-…", "Bearer …" and masked echoes such as "sk-abc*****wxyz".
_KEY_LIKE = re.compile(r"(?i)\b(?:sk|pk|rk|hh|key)[-_][\w\-*.]{4,}|\bbearer\s+\S+")


class ModelEndpointError(HoneyHiveError):
    """The model endpoint (OpenAI-compatible) failed, or none is configured."""


class NoModelEndpointError(ModelEndpointError):
    """Running a prompt needs a model endpoint and none is configured."""


class ModelStatusError(ModelEndpointError, APIStatusError):
    """The model endpoint answered with a status >= 400 that no narrower class covers."""


class ModelAuthenticationError(ModelEndpointError, AuthenticationError):
    """401 or 403 from the model endpoint: its key is wrong or not allowed."""


class ModelNotFoundError(ModelEndpointError, NotFoundError):
    """404 from the model endpoint: an unknown model, or a base URL without ``/v1``."""


class ModelRequestError(ModelEndpointError, ValidationError):
    """400 or 422 from the model endpoint: a hyperparameter or message it does not take."""


class ModelRateLimitError(ModelEndpointError, RateLimitError):
    """429 from the model endpoint after the client's retries."""


class ModelServerError(ModelEndpointError, ServerError):
    """5xx from the model endpoint after the client's retries."""


class ModelStreamError(ModelEndpointError, StreamError):
    """An error event ended the model's stream: the call ran, so it is never "not processed"."""


class ModelConnectionError(ModelEndpointError, APIConnectionError):
    """The model endpoint could not be reached, or the connection broke mid-answer."""


class ModelTimeoutError(ModelConnectionError, APITimeoutError):
    """The model endpoint did not answer (or went quiet while streaming) within the timeout."""


class NotDeployedError(NotFoundError):
    """No configuration of the task is deployed to the backend's environment."""


def scrub(text: str, secret: str | None) -> str:
    """``text`` safe to show: the key, and anything shaped like a key, masked; shortened."""
    text = _KEY_LIKE.sub("[redacted]", redact(text, secret))
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1] + "…"


def _never_connected(exc: openai.OpenAIError, kind: str) -> bool:
    """Whether openai's error comes from a connection that was never made. Read by class name:
    openai wraps httpx's exceptions, and which httpx package it uses differs between versions."""
    cause = exc.__cause__
    return cause is not None and type(cause).__name__ == kind


def _server_says(exc: openai.APIError, secret: str) -> str:
    body = exc.body
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message.strip():
        message = body if isinstance(body, str) and body.strip() else ""
    return f": {scrub(message.strip(), secret)}" if message else ""


def model_error(exc: openai.OpenAIError, *, base_url: str, model: str, secret: str, timeout: float) -> HoneyHiveError:
    """The error to raise for one of openai's exceptions, with a message that says what to do."""
    where = f"The model endpoint at {redact(redact_url(base_url), secret)}"
    if isinstance(exc, openai.APITimeoutError):
        # A connect timeout means the request never left: even a generation may be sent again.
        sent = not _never_connected(exc, "ConnectTimeout")
        return ModelTimeoutError(
            f"{where} did not answer within {timeout:g} s. Try again, or raise the timeout; a local model "
            "may still be loading.",
            request_sent=sent,
        )
    if isinstance(exc, openai.APIConnectionError):
        sent = not _never_connected(exc, "ConnectError")
        what = "could not be reached" if not sent else "broke the connection mid-answer"
        return ModelConnectionError(
            f"{where} {what}. Check HIVE_REVIEW_MODEL_BASE_URL and that the model server is running.",
            request_sent=sent,
        )
    if isinstance(exc, openai.APIStatusError):
        return _status_error(exc, where=where, model=model, secret=secret)
    if isinstance(exc, openai.APIError):  # an error event inside the stream (no HTTP status)
        return ModelStreamError(
            f"{where} failed while writing the answer{_server_says(exc, secret)}. Run it again.", status_code=502
        )
    return ModelStatusError(
        f"{where} answered with something that is not an OpenAI-compatible chat completion "
        f"({type(exc).__name__}). Check HIVE_REVIEW_MODEL_BASE_URL (it usually ends in /v1).",
        status_code=502,
    )


def _status_error(exc: openai.APIStatusError, *, where: str, model: str, secret: str) -> HoneyHiveError:
    status = exc.status_code
    if status in (401, 403):
        # The server's words are left out on purpose: OpenAI quotes part of a wrong key back.
        return ModelAuthenticationError(
            f"{where} refused the model API key ({status}). Check HIVE_REVIEW_MODEL_API_KEY.", status_code=status
        )
    says = _server_says(exc, secret)
    if status == 404:
        return ModelNotFoundError(
            f"{where} answered 404 for model {model!r}{says}. Check the model name (HIVE_REVIEW_MODEL overrides it), "
            "and that HIVE_REVIEW_MODEL_BASE_URL ends where /chat/completions is served (usually /v1).",
            status_code=404,
        )
    if status in (400, 422):
        return ModelRequestError(
            f"{where} refused the request ({status}){says}. Check the configuration's hyperparameters.",
            status_code=status,
        )
    if status == 429:
        retry_after = retry_after_seconds(exc.response.headers.get("retry-after"))
        return ModelRateLimitError(
            f"{where} is rate limiting (429){says}. Wait a moment and run again, or lower the batch concurrency.",
            retry_after=retry_after,
        )
    if status >= 500:
        return ModelServerError(f"{where} failed ({status}){says}. Try again later.", status_code=status)
    return ModelStatusError(f"{where} answered {status}{says}.", status_code=status)
