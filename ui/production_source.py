"""The review queue's production source (current API only): what production logged in HoneyHive.

Pick one of the account's annotation queues, or filter by event name, dates and "no feedback yet";
"Load events" reads them page by page into the session log (``hive_review.production``) and they
become the queue. Names, descriptions and messages from HoneyHive are shown as text.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import streamlit as st

from hive_review import production
from hive_review.backends.configurations import configuration_version
from honeyhive_api import HoneyHiveClient, HoneyHiveError
from honeyhive_api.current_models import Queue
from ui.context import Studio
from ui.state import REVIEW_QUEUE
from ui.text import code, plain

LISTS_TTL_SECONDS = 60
BY_QUEUE, BY_FILTER = "An annotation queue", "A filter"
_LOADED = REVIEW_QUEUE("production", "loaded")  # the last load: ids, details, rated_by_me, label


@st.cache_data(ttl=LISTS_TTL_SECONDS, show_spinner=False)
def _queues(catalog_key: str, _honeyhive: HoneyHiveClient) -> list[Queue]:
    del catalog_key
    return [queue for queue in _honeyhive.list_queues() if queue.enabled]


@st.cache_data(ttl=LISTS_TTL_SECONDS, show_spinner=False)
def _configurations(catalog_key: str, _honeyhive: HoneyHiveClient) -> dict[str, tuple[str, str]]:
    """Configuration id -> (name, the version the studio logs its own runs of it under)."""
    del catalog_key
    return {c.id: (c.name, configuration_version(c)) for c in _honeyhive.list_configurations()}


@st.cache_data(ttl=600, show_spinner=False, max_entries=2000)
def _event_details(catalog_key: str, event_id: str, _honeyhive: HoneyHiveClient) -> dict[str, Any]:
    del catalog_key
    return _as_state(production.details_of(_honeyhive.get_event(event_id)))


def loaded() -> dict[str, Any] | None:
    return st.session_state.get(_LOADED)


def details(studio: Studio, event_id: str) -> production.EventDetails | None:
    """The event's config, metadata and feedback: kept from the load, else read again (a reload)."""
    state = (loaded() or {}).get("details", {}).get(event_id)
    if state is None:
        try:
            state = _event_details(studio.catalog_key, event_id, studio.honeyhive)
        except HoneyHiveError:
            return None
    return production.EventDetails(**{**state, "messages": tuple(tuple(m) for m in state["messages"])})


def rated_by_me(event_id: str) -> bool:
    return event_id in set((loaded() or {}).get("rated_by_me", ()))


def render_production_source(studio: Studio) -> list[str] | None:
    """The picker and its "Load events" button; the loaded event ids (the queue), or ``None``."""
    try:
        queues = _queues(studio.catalog_key, studio.honeyhive)
    except HoneyHiveError as exc:
        st.error(f"Cannot list the annotation queues: {plain(exc.message)}", icon=":material/cloud_off:")
        queues = []
    how = st.segmented_control(
        "Events from", [BY_QUEUE, BY_FILTER], default=BY_QUEUE if queues else BY_FILTER, key=REVIEW_QUEUE("by")
    )
    selection = _queue_selection(queues) if how == BY_QUEUE else _filter_selection(studio)
    left, right = st.columns(2)
    without_feedback = left.checkbox("Only events without feedback yet", value=True, key=REVIEW_QUEUE("unrated"))
    limit = right.number_input(
        "At most",
        min_value=1,
        max_value=production.MAX_LIMIT,
        value=production.DEFAULT_LIMIT,
        key=REVIEW_QUEUE("limit"),
    )
    load = st.button("Load events", type="primary", icon=":material/download:", key=REVIEW_QUEUE("load"))
    if load and selection is not None:
        _load(studio, replace(selection, without_feedback=without_feedback, limit=int(limit)))
    state = loaded()
    if state is None:
        return None
    rated = len(state["rated_by_me"])
    st.caption(
        f"{plain(state['label'])}: {len(state['ids']):,} events loaded"
        + (f", {rated:,} of them already rated by you" if rated else "")
    )
    for event_id in state.get("missing", []):
        st.warning(f"Event {code(event_id)} of this queue is no longer in HoneyHive.", icon=":material/help:")
    return list(state["ids"])


def _queue_selection(queues: list[Queue]) -> production.Selection | None:
    if not queues:
        st.info("This HoneyHive project has no annotation queue: filter the events instead.")
        return None
    by_id = {queue.id: queue for queue in queues}
    # Options are ids, shown by name: a selectbox draws its options as text, not Markdown.
    chosen = st.selectbox("Annotation queue", list(by_id), format_func=lambda i: by_id[i].name, key=REVIEW_QUEUE("q"))
    queue = by_id[chosen]
    if queue.description:
        st.caption(plain(queue.description))
    return production.Selection(queue=queue)


def _filter_selection(studio: Studio) -> production.Selection:
    try:
        names = sorted({name for name, _ in _configurations(studio.catalog_key, studio.honeyhive).values()})
    except HoneyHiveError:
        names = []
    left, right = st.columns(2)
    name = left.selectbox(
        "Event name",
        ["", *names],
        format_func=lambda n: n or "any",
        accept_new_options=True,
        key=REVIEW_QUEUE("event_name"),
        help="The name production logs its model calls under (often the prompt's configuration name).",
    )
    today = datetime.now(UTC).date()
    days = right.date_input("Logged between", (today - timedelta(days=7), today), key=REVIEW_QUEUE("dates"))
    since, until = _bounds(days)
    return production.Selection(event_name=name or "", since=since, until=until)


def _bounds(days: Any) -> tuple[date | None, date | None]:
    """A date input gives one day while the second is being picked, two when done."""
    picked = [day for day in (days if isinstance(days, tuple | list) else (days,)) if isinstance(day, date)]
    if not picked:
        return None, None
    return picked[0], picked[-1]


def _load(studio: Studio, selection: production.Selection) -> None:
    label = f"Queue {selection.queue.name}" if selection.queue is not None else _filter_label(selection)
    try:
        with st.spinner("Reading the events from HoneyHive…"):
            reading = production.read_events(studio.honeyhive, selection)
            versions = {i: version for i, (_, version) in _configurations(studio.catalog_key, studio.honeyhive).items()}
    except HoneyHiveError as exc:
        st.error(f"HoneyHive did not give the events: {plain(exc.message)}", icon=":material/cloud_off:")
        return
    result = production.load_into_log(
        studio.log,
        reading.events,
        session_id=studio.session.id,
        reviewer=studio.reviewer,
        batch_id=selection.batch_id,
        versions=versions,
    )
    st.session_state[_LOADED] = {
        "label": label,
        "ids": result.event_ids,
        "details": {event_id: _as_state(found) for event_id, found in result.details.items()},
        "rated_by_me": sorted(result.rated_by_me),
        "missing": reading.missing,
    }
    # A new queue starts at its first event.
    st.session_state[REVIEW_QUEUE.position] = 0


def _filter_label(selection: production.Selection) -> str:
    name = selection.event_name or "any event name"
    days = f", {selection.since} to {selection.until}" if selection.since else ""
    return f"Events of {name}{days}"


def _as_state(found: production.EventDetails) -> dict[str, Any]:
    """Plain data for session state (it holds only what pickles to plain values)."""
    return {
        "event_id": found.event_id,
        "event_name": found.event_name,
        "config": dict(found.config),
        "metadata": dict(found.metadata),
        "feedback": dict(found.feedback),
        "messages": [list(message) for message in found.messages],
    }
