"""What production logged in HoneyHive, read into the session log to be reviewed.

With HoneyHive's current API a QA team reviews the model calls its applications logged as events,
the way HoneyHive's own annotation queues do: pick a queue (a saved event filter, plus events added
to it by hand) or filter by event name, date range and "no feedback yet". The events are read with
``POST /v1/events/export`` page by page, and each becomes a row of the session log (origin
``production``, ``generation_id`` = the event id), so the one rating form and the outbox rate it and
send the rating back as feedback on that event.

A log row holds no config or metadata, so what the page shows beside a completion (the prompt's
messages, ``max_tokens``, ``finish_reason``) is kept in ``EventDetails``, made from the event.

Reading the events and making their log rows stay together (a little over 300 lines): the
``Selection`` decides both which events are read and the batch their rows are loaded under.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from hive_review.feedback.status import FeedbackStatus
from hive_review.log import columns as col
from hive_review.log.entries import LogEntry, utc_now
from hive_review.log.store import LogStore
from honeyhive_api import HoneyHiveError
from honeyhive_api.current_models import Event, EventFilter, Queue

ORIGIN = "production"
PAGE_SIZE = 100  # events per export call: small pages show progress and stop early at the limit
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
# The rating keys this studio sends; feedback holding none of them (or only nulls) is "no feedback".
FEEDBACK_KEYS = ("accepted", "rating", "labels", "comment", "ground_truth", "preference")
MODEL_EVENTS = EventFilter(field="event_type", operator="is", value="model", type="string")


class EventSource(Protocol):
    """What reading production needs of HoneyHive (``HoneyHiveClient`` provides it)."""

    def export_events(
        self,
        filters: Sequence[EventFilter | Mapping[str, Any]],
        *,
        date_range: Mapping[str, str] | None = None,
        page_size: int = 1000,
    ) -> Iterator[Event]: ...

    def get_event(self, event_id: str) -> Event: ...


@dataclass(frozen=True)
class Selection:
    """Which events to review: an annotation queue's, or those of one event name (any when empty)
    logged between two days; optionally only events nobody gave feedback yet."""

    queue: Queue | None = None
    event_name: str = ""
    since: date | None = None
    until: date | None = None  # inclusive: the whole day
    without_feedback: bool = True
    limit: int = DEFAULT_LIMIT

    def filters(self) -> list[EventFilter]:
        if self.queue is not None:
            return list(self.queue.filters.filterArray)
        filters = [MODEL_EVENTS]
        if self.event_name.strip():
            filters.append(EventFilter(field="event_name", operator="is", value=self.event_name.strip()))
        return filters

    def date_range(self) -> dict[str, str] | None:
        """Export's ``dateRange`` (on ``start_time``): from the first day's start to the last's end."""
        bounds: dict[str, str] = {}
        if self.since is not None:
            bounds["$gte"] = datetime.combine(self.since, time.min, tzinfo=UTC).isoformat()
        if self.until is not None:
            end = datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=UTC) - timedelta(milliseconds=1)
            bounds["$lte"] = end.isoformat()
        return bounds or None

    @property
    def batch_id(self) -> str:
        """Groups the rows of one selection in the log (its batch column)."""
        return f"production:{self.queue.id}" if self.queue is not None else "production:filter"


@dataclass(frozen=True)
class EventDetails:
    """What a row shows beside its completion that the log does not hold."""

    event_id: str
    event_name: str
    config: Mapping[str, Any]
    metadata: Mapping[str, Any]
    feedback: Mapping[str, Any]
    messages: tuple[tuple[str, str], ...]  # (role, content) the model was sent, else the template

    @property
    def max_tokens(self) -> int | None:
        hyperparameters = self.config.get("hyperparameters")
        return _number(hyperparameters.get("max_tokens"), int) if isinstance(hyperparameters, Mapping) else None

    @property
    def finish_reason(self) -> str | None:
        reason = self.metadata.get("finish_reason") or self.config.get("finish_reason")
        return str(reason) if reason else None

    def rated_by(self, reviewer: str) -> bool:
        return has_feedback(self.feedback) and str(self.feedback.get("reviewer") or "") == reviewer


@dataclass
class LoadResult:
    """The events of one selection, in order, now in the log."""

    event_ids: list[str] = field(default_factory=list)
    details: dict[str, EventDetails] = field(default_factory=dict)
    added: int = 0  # new to the log (the rest were there already)
    rated_by_me: set[str] = field(default_factory=set)  # by this reviewer, on HoneyHive or in the log


def has_feedback(feedback: Mapping[str, Any] | None) -> bool:
    return any(_given((feedback or {}).get(key)) for key in FEEDBACK_KEYS)


@dataclass
class Reading:
    events: list[Event] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # a queue's hand-added events HoneyHive no longer has


def read_events(source: EventSource, selection: Selection) -> Reading:
    """The selected model events, at most ``selection.limit``: a queue's hand-added events first,
    then what its filters select (oldest first), read page by page and no further than the limit."""
    limit = max(1, min(selection.limit, MAX_LIMIT))
    reading = Reading()
    seen: set[str] = set()
    for event_id, event in _candidates(source, selection):
        if event is None:
            reading.missing.append(event_id)
            continue
        if not event.event_id or event.event_id in seen or event.event_type != "model":
            continue
        # Checked here, not as an export filter: HoneyHive stores "no feedback" as {}, which
        # `feedback not exists` does not select, and feedback of only nulls is none either.
        if selection.without_feedback and has_feedback(event.feedback):
            continue
        seen.add(event.event_id)
        reading.events.append(event)
        if len(reading.events) >= limit:
            break
    return reading


