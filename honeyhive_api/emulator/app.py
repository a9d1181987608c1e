"""The emulator's HTTP API: HoneyHive's task-based and current contracts and OpenAI-compatible chat
completions, served by FastAPI from one SQLite file.

The routes live in ``routers/`` (one router per resource); what they share (the config, the store,
the provider, the fault state) is on ``app.state`` and reaches them through the ``State``
dependency. Answers of the task-based API carry every field (unset ones as ``null``) because
HoneyHive's SDK parses them with models that require each field to be present.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from honeyhive_api.emulator.config import EmulatorConfig
from honeyhive_api.emulator.faults import FaultState
from honeyhive_api.emulator.gateway import GatewayMiddleware
from honeyhive_api.emulator.providers import Provider
from honeyhive_api.emulator.responses import ApiError, ErrorStyle, FastJSONResponse, error_body, error_style
from honeyhive_api.emulator.routers import ROUTERS
from honeyhive_api.emulator.state import EmulatorState
from honeyhive_api.emulator.store import EmulatorStore


def _validation_message(exc: RequestValidationError) -> tuple[str, list[str]]:
    fields: list[str] = []
    parts: list[str] = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":  # its location is a character offset, not a field
            reason = (error.get("ctx") or {}).get("error", "")
            fields.append("body")
            parts.append(f"body: not valid JSON ({reason}) near character {error['loc'][-1]}")
            continue
        location = [str(p) for p in error.get("loc", ()) if p != "body"]
        name = ".".join(location) or "body"
        fields.append(name)
        parts.append(f"{name}: {error.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts), fields


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    body = error_body(error_style(request.url.path), exc.status, exc.message, code=exc.code, fields=exc.fields)
    return JSONResponse(body, status_code=exc.status)


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    message, fields = _validation_message(exc)
    style = error_style(request.url.path)
    # The task-based API answered 422; HoneyHive's current API and OpenAI answer a bad body with 400.
    status = 422 if style is ErrorStyle.LEGACY else 400
    return JSONResponse(error_body(style, status, message, fields=fields), status_code=status)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    style = error_style(request.url.path)
    if style is ErrorStyle.LEGACY:  # FastAPI's own answer, as the task-based API always gave it
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    message = f"{request.method} {request.url.path}: {exc.detail}"
    return JSONResponse(error_body(style, exc.status_code, message), status_code=exc.status_code, headers=exc.headers)


def create_app(config: EmulatorConfig, store: EmulatorStore, provider: Provider, faults: FaultState) -> FastAPI:
    app = FastAPI(title="HoneyHive emulator (Hive Review)", version="0.2.0", default_response_class=FastJSONResponse)
    state = EmulatorState(config=config, store=store, provider=provider, faults=faults)
    app.state.emulator = state
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(
        GatewayMiddleware,
        faults=faults,
        api_key=config.api_key,
        max_body_bytes=config.max_body_bytes,
        requests=state.requests,
    )
    return app
