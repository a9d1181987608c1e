"""What the review logic needs of HoneyHive, as protocols: ``HoneyHiveClient`` provides them, and
the logic can be driven by anything that does (the emulator's client in tests, for example)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal, Protocol

from honeyhive_api import Generation, Prompt, Task, Usage


class Generator(Protocol):
    """Runs a task's deployed prompt, or chosen variants of it (batches and comparisons)."""

    def generate(
        self,
        task: str,
        inputs: Mapping[str, str],
        *,
        prompts: list[str] | None = None,
        user_properties: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> Generation: ...


class FeedbackSender(Protocol):
    """Delivers one feedback item (the outbox)."""

    def send_feedback(
        self, task: str, generation_id: str, feedback: dict[str, Any], *, ground_truth: str | None = None
    ) -> Any: ...


class GenerationStreamLike(Protocol):
    """A streamed generation (``honeyhive_api.GenerationStream`` or the current mode's): iterate for
    text chunks; ``generation`` is set once it has ended; leaving the ``with`` block closes it."""

    generation: Generation | None

    def __iter__(self) -> Iterator[str]: ...

    def close(self) -> None: ...

    def __enter__(self) -> GenerationStreamLike: ...

    def __exit__(self, *exc_info: object) -> None: ...


class ReviewBackend(Generator, FeedbackSender, Protocol):
    """Everything the studio calls on HoneyHive, whichever API is behind it
    (``hive_review.backends.TasksBackend`` or ``CurrentBackend``)."""

    @property
    def api(self) -> Literal["tasks", "current"]: ...

    def list_tasks(self) -> list[Task]: ...

    def list_prompts(self, task: str) -> list[Prompt]: ...

    def generate_stream(
        self,
        task: str,
        inputs: Mapping[str, str],
        *,
        prompts: list[str] | None = None,
        user_properties: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> GenerationStreamLike: ...

    def log_generation(
        self,
        task: str,
        model: str,
        generation: str,
        *,
        hyperparameters: Mapping[str, Any],
        prompt_template: str | None = None,
        inputs: Mapping[str, Any] | None = None,
        prompt: str | None = None,
        usage: Usage | Mapping[str, int] | None = None,
        latency: float | None = None,
        source: str | None = None,
        user_properties: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        ground_truth: str | None = None,
        version: str | None = None,
    ) -> Generation: ...

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None) -> ReviewBackend: ...


def reviewer_properties(reviewer: str) -> dict[str, str]:
    """The ``user_properties`` of a run: the reviewer under ``reviewer`` (what the studio's own
    readers look for) and under ``user_id`` (the key HoneyHive's user filters and charts group by)."""
    return {"reviewer": reviewer, "user_id": reviewer}
