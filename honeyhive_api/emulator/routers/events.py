"""Events of the current API: logging them (one or a batch), feedback and other updates merged
into them, reading one back, and export / search with filters, a date range and pages.

``POST /events`` with an ``event_id`` that is stored already answers success and changes nothing:
a client that retries a timed-out POST must not get a duplicate (or lose feedback sent since).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from honeyhive_api.current_models import (
    EventBatchRequest,
    EventCreate,
    EventUpdate,
    ExportRequest,
    PostEventRequest,
    SearchRequest,
)
from honeyhive_api.emulator.responses import ApiError, raw_json
from honeyhive_api.emulator.state import EmulatorState, State
from honeyhive_api.emulator.store.event_filters import FilterError, Where, compile_filters, to_millis
from honeyhive_api.emulator.store.events import project

router = APIRouter(tags=["events"])


def _not_found(event_id: str) -> ApiError:
    return ApiError(404, f"event {event_id!r} not found; log it first with POST /events", code="EVENT_NOT_FOUND")


# ---- writing ----------------------------------------------------------------------------------------


@router.post("/events")
async def create_event(state: State, body: PostEventRequest) -> Any:
    [event_id] = state.store.events.add([body.event.model_dump(exclude_none=True)])
    return {"success": True, "event_id": event_id}


@router.post("/v1/events")
async def create_event_bare(state: State, body: EventCreate) -> Any:
    [event_id] = state.store.events.add([body.model_dump(exclude_none=True)])
    return {"success": True, "event_id": event_id}


@router.post("/events/batch")
@router.post("/v1/events/batch")
async def create_events(state: State, body: EventBatchRequest) -> Any:
    """Several events at once; with ``single_session`` they are put under one new session."""
    events = [event.model_dump(exclude_none=True) for event in body.events]
    session_id = None
    if body.single_session or body.is_single_session:
        properties = body.session_properties or body.session
        session = properties.model_dump(exclude_none=True) if properties else {}
        name = session.pop("session_name", None) or "session"
        [session_id] = state.store.events.add([{**session, "event_type": "session", "event_name": name}])
        events = [{**event, "session_id": session_id} for event in events]
    return {"success": True, "event_ids": state.store.events.add(events), "session_id": session_id}


def _update(state: EmulatorState, event_id: str, body: EventUpdate) -> Any:
    changes = body.model_dump(exclude_none=True, exclude={"event_id"})
    if state.store.events.update(event_id, changes) is None:
        raise _not_found(event_id)
    return {"success": True, "event_id": event_id}


@router.put("/events")
async def update_event(state: State, body: EventUpdate) -> Any:
    """Feedback, metrics, metadata, outputs, config and user properties merged key by key."""
    if not body.event_id:
        raise ApiError(400, "event_id is required: the id of the event to update", ["event_id"])
    return _update(state, body.event_id, body)


@router.put("/v1/events/{event_id}")
async def update_event_by_path(state: State, event_id: str, body: EventUpdate) -> Any:
    return _update(state, event_id, body)


# ---- reading ----------------------------------------------------------------------------------------


@router.get("/v1/events/{event_id}")
async def get_event(state: State, event_id: str) -> Response:
    stored = state.store.events.get_json(event_id)
    if stored is None:
        raise _not_found(event_id)
    return raw_json(b'{"event":' + stored.encode() + b"}")


def _page(
    state: EmulatorState,
    where: Where,
    *,
    limit: int,
    page: int,
    projections: list[str] | None,
    count_too: bool = False,
) -> Response:
    """A page of events spliced from the stored JSON: nothing is decoded unless projections ask."""
    if projections:
        bodies, total = state.store.events.export(where, limit=limit, page=page)
        joined = ",".join(json.dumps(project(body, projections), ensure_ascii=False) for body in bodies).encode()
    else:
        joined, total = state.store.events.export_joined(where, limit=limit, page=page)
    totals = f'"totalEvents":{total},"count":{total}' if count_too else f'"totalEvents":{total}'
    return raw_json(b'{"events":[' + joined + b"]," + totals.encode() + b"}")


def _where(filters: Any, since: str | None, until: str | None, what: str) -> Where:
    where = Where()
    try:
        if since is not None:
            where.add("start_time >= ?", to_millis(since, f"{what} start"))
        if until is not None:
            where.add("start_time <= ?", to_millis(until, f"{what} end"))
        return compile_filters(filters, where)
    except FilterError as exc:
        raise ApiError(400, str(exc), ["filters"], code="INVALID_FILTER") from None


@router.post("/v1/events/export")
async def export_events(state: State, body: ExportRequest) -> Response:
    """``{"events": [...], "totalEvents": N}``: oldest first, pages of up to 7,500 from page 1."""
    dates = body.dateRange
    where = _where(body.filters, dates and dates.gte, dates and dates.lte, "dateRange")
    return _page(state, where, limit=body.limit, page=body.page, projections=body.projections)


@router.post("/v1/events/search")
async def search_events(state: State, body: SearchRequest) -> Response:
    """Like export (pages of up to 1,000); answers ``count`` (what the SDK's model reads) and
    ``totalEvents``."""
    dates = body.dateRange
    where = _where(body.filters, dates and dates.start_time, dates and dates.end_time, "dateRange")
    return _page(state, where, limit=body.limit, page=body.page, projections=None, count_too=True)
