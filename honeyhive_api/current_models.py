"""Pydantic models of HoneyHive's *current* wire contract: configurations, sessions, events, queues.

Read from HoneyHive's published SDK ``honeyhive==1.7.0`` (``honeyhive/_generated/models``) and
``shared/reference/honeyhive-current-api.md``. One set of models serves the client
(``honeyhive_api.current_api``) and the emulator, so the two cannot drift apart.

Every model accepts fields it does not know (the hosted service adds fields over time), and a JSON
``null`` anywhere means "not given": the field takes its default. HoneyHive's own SDK sends unset
fields as ``null`` under pydantic 2, so a strict reading would refuse its requests.

The task-based contract the emulator also speaks lives in ``honeyhive_api.models``.

One module, over 400 lines: it is the contract as one file to read against the reference; the
models are small declarations that refer to each other, and split by resource they would import
one another back and forth.

One module of about 400 lines on purpose: it is the whole wire contract of one API, read side by
side with the reference; split by resource it would scatter what the client and the emulator
must agree on.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# What ``event_type`` may be on a new event.
EventType = Literal["model", "tool", "chain", "session"]
EVENT_TYPES: tuple[str, ...] = ("model", "tool", "chain", "session")

# Filter operators of the export, search and queue filters (the ones the SDK documents).
FILTER_OPERATORS: tuple[str, ...] = (
    "is",
    "is not",
    "contains",
    "not contains",
    "exists",
    "not exists",
    "greater than",
    "less than",
)
FILTER_TYPES: tuple[str, ...] = ("string", "number", "boolean", "id", "datetime")

EXPORT_MAX_LIMIT = 7500
SEARCH_MAX_LIMIT = 1000


def _without_nulls(data: Any) -> Any:
    """A mapping's keys whose value is ``None`` are dropped, so the field's default applies."""
    if isinstance(data, dict):
        return {key: value for key, value in data.items() if value is not None}
    return data


class CurrentModel(BaseModel):
    """Base of the current API's models: extra fields kept, ``null`` means "not given"."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _nulls_are_not_given(cls, data: Any) -> Any:
        return _without_nulls(data)


# ---- configurations (deployed prompts) ------------------------------------------------------------


class TemplateMessage(CurrentModel):
    """One chat message of a configuration's template; ``content`` holds ``{{ var }}`` placeholders."""

    role: str
    content: str = ""


class ConfigurationParameters(CurrentModel):
    call_type: str = "chat"  # "chat": template is a list of messages; "completion": a string
    model: str
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    template: list[TemplateMessage] | str | None = None
    responseFormat: dict[str, Any] | None = None  # the wire's spelling
    selectedFunctions: list[Any] = Field(default_factory=list)
    functionCallParams: str | None = None
    forceFunction: dict[str, Any] | None = None


class Configuration(CurrentModel):
    """A prompt configuration. The one deployed to an environment lists it in ``env``."""

    id: str
    name: str
    type: str = "LLM"
    provider: str = ""
    parameters: ConfigurationParameters
    env: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    user_properties: dict[str, Any] = Field(default_factory=dict)
    created_at: str | None = None
    updated_at: str | None = None


class ConfigurationsResponse(CurrentModel):
    """``GET /v1/configurations``. An older spec answers a bare array: see ``parse_configurations``."""

    configurations: list[Configuration] = Field(default_factory=list)


class ConfigurationCreate(CurrentModel):
    """``POST /v1/configurations``."""

    name: str = Field(min_length=1)
    type: str = "LLM"
    provider: str
    parameters: ConfigurationParameters
    env: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    user_properties: dict[str, Any] = Field(default_factory=dict)


class ConfigurationUpdate(CurrentModel):
    """``PUT /v1/configurations/{id}``: ``name`` is required, the rest replaces what is given."""

    name: str = Field(min_length=1)
    type: str | None = None
    provider: str | None = None
    parameters: ConfigurationParameters | None = None
    env: list[str] | None = None
    tags: list[str] | None = None
    user_properties: dict[str, Any] | None = None


class ConfigurationCreated(CurrentModel):
    acknowledged: bool = True
    insertedId: str


