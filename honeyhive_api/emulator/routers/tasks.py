"""Tasks of the task-based API (``GET/POST /tasks``, ``PUT /tasks/{id}``, ``DELETE /tasks/{name}``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from honeyhive_api.emulator.responses import ApiError
from honeyhive_api.emulator.state import State
from honeyhive_api.models import TaskCreationQuery, TaskUpdateQuery

router = APIRouter(tags=["tasks"])


@router.get("/tasks")
async def list_tasks(state: State, name: str | None = None) -> Any:
    return state.store.tasks.list_tasks(name)


@router.post("/tasks")
async def create_task(state: State, body: TaskCreationQuery) -> Any:
    if state.store.tasks.task_exists(body.name):
        raise ApiError(409, f"task {body.name!r} exists already", ["name"])
    return state.store.tasks.create_task(body.model_dump())


@router.put("/tasks/{task_id}")
async def update_task(state: State, task_id: str, body: TaskUpdateQuery) -> Any:
    updated = state.store.tasks.update_task(task_id, body.model_dump())
    if updated is None:
        raise ApiError(404, f"task {task_id!r} not found")
    return updated


@router.delete("/tasks/{name}")
async def delete_task(state: State, name: str) -> Any:
    return {"deleted": state.store.tasks.delete_task(name)}


def require_task(state: State, name: str) -> None:
    if not state.store.tasks.task_exists(name):
        raise ApiError(404, f"task {name!r} not found; GET /tasks lists the tasks")
