"""``TasksBackend``: the task API's client as a ``ReviewBackend`` (it only adds ``api``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from honeyhive_api import Feedback, Generation, GenerationStream, HoneyHiveClient, Prompt, Task

__all__ = ["TasksBackend"]


class TasksBackend:
    """Delegates every call to ``HoneyHiveClient``'s task API, unchanged."""

    api: Literal["tasks"] = "tasks"

    def __init__(self, client: HoneyHiveClient) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"TasksBackend({self.client!r})"

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None) -> TasksBackend:
        return TasksBackend(self.client.with_options(timeout=timeout, max_retries=max_retries))

    def list_tasks(self) -> list[Task]:
        return self.client.list_tasks()

    def list_prompts(self, task: str) -> list[Prompt]:
        return self.client.list_prompts(task)

    def generate(
        self,
        task: str,
        inputs: Mapping[str, str],
        *,
        prompts: list[str] | None = None,
        user_properties: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> Generation:
        return self.client.generate(task, inputs, prompts=prompts, user_properties=user_properties, source=source)

    def generate_stream(
        self,
        task: str,
        inputs: Mapping[str, str],
        *,
        prompts: list[str] | None = None,
        user_properties: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> GenerationStream:
        return self.client.generate_stream(
            task, inputs, prompts=prompts, user_properties=user_properties, source=source
        )

    def log_generation(self, task: str, model: str, generation: str, **kwargs: Any) -> Generation:
        return self.client.log_generation(task, model, generation, **kwargs)

    def send_feedback(
        self, task: str, generation_id: str, feedback: Mapping[str, Any], *, ground_truth: str | None = None
    ) -> Feedback:
        return self.client.send_feedback(task, generation_id, feedback, ground_truth=ground_truth)
