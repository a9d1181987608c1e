"""The Review queue: the unrated generations of a batch, an ingested file or the session, or (with
HoneyHive's current API) what production logged, one at a time, with the one rating form and full
keyboard control.

Keys go through ``ui.queue_keys``: they are applied in the order pressed, first thing in a run and
before anything is drawn, so none is lost however slow the run. The buttons do the same things.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from hive_review.feedback.ratings import widget_part_for_key
from hive_review.feedback.status import FeedbackStatus
from hive_review.log import columns as col
from hive_review.production import ORIGIN as PRODUCTION
from hive_review.rubrics.keys import queue_key_names
from hive_review.rubrics.models import Rubric
from ui import production_source, rating_form, rubric_keys, services, shared_queue
from ui.completion_context import render_context
from ui.completion_view import render_completion, render_metadata
from ui.context import Studio
from ui.queue_keys import capture_keys, keys_ready, new_keys
from ui.state import REVIEW_QUEUE
from ui.text import code

ALL_UNRATED = "All unrated generations of this session"
PRODUCTION_EVENTS = "Production events in HoneyHive"
KEYBOARD = REVIEW_QUEUE("keyboard")
SUBMIT = REVIEW_QUEUE("submit")


def render_review_queue(studio: Studio) -> None:
    rubric = studio.stores.rubrics.active()  # the keys follow the active rubric
    _apply_keys(studio, rubric)  # before drawing: the keys belong to the item the reviewer saw
    capture_keys(KEYBOARD, queue_key_names(rubric))  # first on the page: it keeps its place and keys
    st.title("Review queue")
    rubric_keys.render_keys_help(rubric)  # and the ? overlay when open
    if keys_ready(KEYBOARD):
        st.caption(":material/keyboard: Keys active: each key applies, in the order pressed.")
    else:
        st.caption(":material/keyboard_hide: Keys start working in a moment…")
    log = services.cached_log(studio.stores, studio.session.id)
    source, label = _pick_source(studio, log)
    if shared_queue.is_shared(source):  # the store, not this session, decides the items
        shared_queue.render_shared_queue(studio, source, _render_item)
        return
    if source == PRODUCTION_EVENTS:
        loaded = production_source.render_production_source(studio)
        if loaded is None:
            st.session_state[REVIEW_QUEUE.queue] = []  # keys act on no hidden queue
            st.session_state[REVIEW_QUEUE.built_from] = None
            st.info("Pick an annotation queue or a filter, then **Load events**.")
            return
        if st.session_state.get(REVIEW_QUEUE.built_from) != source:
            st.session_state[REVIEW_QUEUE.position] = 0  # coming from another source
        st.session_state[REVIEW_QUEUE.queue] = loaded
        st.session_state[REVIEW_QUEUE.built_from] = source
        label = f"HoneyHive · {(production_source.loaded() or {}).get('label', label)}"  # a shared queue's source
    elif st.session_state.get(REVIEW_QUEUE.built_from) != source or st.button(
        "Rebuild the queue", key=REVIEW_QUEUE.rebuild
    ):
        unrated = log[log[col.FEEDBACK_STATUS] == FeedbackStatus.UNRATED]
        if source != ALL_UNRATED:
            unrated = unrated[unrated[col.BATCH_ID] == source]
        st.session_state[REVIEW_QUEUE.queue] = list(unrated[col.GENERATION_ID])
        st.session_state[REVIEW_QUEUE.built_from] = source
        st.session_state[REVIEW_QUEUE.position] = 0
    queue: list[str] = st.session_state.get(REVIEW_QUEUE.queue, [])
    if not queue:
        st.info("Nothing to review here: every generation is rated. Run a batch, or pick another source.")
        return
    shared_queue.render_share_action(studio, label, queue)
    statuses = _statuses(studio, log, queue)
    done = sum(statuses.get(gid) not in (None, FeedbackStatus.UNRATED) for gid in queue)
    position = _position(len(queue))
    st.progress(
        done / len(queue), text=f"Item {position + 1} of {len(queue)} · {done} done · {len(queue) - done} to go"
    )
    generation_id = queue[position]
    row = studio.log.get_entry(generation_id)
    if row is None:
        st.warning("This generation is no longer in the log; skip it.")
        _render_actions(studio, generation_id, len(queue))
        return
    # Commit, then reveal: the prompt, its variant and the model stay hidden until this item has a
    # rating, so they cannot sway it; a reviewer who judges against the prompt turns blind review off.
    blind = st.toggle("Blind review", value=True, key=REVIEW_QUEUE.blind, help=BLIND_HELP)
    rated = statuses.get(generation_id) not in (None, FeedbackStatus.UNRATED)
    _render_item(studio, row, blind=blind and not rated)
    rating_form.render_rating_form(studio, row, submit_button=False)
    _render_actions(studio, generation_id, len(queue))


BLIND_HELP = (
    "Hides the prompt, its variant and the model that answered until you submit a rating for the item; "
    "then they are shown. The inputs are always shown."
)


def _pick_source(studio: Studio, log: Any) -> tuple[str, str]:
    """The source picked (an id) and its label."""
    batches = studio.stores.batches.list_batches(studio.session.id)
    labels = {b.id: f"Batch {b.id} · {b.task}" for b in batches}
    ingested = sorted({str(b) for b in log[col.BATCH_ID].dropna() if str(b).startswith("ingest-")})
    labels.update({batch_id: f"Ingested file {batch_id}" for batch_id in ingested})
    sources = [ALL_UNRATED, *labels]
    if studio.api == "current":  # in the task API there are no logged events to read
        sources.append(PRODUCTION_EVENTS)
    shared = shared_queue.source_labels(studio)  # every process's shared queues, from the database
    labels.update(shared)
    sources.extend(shared)
    if st.session_state.get(REVIEW_QUEUE.source) not in sources:
        st.session_state.pop(REVIEW_QUEUE.source, None)  # e.g. a batch of another session
    # Options are ids shown through labels: a selectbox draws its options as text.
    source = str(st.selectbox("Work through", sources, format_func=lambda s: labels.get(s, s), key=REVIEW_QUEUE.source))
    return source, labels.get(source, source)


def _statuses(studio: Studio, log: Any, queue: list[str]) -> dict[str, Any]:
    statuses = dict(zip(log[col.GENERATION_ID], log[col.FEEDBACK_STATUS], strict=True))
    for generation_id in queue:  # a production event first logged in another session
        if generation_id not in statuses:
            statuses[generation_id] = (studio.log.get_entry(generation_id) or {}).get(col.FEEDBACK_STATUS)
    return statuses


def _render_item(studio: Studio, row: Mapping[str, Any], *, blind: bool = False) -> None:
    """One item; ``blind`` (an item this reviewer has not rated yet) hides its variant: prompt name,
    version and model."""
    generation_id = str(row[col.GENERATION_ID])
    details = production_source.details(studio, generation_id) if row.get(col.ORIGIN) == PRODUCTION else None
    with st.container(border=True):
        if details is not None and (production_source.rated_by_me(generation_id) or details.rated_by(studio.reviewer)):
            st.badge("Already rated by you", icon=":material/how_to_reg:", color="green")
        render_context(studio, row, details=details, hide_prompt=blind)
        render_completion(str(row.get(col.COMPLETION) or ""), markdown=False)
        render_metadata(row, hide_variant=blind)
        if details is not None:
            st.caption(f"HoneyHive event {code(generation_id)}: each rating goes back as feedback on it.")


def _render_actions(studio: Studio, generation_id: str, length: int) -> None:
    with st.container(horizontal=True):
        st.button(
            "Back", key=REVIEW_QUEUE.back, icon=":material/arrow_back:", help="B", on_click=_move, args=(-1, length)
        )
        st.button(
            "Skip", key=REVIEW_QUEUE.skip, icon=":material/skip_next:", help="S", on_click=_move, args=(1, length)
        )
        st.button(
            "Submit rating",
            key=SUBMIT,
            icon=":material/send:",
            help="Ctrl+Enter: submit without moving on",
            on_click=_submit,
            args=(studio, generation_id),
        )
        st.button(
            "Complete and next",
            key=REVIEW_QUEUE.complete_and_next,
            type="primary",
            icon=":material/done_all:",
            help="N",
            on_click=_complete_and_next,
            args=(studio, generation_id, length),
        )
    problem = rating_form.message(generation_id)
    if problem:  # next to the action that caused it, not at the top of the page
        st.warning(problem, icon=":material/info:")


def _position(length: int) -> int:
    position = max(0, min(st.session_state.get(REVIEW_QUEUE.position, 0), length - 1))
    st.session_state[REVIEW_QUEUE.position] = position
    return position


def _move(step: int, length: int) -> None:
    position = st.session_state.get(REVIEW_QUEUE.position, 0) + step
    st.session_state[REVIEW_QUEUE.position] = max(0, min(length - 1, position))


def _submit(studio: Studio, generation_id: str) -> None:
    rating_form.submit(studio, generation_id)


def _complete_and_next(studio: Studio, generation_id: str, length: int) -> None:
    if rating_form.submit(studio, generation_id):
        _move(1, length)


def _apply_keys(studio: Studio, rubric: Rubric) -> None:
    """Apply the keys pressed since the last run, in order, to the queue as it stands after each."""
    for key in new_keys(KEYBOARD, queue_key_names(rubric)):
        if key == "?":
            rubric_keys.toggle_overlay()
            continue
        built_from = st.session_state.get(REVIEW_QUEUE.built_from)
        if shared_queue.is_shared(built_from):
            shared_queue.apply_key(studio, str(built_from), key)
            continue
        queue: list[str] = st.session_state.get(REVIEW_QUEUE.queue, [])
        if not queue:
            continue
        generation_id = queue[_position(len(queue))]
        rating_part = widget_part_for_key(key, rubric)
        if rating_part is not None:
            rating_form.set_part(studio, generation_id, *rating_part)
        elif key == "n":
            _complete_and_next(studio, generation_id, len(queue))
        elif key == "enter":
            _submit(studio, generation_id)
        else:
            _move(1 if key == "s" else -1, len(queue))
