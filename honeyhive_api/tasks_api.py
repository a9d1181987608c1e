"""HoneyHive's task-based API: tasks, prompts, the generation proxy, logging, feedback.

What may be retried (see ``honeyhive_api.retrying``):

* reads, and ``POST /feedback`` (HoneyHive merges feedback key by key, so sending the same object
  twice changes nothing), retry on any transient failure;
* creating a generation (``POST /generations``, ``POST /generations/log``) retries only when the
  request cannot have been processed: a timeout while waiting for the answer is not retried, the
  generation may exist and a second one would be a different completion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from honeyhive_api import streaming
from honeyhive_api.deadlines import Deadline, iter_lines
from honeyhive_api.generation_stream import GenerationStream
from honeyhive_api.models import (
    Feedback,
    FeedbackQuery,
    GenerateQuery,
    Generation,
    GenerationLoggingQuery,
    Prompt,
    Task,
    Usage,
)
from honeyhive_api.transport import Transport

__all__ = ["TaskAPI", "generate_body"]


class TaskAPI:
    """The task API's calls (``client.task_api``; ``HoneyHiveClient`` forwards each by name)."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def list_tasks(self) -> list[Task]:
        data = self._transport.request("GET", "/tasks", idempotent=True)
        return self._transport.parse_list(Task, data, "GET /tasks")

    def list_prompts(self, task: str) -> list[Prompt]:
        data = self._transport.request("GET", "/prompts", idempotent=True, params={"task": task})
        return self._transport.parse_list(Prompt, data, "GET /prompts")

    def list_generations(self, task: str, *, prompt: str | None = None) -> list[Generation]:
        params = {"task": task} if prompt is None else {"task": task, "prompt": prompt}
        data = self._transport.request("GET", "/generations", idempotent=True, params=params)
        return self._transport.parse_list(Generation, data, "GET /generations")

    def generate(
        self,
        task: str,
        inputs: Mapping[str, str],
        *,
        prompts: list[str] | None = None,
        user_properties: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> Generation:
        """Run the task's deployed prompt (or the named ``prompts``) on ``inputs``."""
        body = generate_body(task, inputs, prompts, user_properties, source, stream=False)
        data = self._transport.request("POST", "/generations", idempotent=False, json=body)
        return self._transport.parse(Generation, data, "POST /generations")

    def generate_stream(
        self,
        task: str,
        inputs: Mapping[str, str],
        *,
        prompts: list[str] | None = None,
        user_properties: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> GenerationStream:
        """Start a streamed generation; iterate the result for text chunks as they arrive.

        Until the answer's headers arrive the call's deadline (``timeout``) applies; after that the
        stream's silence deadline: ``timeout`` seconds without a chunk ends it.
        """
        body = generate_body(task, inputs, prompts, user_properties, source, stream=True)
        deadline = Deadline(self._transport.timeout)
        headers = {"Accept": f"{streaming.MEDIA_TYPE}, application/json"}
        response = self._transport.open(
            "POST", "/generations", idempotent=False, deadline=deadline, json=body, headers=headers
        )
        silence = Deadline(self._transport.timeout)
        if not response.headers.get("Content-Type", "").startswith(streaming.MEDIA_TYPE):
            # A server that ignores `stream` answers plain JSON: still a generation, in one chunk.
            data = self._transport.read_json(response, "POST /generations", deadline)
            generation = self._transport.parse(Generation, data, "POST /generations")
            events = iter(
                [
                    streaming.StreamEvent(streaming.CHUNK, {"text": generation.generation}),
                    streaming.StreamEvent(streaming.DONE, data),
                ]
            )
            return GenerationStream(events, transport=self._transport, silence=silence)
        events = streaming.decode_events(iter_lines(response, silence))
        return GenerationStream(events, transport=self._transport, silence=silence, response=response)

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
    ) -> Generation:
        """Ingest a completion produced elsewhere (``POST /generations/log``)."""
        query = GenerationLoggingQuery(
            task=task,
            model=model,
            hyperparameters=dict(hyperparameters),
            generation=generation,
            prompt_template=prompt_template,
            inputs=dict(inputs) if inputs is not None else None,
            prompt=prompt,
            version=version,
            usage=Usage.model_validate(usage) if usage is not None and not isinstance(usage, Usage) else usage,
            latency=latency,
            source=source,
            user_properties=dict(user_properties) if user_properties is not None else None,
            metadata=dict(metadata) if metadata is not None else None,
            ground_truth=ground_truth,
        )
        body = query.model_dump(mode="json", exclude_none=True)
        data = self._transport.request("POST", "/generations/log", idempotent=False, json=body)
        return self._transport.parse(Generation, data, "POST /generations/log")

    def send_feedback(
        self,
        task: str,
        generation_id: str,
        feedback: Mapping[str, Any],
        *,
        ground_truth: str | None = None,
    ) -> Feedback:
        """Send feedback for a generation. HoneyHive merges it key by key, so a retry is harmless."""
        query = FeedbackQuery(
            task=task, generation_id=generation_id, feedback_json=dict(feedback), ground_truth=ground_truth
        )
        body = query.model_dump(mode="json", exclude_none=True)
        body["feedback_json"] = dict(feedback)  # keep explicit nulls: they clear an earlier value
        data = self._transport.request("POST", "/feedback", idempotent=True, json=body)
        return self._transport.parse(Feedback, data, "POST /feedback")


def generate_body(
    task: str,
    inputs: Mapping[str, str],
    prompts: list[str] | None,
    user_properties: Mapping[str, Any] | None,
    source: str | None,
    *,
    stream: bool,
) -> dict[str, Any]:
    """The JSON body of ``POST /generations`` (also what the overhead benchmark sends by hand)."""
    query = GenerateQuery(
        task=task,
        input={str(k): str(v) for k, v in inputs.items()},
        prompts=list(prompts) if prompts else None,
        user_properties=dict(user_properties) if user_properties else None,
        source=source,
        stream=stream or None,
    )
    return query.model_dump(mode="json", exclude_none=True)
