"""HoneyHive's current API: configurations (deployed prompts), sessions, events, annotation queues.

Wire models are ``honeyhive_api.current_models``, shared with the emulator. Answers are read in
every shape the reference notes (``{"configurations": [...]}`` or a bare array; ``totalEvents`` or
``count``; an object under ``event``/``queue`` or bare).

What may be retried (see ``honeyhive_api.retrying``): reads; ``PUT /events``, because HoneyHive
merges an update into the stored event, so a repeat changes nothing; ``POST /events``, because the
client chooses the ``event_id`` and a repeated delivery is the same event (``POST /events/batch``
likewise: every event in it carries its own client-chosen id); ``POST /session/start``
for the same reason (a session is the event whose id is the client-chosen ``session_id``).
Creating a configuration (the server picks its id) is resent only when the request cannot have
been processed.

One method per route, a little over 300 lines: each says how it may be retried, by the rule above,
and the rule is checked most easily with every route in one place.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from honeyhive_api.current_models import (
    EXPORT_MAX_LIMIT,
    Configuration,
    ConfigurationCreate,
    ConfigurationCreated,
    ConfigurationParameters,
    DateRange,
    Event,
    EventBatchCreated,
    EventCreate,
    EventCreated,
    EventFilter,
    EventType,
    EventUpdate,
    ExportRequest,
    ExportResponse,
    Queue,
    SessionStart,
    SessionStartResponse,
)
from honeyhive_api.errors import MalformedResponseError
from honeyhive_api.transport import Transport

__all__ = ["CurrentAPI"]

EXPORT_PATH = "/v1/events/export"


class CurrentAPI:
    """The current API's calls (``client.current_api``; ``HoneyHiveClient`` forwards each by name).

    Arguments that do not fit the wire models raise pydantic's ``ValidationError`` (a
    ``ValueError``) before anything is sent.
    """

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    # ---- configurations -------------------------------------------------------------------------

    def list_configurations(self, *, env: str | None = None, name: str | None = None) -> list[Configuration]:
        """Prompt configurations; with ``env``, those deployed to it (``dev``, ``staging``, ``prod``)."""
        params = {key: value for key, value in (("env", env), ("name", name)) if value is not None}
        what = "GET /v1/configurations"
        data = self._transport.request("GET", "/v1/configurations", idempotent=True, params=params)
        # {"configurations": [...]} today, a bare array in an older spec: parse_list takes both.
        configurations = self._transport.parse_list(Configuration, data, what, key="configurations")
        # Filtered here too: an older server ignores the query and answers every configuration.
        return [c for c in configurations if (env is None or env in c.env) and (name is None or c.name == name)]

    def create_configuration(
        self,
        name: str,
        *,
        provider: str,
        parameters: ConfigurationParameters | Mapping[str, Any],
        env: Sequence[str] = (),
        tags: Sequence[str] = (),
        user_properties: Mapping[str, Any] | None = None,
        configuration_type: str = "LLM",
    ) -> str:
        """Save a prompt configuration; deploy it by naming environments in ``env``. Returns its id."""
        request = ConfigurationCreate(
            name=name,
            type=configuration_type,
            provider=provider,
            parameters=ConfigurationParameters.model_validate(parameters),
            env=list(env),
            tags=list(tags),
            user_properties=dict(user_properties or {}),
        )
        what = "POST /v1/configurations"
        data = self._transport.request(
            "POST", "/v1/configurations", idempotent=False, json=request.model_dump(mode="json", exclude_none=True)
        )
        return self._transport.parse(ConfigurationCreated, data, what).insertedId

    # ---- sessions and events --------------------------------------------------------------------

    def start_session(
        self,
        session_name: str,
        *,
        source: str,
        session_id: str | None = None,
        config: Mapping[str, Any] | None = None,
        inputs: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        user_properties: Mapping[str, Any] | None = None,
        start_time: float | None = None,
    ) -> SessionStartResponse:
        """Start a session (``POST /session/start``). ``session_id`` defaults to a new UUID chosen
        here, so that a retry starts the same session, not a second one."""
        session = SessionStart(
            session_id=session_id or str(uuid.uuid4()),
            session_name=session_name,
            source=source,
            start_time=start_time,
            config=dict(config or {}),
            inputs=dict(inputs or {}),
            metadata=dict(metadata or {}),
            user_properties=dict(user_properties or {}),
        )
        body = {"session": session.model_dump(mode="json", exclude_none=True)}
        data = self._transport.request("POST", "/session/start", idempotent=True, json=body)
        return self._transport.parse(SessionStartResponse, data, "POST /session/start")

    def log_event(
        self,
        event_type: EventType,
        inputs: Mapping[str, Any],
        *,
        event_id: str | None = None,
        event_name: str | None = None,
        session_id: str | None = None,
        parent_id: str | None = None,
        source: str | None = None,
        config: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        error: str | None = None,
        start_time: float | None = None,
        end_time: float | None = None,
        duration: float | None = None,
        metadata: Mapping[str, Any] | None = None,
        feedback: Mapping[str, Any] | None = None,
        metrics: Mapping[str, Any] | None = None,
        user_properties: Mapping[str, Any] | None = None,
        children_ids: Sequence[str] | None = None,
    ) -> str:
        """Log an event (``POST /events``); returns its id. Times are ms since the epoch.

        ``event_id`` defaults to a new UUID chosen here, which is what makes a retry safe.
        """
        given: dict[str, Any] = {
            "event_id": event_id or str(uuid.uuid4()),
            "event_type": event_type,
            "inputs": dict(inputs),
            "event_name": event_name,
            "session_id": session_id,
            "parent_id": parent_id,
            "source": source,
            "config": config,
            "outputs": outputs,
            "error": error,
            "start_time": start_time,
            "end_time": end_time,
            "duration": duration,
            "metadata": metadata,
            "feedback": feedback,
            "metrics": metrics,
            "user_properties": user_properties,
            "children_ids": list(children_ids) if children_ids is not None else None,
        }
        body = {key: _plain(value) for key, value in given.items() if value is not None}
        EventCreate.model_validate(body)  # refuse a malformed event here, not after a round trip
        data = self._transport.request("POST", "/events", idempotent=True, json={"event": body})
        return self._transport.parse(EventCreated, data, "POST /events").event_id

    def log_events(self, events: Sequence[EventCreate | Mapping[str, Any]]) -> list[str]:
        """Log several events in one call (``POST /events/batch``); returns their ids, in order.

        Each event has the fields ``log_event`` takes (``event_type`` and ``inputs`` required). An
        event without ``event_id`` gets a new UUID here, so a retried batch is the same events again
        (the server keeps the first copy of an id it has). All or nothing: a batch the server refuses
        stored none of its events. Every event is checked before anything is sent.
        """
        if not events:
            raise ValueError("log_events needs at least one event")
        bodies: list[dict[str, Any]] = []
        for given in events:
            fields = given.model_dump(mode="json", exclude_none=True) if isinstance(given, EventCreate) else given
            body = {key: _plain(value) for key, value in fields.items() if value is not None}
            body.setdefault("event_id", str(uuid.uuid4()))
            EventCreate.model_validate(body)  # refuse a malformed event here, not after a round trip
            bodies.append(body)
        what = "POST /events/batch"
        data = self._transport.request("POST", "/events/batch", idempotent=True, json={"events": bodies})
        answer = self._transport.parse(EventBatchCreated, data, what)
        # A server that answers without the ids stored the ones sent.
        return answer.event_ids or [body["event_id"] for body in bodies]

    def update_event(
        self,
        event_id: str,
        *,
        feedback: Mapping[str, Any] | None = None,
        metrics: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        user_properties: Mapping[str, Any] | None = None,
        duration: float | None = None,
        end_time: float | None = None,
        children_ids: Sequence[str] | None = None,
    ) -> None:
        """Merge into a stored event (``PUT /events``): ``{"rating": 4}`` then ``{"accepted": true}``
        as feedback leaves both. A key sent as ``None`` inside an object is sent as JSON null.
        An unknown ``event_id`` raises ``NotFoundError`` (or the server's own error class)."""
        changes: dict[str, Any] = {
            "feedback": feedback,
            "metrics": metrics,
            "metadata": metadata,
            "outputs": outputs,
            "config": config,
            "user_properties": user_properties,
            "duration": duration,
            "end_time": end_time,
            "children_ids": list(children_ids) if children_ids is not None else None,
        }
        body = {key: _plain(value) for key, value in changes.items() if value is not None}
        if not body:
            raise ValueError("update_event needs at least one of feedback, metrics, metadata, outputs, ...")
        body["event_id"] = event_id
        EventUpdate.model_validate(body)
        self._transport.request("PUT", "/events", idempotent=True, empty_ok=True, json=body)

    def get_event(self, event_id: str) -> Event:
        what = "GET /v1/events/{event_id}"
        data = self._transport.request("GET", f"/v1/events/{quote(event_id, safe='')}", idempotent=True)
        return self._transport.parse(Event, _unwrap(data, "event"), what)

    def export_events(
        self,
        filters: Sequence[EventFilter | Mapping[str, Any]],
        *,
        date_range: DateRange | Mapping[str, str] | None = None,
        page_size: int = 1000,
    ) -> Iterator[Event]:
        """Every event the filters select, oldest first, fetched page by page as you iterate.

        Each page is one call with its own deadline. ``date_range``: ``{"$gte": ISO, "$lte": ISO}``.
        """
        if not 1 <= page_size <= EXPORT_MAX_LIMIT:
            raise ValueError(f"page_size must be between 1 and {EXPORT_MAX_LIMIT}, not {page_size}")
        request = ExportRequest(
            filters=[EventFilter.model_validate(f) for f in filters],
            dateRange=DateRange.model_validate(date_range) if date_range is not None else None,
            limit=page_size,
        )
        return self._export_pages(request)

    def _export_pages(self, request: ExportRequest) -> Iterator[Event]:
        body = request.model_dump(mode="json", by_alias=True, exclude_none=True)
        fetched = 0
        previous_first: str | None = None
        for page in itertools.count(1):
            what = f"POST {EXPORT_PATH} (page {page})"
            data = self._transport.request("POST", EXPORT_PATH, idempotent=True, json={**body, "page": page})
            answer = self._transport.parse(ExportResponse, data, what)
            first = answer.events[0].event_id if answer.events else None
            if first is not None and first == previous_first:
                raise MalformedResponseError(
                    f"{what}: the server answered the same events as for page {page - 1}; it seems to ignore "
                    "'page'. Narrow the filters so that one page holds them all."
                )
            previous_first = first
            yield from answer.events
            fetched += len(answer.events)
            # A server may cap the page below `limit`: trust its total when it gives one.
            total = answer.totalEvents if "totalEvents" in answer.model_fields_set else None
            if not answer.events or (fetched >= total if total is not None else len(answer.events) < request.limit):
                return

    # ---- annotation queues ----------------------------------------------------------------------

    def list_queues(self) -> list[Queue]:
        data = self._transport.request("GET", "/v1/queues", idempotent=True)
        return self._transport.parse_list(Queue, data, "GET /v1/queues", key="queues")

    def get_queue(self, queue_id: str) -> Queue:
        data = self._transport.request("GET", f"/v1/queues/{quote(queue_id, safe='')}", idempotent=True)
        return self._transport.parse(Queue, _unwrap(data, "queue"), "GET /v1/queues/{queue_id}")


def _unwrap(data: Any, key: str) -> Any:
    """``{key: {...}}`` (current) or the object itself (some versions)."""
    return data[key] if isinstance(data, dict) and isinstance(data.get(key), dict) else data


def _plain(value: Any) -> Any:
    """A mapping as a plain dict: JSON encoding takes dicts, a caller may pass any Mapping."""
    if isinstance(value, Mapping):
        return dict(value)
    return value
