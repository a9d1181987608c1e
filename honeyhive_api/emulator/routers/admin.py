"""``/health`` (open, no key) and the emulator's own controls under ``/_emulator`` (not HoneyHive's
API): fault settings, every feedback delivery as received through either API, and how many requests
each route received."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from honeyhive_api.emulator.responses import ApiError
from honeyhive_api.emulator.state import State

router = APIRouter(tags=["emulator"])


@router.get("/health")
async def health(state: State) -> Any:
    return {"status": "ok", "provider": state.provider.name, "model": state.provider.label}


@router.get("/_emulator/faults")
async def get_faults(state: State) -> Any:
    return state.faults.snapshot()


@router.put("/_emulator/faults")
async def put_faults(state: State, request: Request) -> Any:
    try:
        changes = await request.json()
        if not isinstance(changes, dict):
            raise ValueError("send a JSON object of fault settings")
        return state.faults.update(changes)
    except ValueError as exc:
        raise ApiError(422, str(exc)) from None


@router.get("/_emulator/feedback-events")
async def feedback_events(state: State, generation_id: str | None = None, event_id: str | None = None) -> Any:
    """Deliveries of ``POST /feedback`` (``api: legacy``, with ``generation_id``, ``feedback_json``,
    ``ground_truth``) and of ``PUT /events`` carrying feedback (``api: current``, with ``event_id``,
    ``feedback`` and the whole ``body``), oldest first."""
    return state.store.feedback_deliveries(generation_id=generation_id, event_id=event_id)


@router.get("/_emulator/requests")
async def request_counts(state: State) -> Any:
    """``{"requests": [{"method", "path", "received", "refused"}]}``: every request to the API since
    the start (or the last ``DELETE``), by method and path; ``refused``: answered by an injected
    fault (503, 429) before any work."""
    return {"requests": state.requests.snapshot()}


@router.delete("/_emulator/requests")
async def clear_request_counts(state: State) -> Any:
    state.requests.clear()
    return {"success": True}
