"""Feedback on a generation (task-based API): merged key by key, every delivery recorded."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from honeyhive_api.emulator.responses import ApiError
from honeyhive_api.emulator.state import State
from honeyhive_api.models import FeedbackQuery

router = APIRouter(tags=["feedback"])


@router.post("/feedback")
async def feedback(state: State, query: FeedbackQuery) -> Any:
    generation = state.store.generations.get_generation(query.generation_id)
    if generation is None:
        raise ApiError(404, f"generation {query.generation_id!r} not found")
    if generation["task"] != query.task:
        raise ApiError(
            422,
            f"generation {query.generation_id!r} belongs to task {generation['task']!r}, not {query.task!r}",
            ["task"],
        )
    return state.store.generations.merge_feedback(
        query.task, query.generation_id, query.feedback_json, query.ground_truth
    )