def _candidates(source: EventSource, selection: Selection) -> Iterator[tuple[str, Event | None]]:
    for event_id in selection.queue.event_ids if selection.queue is not None else ():
        yield event_id, _fetch(source, event_id)
    filters = selection.filters()
    if selection.queue is not None and not filters:
        return  # a queue without filters holds only its hand-added events, not the whole project
    events = source.export_events(
        filters, date_range=selection.date_range(), page_size=min(PAGE_SIZE, max(selection.limit, 1))
    )
    for event in events:
        yield str(event.event_id or ""), event


def _fetch(source: EventSource, event_id: str) -> Event | None:
    try:
        return source.get_event(event_id)
    except HoneyHiveError:  # deleted since it was added to the queue: reported, not fatal
        return None


def details_of(event: Event) -> EventDetails:
    return EventDetails(
        event_id=str(event.event_id),
        event_name=event.event_name or "",
        config=dict(event.config),
        metadata=dict(event.metadata),
        feedback=dict(event.feedback),
        messages=_messages(event),
    )


def entry_from_event(
    event: Event,
    *,
    session_id: str,
    reviewer: str,
    batch_id: str | None = None,
    versions: Mapping[str, str] | None = None,
) -> LogEntry:
    """A log row for an event: the prompt's name from its config, the model, the text inputs, the
    answer (``outputs.content``), latency from ``duration`` and tokens and cost from metadata.

    ``versions`` maps configuration ids to the version the studio logs its own runs under, so
    production rows and the studio's runs of one configuration share a version in the log."""
    config, metadata = event.config, event.metadata
    configuration_id = str(config.get("configuration_id") or config.get("id") or "")
    version = (versions or {}).get(configuration_id) or config.get("version") or config.get("env") or ""
    prompt_name = str(config.get("name") or event.event_name or "")
    tags = config.get("tags")
    task = (tags[0] if isinstance(tags, list) and tags else None) or metadata.get("task") or prompt_name or ORIGIN
    usage = metadata.get("usage") if isinstance(metadata.get("usage"), Mapping) else {}
    return LogEntry(
        generation_id=str(event.event_id),
        session_id=session_id,
        reviewer=reviewer,
        task=str(task),
        prompt_name=prompt_name,
        prompt_version=str(version),
        completion=_completion(event.outputs),
        timestamp=_moment(event.start_time),
        model=str(config.get("model") or metadata.get("model") or ""),
        source=event.source or ORIGIN,
        origin=ORIGIN,
        inputs=text_inputs(event.inputs),
        latency_ms=event.duration,
        prompt_tokens=_number(metadata.get("prompt_tokens", usage.get("prompt_tokens")), int),
        completion_tokens=_number(metadata.get("completion_tokens", usage.get("completion_tokens")), int),
        total_tokens=_number(metadata.get("total_tokens", usage.get("total_tokens")), int),
        cost=_number(metadata.get("cost"), float),
        batch_id=batch_id,
    )


def load_into_log(
    log: LogStore,
    events: Iterable[Event],
    *,
    session_id: str,
    reviewer: str,
    batch_id: str | None = None,
    versions: Mapping[str, str] | None = None,
) -> LoadResult:
    """Put each event into the log (one already there is left as it is, with its rating), and mark
    the ones this reviewer rated: on HoneyHive (``feedback.reviewer``) or in the log."""
    result = LoadResult()
    entries = []
    for event in events:
        entry = entry_from_event(event, session_id=session_id, reviewer=reviewer, batch_id=batch_id, versions=versions)
        entries.append(entry)
        result.event_ids.append(entry.generation_id)
        result.details[entry.generation_id] = details_of(event)
    result.added = log.add_entries(entries)
    for event_id in result.event_ids:
        row = log.get_entry(event_id) or {}
        rated = row.get(col.FEEDBACK_STATUS) not in (None, FeedbackStatus.UNRATED)
        rated_here = rated and row.get(col.REVIEWER) in (None, reviewer)
        if rated_here or result.details[event_id].rated_by(reviewer):
            result.rated_by_me.add(event_id)
    return result


def text_inputs(inputs: Mapping[str, Any]) -> dict[str, str]:
    """The event's input variables as text. ``chat_history`` (the rendered prompt) is not an input
    of the reviewer's: it is shown as the prompt. Other structured values are kept as JSON."""
    shown: dict[str, str] = {}
    for name, value in inputs.items():
        if name == "chat_history" or value is None:
            continue
        shown[str(name)] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return shown


def _messages(event: Event) -> tuple[tuple[str, str], ...]:
    """What the model was sent (``inputs.chat_history``), else the config's template."""
    history = event.inputs.get("chat_history")
    template = event.config.get("template")
    for messages in (history, template):
        if isinstance(messages, list) and messages:
            return tuple(
                (str(m.get("role") or ""), _text(m.get("content"))) for m in messages if isinstance(m, Mapping)
            )
    if isinstance(template, str) and template:
        return (("user", template),)
    return ()


def _completion(outputs: Mapping[str, Any]) -> str:
    content = outputs.get("content")
    if isinstance(content, str):
        return content
    return _text(content if content is not None else outputs) if outputs else ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _moment(millis: float | None) -> datetime:
    return datetime.fromtimestamp(millis / 1000, UTC) if millis else utc_now()


def _given(value: Any) -> bool:
    return value not in (None, "", [], {})


def _number(value: Any, kind: type[int] | type[float]) -> Any:
    """``value`` as ``kind``; ``None`` for none, a bool or text that is no number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return kind(value)
    except (TypeError, ValueError):
        return None
