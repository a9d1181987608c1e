"""Configurations of the current API: the deployed prompts (``/v1/configurations``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from honeyhive_api.current_models import ConfigurationCreate, ConfigurationUpdate
from honeyhive_api.emulator.responses import ApiError
from honeyhive_api.emulator.state import State

router = APIRouter(tags=["configurations"])


def _not_found(config_id: str) -> ApiError:
    return ApiError(404, f"configuration {config_id!r} not found; GET /v1/configurations lists them")


@router.get("/v1/configurations")
async def list_configurations(
    state: State, name: str | None = None, env: str | None = None, tags: str | None = None
) -> Any:
    return {"configurations": state.store.configurations.find(name=name, env=env, tags=tags)}


@router.post("/v1/configurations")
async def create_configuration(state: State, body: ConfigurationCreate) -> Any:
    if state.store.configurations.name_taken(body.name):
        raise ApiError(409, f"configuration {body.name!r} exists already; PUT /v1/configurations/{{id}} changes it")
    created = state.store.configurations.create(body.model_dump())
    return {"acknowledged": True, "insertedId": created["id"]}


@router.put("/v1/configurations/{config_id}")
async def update_configuration(state: State, config_id: str, body: ConfigurationUpdate) -> Any:
    if state.store.configurations.get(config_id) is None:
        raise _not_found(config_id)
    if state.store.configurations.name_taken(body.name, by_other_than=config_id):
        raise ApiError(409, f"another configuration is named {body.name!r} already")
    changes = body.model_dump(exclude_none=True)
    state.store.configurations.update(config_id, changes)
    return {"acknowledged": True, "modifiedCount": 1, "upsertedId": None, "upsertedCount": 0, "matchedCount": 1}


@router.delete("/v1/configurations/{config_id}")
async def delete_configuration(state: State, config_id: str) -> Any:
    if not state.store.configurations.delete(config_id):
        raise _not_found(config_id)
    return {"acknowledged": True, "deletedCount": 1}
