"""``CurrentBackend``: HoneyHive's current API behind the interface the studio calls on the task API.

Running a prompt the current way (HoneyHive's own guide): list the configurations, pick the one
deployed to the environment (or the variant asked for), render its template, call the model
ourselves (``ModelEndpoint``), then log the call as a ``model`` event. All events of one backend
go into one HoneyHive session, started on first use. Feedback is merged into the event.

The returned ``Generation`` carries the event id as ``generation_id``, so the session log, the
feedback outbox and the exports work unchanged. The event itself: ``current_events``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from hive_review.backends.configurations import (
    choose_configuration,
    configuration_prompt,
    group_of,
    render_messages,
    tasks_of,
)
from hive_review.backends.current_events import (
    EventLog,
    PreparedRun,
    deliver_event,
    deliver_events,
    run_event,
    run_generation,
)
from hive_review.backends.current_stream import CurrentGenerationStream
from hive_review.backends.errors import NoModelEndpointError
from hive_review.backends.event_fields import token_metadata
from hive_review.backends.model_endpoint import ModelAnswer, ModelEndpoint
from hive_review.backends.run_support import ConfigurationCache, EventSink
from hive_review.backends.session import ReviewSession
from honeyhive_api import Feedback, Generation, HoneyHiveClient, Prompt, Task, Usage

__all__ = ["DEFAULT_SOURCE", "CurrentBackend"]

DEFAULT_SOURCE = "hive-review"


class CurrentBackend:
    """The studio's HoneyHive calls over the current API. ``model`` may be ``None``: then everything
    but running a prompt works (browsing prompts, feedback, ingest)."""

    api: Literal["current"] = "current"

    def __init__(
        self,
        client: HoneyHiveClient,
        model: ModelEndpoint | None,
        *,
        environment: str = "prod",
        session_name: str,
        model_override: str | None = None,
        events: EventSink | None = None,
    ) -> None:
        self._client = client
        self._model = model
        self._environment = environment
        self._model_override = model_override or None
        self._session = ReviewSession(session_name)
        # Runs take the configurations from here (see run_support); with ``events`` (the outbox),
        # a run's event is queued durably and sent in the background, else sent before returning.
        self._configurations = ConfigurationCache()
        self._events = EventLog(client, events)

    def __repr__(self) -> str:
        return f"CurrentBackend(client={self._client!r}, model={self._model!r}, environment={self._environment!r})"

    @property
    def client(self) -> HoneyHiveClient:
        return self._client

    @property
    def model(self) -> ModelEndpoint | None:
        return self._model

    @property
    def environment(self) -> str:
        return self._environment

    @property
    def session_id(self) -> str | None:
        """The HoneyHive session of this backend; ``None`` until the first event is logged."""
        return self._session.id

    @property
    def events(self) -> EventSink | None:
        """Where runs commit their events (the outbox), or ``None``: sent before a run returns."""
        return self._events.sink

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None) -> CurrentBackend:
        """The same backend with other timeout or retry settings, for HoneyHive and the model alike.
        It logs into the same session: a batch belongs to the reviewer's session."""
        return self._copy(
            self._client.with_options(timeout=timeout, max_retries=max_retries),
            self._model.with_options(timeout=timeout, max_retries=max_retries) if self._model else None,
            self._events.sink,
        )

    def with_events(self, events: EventSink | None) -> CurrentBackend:
        """The same backend, its runs' events going to ``events`` (a batch hands them to its
        recorder, which commits them with the batch's log rows)."""
        return self._copy(self._client, self._model, events)

    def _copy(self, client: HoneyHiveClient, model: ModelEndpoint | None, events: EventSink | None) -> CurrentBackend:
        copy = CurrentBackend(client, model, environment=self._environment, session_name=self._session.name,
                              model_override=self._model_override, events=events)  # fmt: skip
        copy._session = self._session
        copy._configurations = self._configurations  # a batch's copy shares what the backend fetched
        return copy

    # ---- prompts ----------------------------------------------------------------------------------

    def list_tasks(self) -> list[Task]:
        return tasks_of(self._configurations.refresh(self._client.list_configurations), self._environment)

    def list_prompts(self, task: str) -> list[Prompt]:
        return [
            configuration_prompt(c, self._environment)
            for c in self._configurations.refresh(self._client.list_configurations)
            if group_of(c) == task
        ]

    # ---- running a prompt -------------------------------------------------------------------------

    def generate(
        self,
        task: str,
        inputs: Mapping[str, str],
        *,
        prompts: list[str] | None = None,
        user_properties: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> Generation:
        """Run the task's deployed configuration (or the named ``prompts``) on ``inputs``."""
        endpoint, run, started_ms = self._start(task, inputs, prompts, user_properties, source)
        answer = endpoint.complete(run.messages, model=run.model, hyperparameters=run.hyperparameters)
        return self._record(run, answer, started_ms)

    def generate_stream(
        self,
        task: str,
        inputs: Mapping[str, str],
        *,
        prompts: list[str] | None = None,
        user_properties: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> CurrentGenerationStream:
        """Start a streamed run; iterate the result for text, then read its ``generation``."""
        endpoint, run, started_ms = self._start(task, inputs, prompts, user_properties, source)
        stream = endpoint.stream(run.messages, model=run.model, hyperparameters=run.hyperparameters)
        return CurrentGenerationStream(stream, lambda answer: self._record(run, answer, started_ms))

    def _endpoint(self) -> ModelEndpoint:
        if self._model is None:
            raise NoModelEndpointError(
                "No model endpoint is configured: set HIVE_REVIEW_MODEL_BASE_URL (and HIVE_REVIEW_MODEL_API_KEY) "
                "to an OpenAI-compatible endpoint (e.g. https://api.openai.com/v1) to run prompts. HoneyHive's "
                "current API stores prompts but does not run them. Browsing prompts, rating and ingest work without it."
            )
        return self._model

    def _start(
        self,
        task: str,
        inputs: Mapping[str, str],
        prompts: list[str] | None,
        user_properties: Mapping[str, Any] | None,
        source: str | None,
    ) -> tuple[ModelEndpoint, PreparedRun, float]:
        """What a run and a streamed run do first: the endpoint (without one nothing is sent), the
        configuration and its messages, the session; then the moment (ms) the model is called."""
        endpoint = self._endpoint()
        configurations = self._configurations.get(self._client.list_configurations)
        configuration = choose_configuration(configurations, task, prompts, self._environment)
        messages = render_messages(configuration, inputs)
        source = source or DEFAULT_SOURCE
        users = dict(user_properties or {})
        # Before the model runs: if HoneyHive cannot take the session, no model call is paid for.
        session_id = self._session.ensure(self._client, source=source, user_properties=users)
        run = PreparedRun(
            task=task,
            configuration=configuration,
            messages=messages,
            model=self._model_override or configuration.parameters.model,
            inputs={str(k): str(v) for k, v in inputs.items()},
            user_properties=users,
            source=source,
            session_id=session_id,
        )
        return endpoint, run, time.time() * 1000

    def _record(self, run: PreparedRun, answer: ModelAnswer, started_ms: float) -> Generation:
        """Log the model call as an event and answer it as a ``Generation``."""
        # Chosen here: a POST /events retried after a lost answer is the same event, not a second.
        event_id = str(uuid.uuid4())
        event = run_event(run, answer, event_id=event_id, started_ms=started_ms, environment=self._environment)
        self._events.log(event_id, run.task, event)
        return run_generation(run, answer, event_id=event_id, started_ms=started_ms)

    def deliver_event(self, event: Mapping[str, Any]) -> None:
        """``POST /events`` of an event built by a run (the outbox's sender). Sent twice, still one."""
        deliver_event(self._client, event)

    def deliver_events(self, events: Sequence[Mapping[str, Any]]) -> None:
        """``POST /events/batch`` of events built by runs: the outbox sends queued ones in groups."""
        deliver_events(self._client, events)

    # ---- ingest and feedback ----------------------------------------------------------------------

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
        """Ingest a completion made elsewhere as a ``model`` event of this backend's session."""
        source = source or DEFAULT_SOURCE
        users = dict(user_properties or {})
        session_id = self._session.ensure(self._client, source=source, user_properties=users)
        counts = usage if usage is None or isinstance(usage, Usage) else Usage.model_validate(usage)
        end_ms = time.time() * 1000
        start_ms = end_ms - (latency or 0.0)  # when it ran is unknown: it ended no later than now
        config = {"model": model, "hyperparameters": dict(hyperparameters), "template": prompt_template, "task": task}
        details = {**dict(metadata or {}), **token_metadata(counts, None), "prompt": prompt, "version": version}
        event_id = str(uuid.uuid4())
        self._client.log_event(
            "model",
            dict(inputs or {}),
            event_id=event_id,
            event_name=task,
            session_id=session_id,
            parent_id=session_id,
            source=source,
            config={key: value for key, value in config.items() if value is not None},
            outputs={"role": "assistant", "content": generation},
            start_time=start_ms,
            end_time=end_ms,
            duration=latency,
            metadata={key: value for key, value in details.items() if value is not None},
            feedback={"ground_truth": ground_truth} if ground_truth is not None else None,
            user_properties=users,
        )
        return Generation.model_validate(
            {
                "generation_id": event_id,
                "version": version or "logged",
                "generation": generation,
                "task": task,
                "model": model,
                "hyperparameters": dict(hyperparameters),
                "latency": latency,
                "usage": counts,
                "source": source,
                "ground_truth": ground_truth,
                "created_at": datetime.fromtimestamp(start_ms / 1000, UTC),
                "session_id": session_id,
            }
        )

    def send_feedback(
        self,
        task: str,
        generation_id: str,
        feedback: Mapping[str, Any],
        *,
        ground_truth: str | None = None,
    ) -> Feedback:
        """Merge feedback into the generation's event (``PUT /events``); a repeat changes nothing.

        ``ground_truth=None`` leaves an earlier one as it is (as on the task API); ``""`` clears it.
        Keys sent as ``None`` inside ``feedback`` clear those keys.
        """
        merged = dict(feedback)
        if ground_truth is not None:
            merged["ground_truth"] = ground_truth
        self._client.update_event(generation_id, feedback=merged)
        return Feedback(task=task, generation_id=generation_id, feedback=merged, ground_truth=ground_truth)