class ConfigurationUpdated(CurrentModel):
    acknowledged: bool = True
    modifiedCount: int = 0
    upsertedId: str | None = None
    upsertedCount: int = 0
    matchedCount: int = 0


class ConfigurationDeleted(CurrentModel):
    acknowledged: bool = True
    deletedCount: int = 0


# ---- sessions and events --------------------------------------------------------------------------


class Event(CurrentModel):
    """An event as stored and answered: a model call, a tool call, a chain, or a session.

    Times are milliseconds since the epoch (``start_time``, ``end_time``), ``duration`` is in
    milliseconds. A session is an event whose ``event_id`` is its ``session_id``.
    """

    event_id: str | None = None  # a new event may come without one: the server chooses it
    event_type: str
    event_name: str | None = None
    source: str | None = None
    session_id: str | None = None
    parent_id: str | None = None
    children_ids: list[str] = Field(default_factory=list)
    config: dict[str, Any] = Field(default_factory=dict)
    inputs: dict[str, Any] = Field(default_factory=dict)
    outputs: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    duration: float | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    feedback: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, Any] = Field(default_factory=dict)
    user_properties: dict[str, Any] = Field(default_factory=dict)
    project_id: str | None = None


class EventCreate(Event):
    """A new event as ``POST /events`` takes it: the server requires a known type and the inputs."""

    event_type: EventType
    inputs: dict[str, Any]


class PostEventRequest(CurrentModel):
    """``POST /events``: the event inside an ``event`` wrapper (``POST /v1/events`` sends it bare)."""

    event: EventCreate


class EventCreated(CurrentModel):
    success: bool = True
    event_id: str


class SessionProperties(CurrentModel):
    session_name: str | None = None
    start_time: float | None = None
    user_properties: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None


class EventBatchRequest(CurrentModel):
    """``POST /events/batch``: several events; ``single_session`` puts them under one new session."""

    events: list[EventCreate] = Field(min_length=1)
    single_session: bool | None = None
    is_single_session: bool | None = None
    session_properties: SessionProperties | None = None
    session: SessionProperties | None = None


class EventBatchCreated(CurrentModel):
    success: bool = True
    event_ids: list[str] = Field(default_factory=list)
    session_id: str | None = None


class EventUpdate(CurrentModel):
    """``PUT /events`` (with ``event_id``) or ``PUT /v1/events/{event_id}`` (without).

    The objects are merged into the stored event key by key: sending ``{"rating": 4}`` then
    ``{"accepted": true}`` as feedback leaves both. Scalars replace, ``children_ids`` are added.
    """

    event_id: str | None = None
    feedback: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    outputs: dict[str, Any] | None = None
    config: dict[str, Any] | None = None
    user_properties: dict[str, Any] | None = None
    duration: float | None = None
    end_time: float | None = None
    children_ids: list[str] | None = None


class GetEventResponse(CurrentModel):
    """``GET /v1/events/{event_id}``."""

    event: Event


class SessionStart(CurrentModel):
    """A session to start. It is stored as an event of type ``session`` whose id is the session id."""

    session_id: str | None = None
    session_name: str | None = None
    event_name: str | None = None
    source: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    duration: float | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    inputs: dict[str, Any] = Field(default_factory=dict)
    outputs: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    user_properties: dict[str, Any] = Field(default_factory=dict)
    children_ids: list[str] = Field(default_factory=list)


class SessionStartRequest(CurrentModel):
    """``POST /session/start``: the session inside a ``session`` wrapper (``POST /v1/sessions``: bare)."""

    session: SessionStart


class SessionStartResponse(CurrentModel):
    """What starting a session answers: the ids, and (in recent versions) the whole session event."""

    event_id: str
    session_id: str
    project_id: str | None = None
    org_id: str | None = None
    workspace_id: str | None = None


# ---- reading events back: export and search -------------------------------------------------------


class EventFilter(CurrentModel):
    """One condition. ``field`` may be dotted (``feedback.rating``, ``metadata.model``)."""

    field: str = Field(min_length=1)
    operator: str  # one of FILTER_OPERATORS; checked by the server, kept open for new ones here
    value: str | float | bool | None = None
    type: str = "string"  # one of FILTER_TYPES


