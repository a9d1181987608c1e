"""The ``model`` events ``CurrentBackend`` logs for its runs: what a run's event holds, and how it
reaches HoneyHive.

A run's event gets its ``event_id`` when it is built, so every way of sending it is safe to repeat:
``POST /events`` (one) or ``POST /events/batch`` (many; the feedback outbox sends queued events in
groups this way) stores it once, however often it is sent. With an ``EventSink`` (the outbox) a run
only commits its event and returns; without one the event is sent before the run returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hive_review.backends.configurations import configuration_version
from hive_review.backends.event_fields import answer_metadata, model_config
from hive_review.backends.model_endpoint import ModelAnswer
from hive_review.backends.run_support import EventSink
from honeyhive_api import Configuration, Generation, HoneyHiveClient

__all__ = ["EventLog", "PreparedRun", "deliver_event", "deliver_events", "run_event", "run_generation"]


@dataclass(frozen=True)
class PreparedRun:
    """One prompt run, prepared before the model is called."""

    task: str
    configuration: Configuration
    messages: list[dict[str, str]]
    model: str
    inputs: dict[str, str]
    user_properties: dict[str, Any]
    source: str
    session_id: str

    @property
    def hyperparameters(self) -> dict[str, Any]:
        return dict(self.configuration.parameters.hyperparameters)


def run_event(
    run: PreparedRun, answer: ModelAnswer, *, event_id: str, started_ms: float, environment: str
) -> dict[str, Any]:
    """The ``model`` event of a run: its fields as ``POST /events`` takes them."""
    return {
        "event_type": "model",
        "inputs": run.inputs,  # the template's variables; with config.template they give the messages sent
        "event_id": event_id,
        "event_name": run.configuration.name,
        "session_id": run.session_id,
        "parent_id": run.session_id,
        "source": run.source,
        "config": model_config(run.configuration, model=run.model, environment=environment),
        "outputs": {"role": "assistant", "content": answer.text},
        "start_time": started_ms,
        "end_time": started_ms + answer.latency_ms,
        "duration": answer.latency_ms,
        "metadata": answer_metadata(answer),
        "user_properties": run.user_properties,
    }


def run_generation(run: PreparedRun, answer: ModelAnswer, *, event_id: str, started_ms: float) -> Generation:
    """A run as the ``Generation`` the studio shows and logs: its ``generation_id`` is the event's id."""
    # From a dict: the extras (prompt name, time to first token…) are not fields of ``Generation``.
    return Generation.model_validate(
        {
            "generation_id": event_id,
            "version": configuration_version(run.configuration),
            "generation": answer.text,
            "task": run.task,
            "model": answer.model,
            "hyperparameters": run.hyperparameters,
            "latency": answer.latency_ms,
            "usage": answer.usage,
            "cost": answer.cost,
            "source": run.source,
            "created_at": datetime.fromtimestamp(started_ms / 1000, UTC),
            "prompt_name": run.configuration.name,
            # The model's own times apart from any wait for it, when the endpoint says (else None:
            # ``latency`` and the first token measured here include the wait).
            "model_latency_ms": answer.model_ms,
            "wait_ms": answer.queue_ms,
            "first_token_ms": answer.time_to_first_token_ms,
            "finish_reason": answer.finish_reason,
            "hit_max_tokens": answer.hit_max_tokens,
            "session_id": run.session_id,
            "configuration_id": run.configuration.id,
        }
    )


def deliver_event(client: HoneyHiveClient, event: Mapping[str, Any]) -> None:
    """``POST /events`` of an event built by a run. Sent twice, it is still one event."""
    fields = dict(event)
    client.log_event(fields.pop("event_type"), fields.pop("inputs"), **fields)


def deliver_events(client: HoneyHiveClient, events: Sequence[Mapping[str, Any]]) -> None:
    """``POST /events/batch`` of events built by runs: one request for all of them, all or none
    stored. Each keeps its own ``event_id``: a group sent again is the same events."""
    client.current_api.log_events(events)


class EventLog:
    """Where a backend's run events go: committed to ``sink`` (sent in the background), or, without
    one, straight to HoneyHive before the run returns."""

    def __init__(self, client: HoneyHiveClient, sink: EventSink | None) -> None:
        self.client = client
        self.sink = sink

    def log(self, event_id: str, task: str, event: Mapping[str, Any]) -> None:
        if self.sink is not None:
            self.sink.queue_event(event_id, task, event)  # committed; sent off the reviewer's path
        else:
            deliver_event(self.client, event)
