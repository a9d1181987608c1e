"""Annotation queues of the current API (``/v1/queues``): saved event filters. A queue's events are
those its ``filters.filterArray`` selects through export or search (plus any added by id)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from honeyhive_api.current_models import EventFilter, QueueCreate, QueueFilters, QueueUpdate
from honeyhive_api.emulator.responses import ApiError
from honeyhive_api.emulator.state import State
from honeyhive_api.emulator.store.event_filters import FilterError, compile_filters

router = APIRouter(tags=["queues"])


def _not_found(queue_id: str) -> ApiError:
    return ApiError(404, f"queue {queue_id!r} not found; GET /v1/queues lists them")


def _checked(filters: QueueFilters) -> dict[str, Any]:
    """The filters as stored, once they are known to compile: a queue that export would refuse
    is refused when it is saved, not when a reviewer opens it."""
    items: list[EventFilter] = filters.filterArray
    try:
        compile_filters(items)
    except FilterError as exc:
        raise ApiError(400, str(exc), ["filters"], code="INVALID_FILTER") from None
    return {"filterArray": [item.model_dump() for item in items]}


@router.get("/v1/queues")
async def list_queues(state: State, enabled: bool | None = None) -> Any:
    return {"queues": state.store.queues.find(enabled=enabled)}


@router.get("/v1/queues/{queue_id}")
async def get_queue(state: State, queue_id: str) -> Any:
    queue = state.store.queues.get(queue_id)
    if queue is None:
        raise _not_found(queue_id)
    return queue


@router.post("/v1/queues")
async def create_queue(state: State, body: QueueCreate) -> Any:
    queue = state.store.queues.create({**body.model_dump(), "filters": _checked(body.filters)})
    return {"queue": queue, "message": f"queue {queue['name']!r} created"}


@router.put("/v1/queues/{queue_id}")
async def update_queue(state: State, queue_id: str, body: QueueUpdate) -> Any:
    changes = body.model_dump(exclude_none=True, exclude={"id"})
    if body.filters is not None:
        changes["filters"] = _checked(body.filters)
    queue = state.store.queues.update(queue_id, changes)
    if queue is None:
        raise _not_found(queue_id)
    return {"queue": queue, "message": f"queue {queue['name']!r} updated"}


@router.delete("/v1/queues/{queue_id}")
async def delete_queue(state: State, queue_id: str) -> Any:
    if not state.store.queues.delete(queue_id):
        raise _not_found(queue_id)
    return {"message": f"queue {queue_id!r} deleted"}