class DateRange(CurrentModel):
    """Export's date range: ISO 8601 bounds on ``start_time``, both inclusive, either optional."""

    gte: str | None = Field(default=None, alias="$gte")
    lte: str | None = Field(default=None, alias="$lte")


class ExportRequest(CurrentModel):
    """``POST /v1/events/export``. Pages count from 1; at most 7,500 events a page."""

    filters: list[EventFilter] = Field(default_factory=list)
    dateRange: DateRange | None = None
    projections: list[str] | None = None
    limit: int = Field(default=1000, ge=1, le=EXPORT_MAX_LIMIT)
    page: int = Field(default=1, ge=1)
    ignore_order: bool | None = None
    evaluation_id: str | None = None


class SearchDateRange(CurrentModel):
    start_time: str | None = None
    end_time: str | None = None


class SearchRequest(CurrentModel):
    """``POST /v1/events/search``: like export, at most 1,000 a page, date range named differently."""

    filters: list[EventFilter] = Field(default_factory=list)
    dateRange: SearchDateRange | None = None
    limit: int = Field(default=SEARCH_MAX_LIMIT, ge=1, le=SEARCH_MAX_LIMIT)
    page: int = Field(default=1, ge=1)
    ignore_order: bool | None = None
    evaluation_id: str | None = None


class ExportResponse(CurrentModel):
    """``{"events": [...], "totalEvents": N}``; some versions say ``count``, which is read the same."""

    events: list[Event] = Field(default_factory=list)
    totalEvents: int = 0

    @model_validator(mode="before")
    @classmethod
    def _count_is_total_events(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("totalEvents") is None and data.get("count") is not None:
            return {**data, "totalEvents": data["count"]}
        return data


# ---- annotation queues ----------------------------------------------------------------------------


class QueueFilters(CurrentModel):
    filterArray: list[EventFilter] = Field(default_factory=list)


class Queue(CurrentModel):
    """An annotation queue: a saved event filter. Its events are those its filters select."""

    id: str
    name: str
    description: str = ""
    filters: QueueFilters = Field(default_factory=QueueFilters)
    enabled: bool = True
    is_active: bool = True
    scope_id: str | None = None
    scope_type: str | None = None
    event_ids: list[str] = Field(default_factory=list)  # events added by hand besides the filters
    created_at: str | None = None
    updated_at: str | None = None


class QueuesResponse(CurrentModel):
    queues: list[Queue] = Field(default_factory=list)


class QueueCreate(CurrentModel):
    name: str = Field(min_length=1)
    description: str = ""
    filters: QueueFilters = Field(default_factory=QueueFilters)
    enabled: bool = True
    event_ids: list[str] = Field(default_factory=list)


class QueueUpdate(CurrentModel):
    id: str | None = None  # the SDK repeats the path's id in the body
    name: str | None = Field(default=None, min_length=1)
    description: str | None = None
    filters: QueueFilters | None = None
    enabled: bool | None = None
    add_event_ids: list[str] | None = None
    remove_event_ids: list[str] | None = None


class QueueChanged(CurrentModel):
    """What creating or updating a queue answers."""

    queue: Queue
    message: str = ""


# ---- errors ---------------------------------------------------------------------------------------


class ApiErrorBody(CurrentModel):
    """HoneyHive's own error answers (a proxy's 502/504 may be HTML instead)."""

    statusCode: int
    message: str = ""
    success: bool = False
    errorCode: str | None = None


# ---- answers in either shape ----------------------------------------------------------------------


def parse_configurations(body: Any) -> list[Configuration]:
    """``{"configurations": [...]}`` (current) or a bare array (an older spec)."""
    if isinstance(body, list):
        return [Configuration.model_validate(item) for item in body]
    return ConfigurationsResponse.model_validate(body).configurations


def parse_export(body: Any) -> ExportResponse:
    """``{"events", "totalEvents"}`` or ``{"events", "count"}``."""
    return ExportResponse.model_validate(body)
