"""Prompt variants of the task-based API (``/prompts``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from honeyhive_api.emulator.responses import ApiError
from honeyhive_api.emulator.routers.tasks import require_task
from honeyhive_api.emulator.state import State
from honeyhive_api.models import PromptCreationQuery, PromptUpdateQuery

router = APIRouter(tags=["prompts"])


@router.get("/prompts")
async def list_prompts(state: State, task: str | None = None, name: str | None = None) -> Any:
    return state.store.tasks.list_prompts(task=task, name=name)


@router.post("/prompts")
async def create_prompt(state: State, body: PromptCreationQuery) -> Any:
    require_task(state, body.task)
    if body.name and state.store.tasks.list_prompts(name=body.name):
        raise ApiError(409, f"prompt {body.name!r} exists already", ["name"])
    return state.store.tasks.create_prompt(body.model_dump())


@router.put("/prompts/{prompt_id}")
async def update_prompt(state: State, prompt_id: str, body: PromptUpdateQuery) -> Any:
    updated = state.store.tasks.update_prompt(prompt_id, body.model_dump())
    if updated is None:
        raise ApiError(404, f"prompt {prompt_id!r} not found")
    return updated


@router.delete("/prompts/{name}")
async def delete_prompt(state: State, name: str) -> Any:
    return {"deleted": state.store.tasks.delete_prompt(name)}
