"""Pydantic models of HoneyHive's task-based wire contract.

One set of models serves both sides: the client parses answers with them and the emulator
validates requests and builds answers with them, so the two cannot drift apart.

Answers are parsed with ``extra="allow"``: the hosted service adds fields over time and a
client must not break on them. Requests accept JSON ``null`` for every optional field,
because HoneyHive's own SDK sends each unset field as ``null``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def utc_now() -> datetime:
    return datetime.now(UTC)


class WireModel(BaseModel):
    """Base of every model on the wire: tolerant of fields this version does not know."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Usage(WireModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class Prompt(WireModel):
    """A prompt variant of a task. Exactly one per task is deployed."""

    name: str
    version: str | None = None
    task: str
    text: str
    input_variables: list[str] | None = None
    model: str
    provider: str | None = None
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    is_deployed: bool | None = None
    few_shot_examples: list[dict[str, Any]] | None = None
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class Task(WireModel):
    """A HoneyHive task (what the docs also call a project) with its prompt variants."""

    id: str
    name: str
    type: str | None = None
    prompts: list[Prompt] = Field(default_factory=list)
    datasets: list[dict[str, Any]] | None = None
    metrics: list[dict[str, Any]] | None = None
    fine_tuned_models: list[dict[str, Any]] | None = None
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)

    @property
    def deployed_prompt(self) -> Prompt | None:
        return next((p for p in self.prompts if p.is_deployed), None)


class Generation(WireModel):
    """A completion: the answer of ``POST /generations`` and ``POST /generations/log``, and a row of
    ``GET /generations``. Only ``generation_id``, ``version`` and ``generation`` are guaranteed by the
    proxy's answer; the rest is filled when the server gives it."""

    generation_id: str
    version: str
    generation: str
    task: str | None = None
    model: str | None = None
    hyperparameters: dict[str, Any] | None = None
    latency: float | None = None  # milliseconds
    usage: Usage | None = None
    total_tokens: int | None = None
    completion_tokens: int | None = None
    prompt_tokens: int | None = None
    cost: float | None = None
    source: str | None = None
    feedback: dict[str, Any] | None = None
    ground_truth: str | None = None
    created_at: datetime | None = None

    def token_counts(self) -> Usage | None:
        """Token usage from whichever shape the server used (``usage`` object or flat fields)."""
        if self.usage is not None:
            return self.usage
        if self.total_tokens is None and self.completion_tokens is None:
            return None
        completion = self.completion_tokens or 0
        total = self.total_tokens if self.total_tokens is not None else completion
        prompt = self.prompt_tokens if self.prompt_tokens is not None else max(total - completion, 0)
        return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=total)


class Feedback(WireModel):
    """The answer of ``POST /feedback``: the feedback object as stored (merged key by key)."""

    task: str
    generation_id: str
    feedback: dict[str, Any] = Field(default_factory=dict)
    ground_truth: str | None = None
    created_at: str | None = None


# ---- request bodies -------------------------------------------------------------------------


class GenerateQuery(WireModel):
    task: str
    input: dict[str, str] = Field(default_factory=dict)
    prompts: list[str] | None = None
    model_id: str | None = None
    best_of: int | None = None
    metric: str | None = None
    sampling: str | None = None
    user_properties: dict[str, Any] | None = None
    source: str | None = None
    stream: bool | None = None


class GenerationLoggingQuery(WireModel):
    task: str
    model: str
    hyperparameters: dict[str, Any]
    generation: str
    prompt_template: str | None = None
    inputs: dict[str, Any] | None = None
    prompt: str | None = None
    version: str | None = None
    usage: Usage | None = None
    source: str | None = None
    latency: float | None = None
    user_properties: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    ground_truth: str | None = None
    feedback: dict[str, Any] | None = None


class FeedbackQuery(WireModel):
    task: str
    generation_id: str
    feedback_json: dict[str, Any]
    ground_truth: str | None = None


class TaskCreationQuery(WireModel):
    name: str
    type: str | None = None
    prompts: list[dict[str, Any]] | None = None
    datasets: list[dict[str, Any]] | None = None
    metrics: list[dict[str, Any]] | None = None
    fine_tuned_models: list[dict[str, Any]] | None = None


class TaskUpdateQuery(WireModel):
    name: str | None = None
    type: str | None = None
    prompts: list[dict[str, Any]] | None = None
    datasets: list[dict[str, Any]] | None = None
    metrics: list[dict[str, Any]] | None = None
    fine_tuned_models: list[dict[str, Any]] | None = None


class PromptCreationQuery(WireModel):
    task: str
    text: str
    model: str
    provider: str | None = None
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    version: str | int | None = None
    name: str | None = None
    input_variables: list[str] | None = None
    few_shot_examples: list[dict[str, Any]] | None = None
    is_deployed: bool | None = None


class PromptUpdateQuery(WireModel):
    id: str | None = None
    version: str | int | None = None
    text: str | None = None
    input_variables: list[str] | None = None
    model: str | None = None
    provider: str | None = None
    hyperparameters: dict[str, Any] | None = None
    is_deployed: bool | None = None
    few_shot_examples: list[dict[str, Any]] | None = None
