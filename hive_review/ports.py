"""What the review logic needs of HoneyHive, as protocols: ``HoneyHiveClient`` provides them, and
the logic can be driven by anything that does (the emulator's client in tests, for example)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from honeyhive_api import Generation


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


class GenerationLogger(Protocol):
    """Logs a completion made elsewhere (ingest)."""

    def log_generation(self, task: str, model: str, generation: str, **kwargs: object) -> Generation: ...


class FeedbackSender(Protocol):
    """Delivers one feedback item (the outbox)."""

    def send_feedback(
        self, task: str, generation_id: str, feedback: dict[str, Any], *, ground_truth: str | None = None
    ) -> Any: ...
