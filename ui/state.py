"""Session-state keys in one place, so two widgets can never collide on a key by accident."""

from __future__ import annotations

from enum import StrEnum


class Keys(StrEnum):
    API_KEY_INPUT = "connection.api_key"
    BASE_URL_INPUT = "connection.base_url"
    REVIEWER = "connection.reviewer"
    SOURCE = "connection.source"
    SESSION_ID = "session.id"
    SESSION_PICKER = "session.picker"
    NEW_SESSION = "session.new"
    TASK = "playground.task"
    VARIANT = "playground.variant"
    MARKDOWN_VIEW = "playground.markdown_view"
    RUNS = "playground.runs"  # generation ids run on the playground, newest last
    RUN_ERROR = "playground.run_error"
    DRAFTS = "rating.drafts"  # unsent rating edits per generation id: survive page switches
    LABEL_OPTIONS = "rating.label_options"


def input_key(task: str, variable: str) -> str:
    """Each task keeps its own input values, so switching tasks and back keeps what was typed."""
    return f"playground.input.{task}.{variable}"


def rating_key(generation_id: str, part: str) -> str:
    return f"rating.{generation_id}.{part}"
