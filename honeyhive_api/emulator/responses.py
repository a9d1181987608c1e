"""JSON answers encoded once, and the error bodies of the three APIs the emulator speaks.

* the task-based API (``honeyhive-legacy-api.md``): ``{"message", "fields"}``;
* HoneyHive's current API: ``{"statusCode", "message", "success": false, "errorCode"}``;
* OpenAI's chat completions: ``{"error": {"message", "type", "param", "code"}}``, which the
  official ``openai`` client turns into its typed errors.

Which one a request gets depends on its path alone, so the gateway (before any route runs) and
the routes answer alike.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

from fastapi.responses import Response


class FastJSONResponse(Response):
    """JSON serialised once with the standard library: the answers are plain dicts and lists of
    JSON types already, so FastAPI's generic encoder (which walks every value) is skipped."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def raw_json(payload: bytes, status_code: int = 200) -> Response:
    """An answer already encoded (e.g. stored event JSON spliced into a page)."""
    return Response(payload, status_code=status_code, media_type="application/json")


class ErrorStyle(Enum):
    LEGACY = "legacy"
    CURRENT = "current"
    OPENAI = "openai"


# Every other /v1 path is HoneyHive's current API too (one this emulator may not have).
_CURRENT_PREFIXES = ("/v1/", "/events", "/session/")
_OPENAI_PREFIXES = ("/v1/chat/", "/v1/models")

ERROR_CODES = {
    400: "INVALID_REQUEST",
    401: "UNAUTHORIZED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    422: "INVALID_REQUEST",
    429: "RATE_LIMITED",
    502: "PROVIDER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}
_OPENAI_TYPES = {401: "invalid_request_error", 429: "rate_limit_error", 502: "server_error", 503: "server_error"}
_OPENAI_CODES = {401: "invalid_api_key", 404: "not_found", 429: "rate_limit_exceeded", 503: "service_unavailable"}


def error_style(path: str) -> ErrorStyle:
    if path.startswith(_OPENAI_PREFIXES):
        return ErrorStyle.OPENAI
    if path.startswith(_CURRENT_PREFIXES):
        return ErrorStyle.CURRENT
    return ErrorStyle.LEGACY


def error_body(
    style: ErrorStyle,
    status: int,
    message: str,
    *,
    code: str | None = None,
    fields: list[str] | None = None,
) -> dict[str, Any]:
    if style is ErrorStyle.CURRENT:
        return {
            "statusCode": status,
            "message": message,
            "success": False,
            "errorCode": code or ERROR_CODES.get(status, "ERROR"),
        }
    if style is ErrorStyle.OPENAI:
        return {
            "error": {
                "message": message,
                "type": _OPENAI_TYPES.get(status, "invalid_request_error" if status < 500 else "server_error"),
                "param": fields[0] if fields else None,
                "code": code or _OPENAI_CODES.get(status),
            }
        }
    return {"message": message, "fields": fields or []}


class ApiError(Exception):
    """An answer with an error status; the body's shape follows the request's API."""

    def __init__(self, status: int, message: str, fields: list[str] | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or []
        self.code = code
