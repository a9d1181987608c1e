"""The Review queue: the unrated generations of a batch (or of the session, or of one task), one
at a time, with the one rating form and full keyboard control."""

from __future__ import annotations

import streamlit as st

from hive_review.log import columns as col
from ui import services
from ui.completion_view import render_completion, render_metadata
from ui.connection import Studio
from ui.rating_form import render_rating_form, save_draft, submit_rating
from ui.state import rating_key

ALL_UNRATED = "All unrated generations of this session"
QUEUE_KEY = "queue.ids"
SOURCE_KEY = "queue.built_from"
POSITION_KEY = "queue.position"
KEYS_HELP = (
    "**Keys:** `U` thumbs up · `D` thumbs down · `1`-`5` stars · `N` complete and next · `S` skip · "
    "`B` back · `Ctrl+Enter` submit the rating without moving on."
)


def render_review_queue(studio: Studio) -> None:
    st.title("Review queue")
    st.markdown(KEYS_HELP)
    batches = studio.stores.batches.list_batches(studio.session.id)
    sources = [ALL_UNRATED, *(b.id for b in batches)]
    labels = {b.id: f"Batch {b.id} · {b.task}" for b in batches}
    source = st.selectbox("Work through", sources, format_func=lambda s: labels.get(s, s), key="queue.source")
    log = services.cached_log(studio.stores, studio.session.id)
    if st.session_state.get(SOURCE_KEY) != source or st.button("Rebuild the queue", key="queue.rebuild"):
        unrated = log[log[col.FEEDBACK_STATUS] == "unrated"]
        if source != ALL_UNRATED:
            unrated = unrated[unrated[col.BATCH_ID] == source]
        st.session_state[QUEUE_KEY] = list(unrated[col.GENERATION_ID])
        st.session_state[SOURCE_KEY] = source
        st.session_state[POSITION_KEY] = 0
    queue: list[str] = st.session_state.get(QUEUE_KEY, [])
    if not queue:
        st.info("Nothing to review here: every generation is rated. Run a batch, or pick another source.")
        return
    statuses = dict(zip(log[col.GENERATION_ID], log[col.FEEDBACK_STATUS], strict=True))
    done = sum(statuses.get(gid) not in (None, "unrated") for gid in queue)
    position = min(st.session_state.get(POSITION_KEY, 0), len(queue) - 1)
    st.progress(
        done / len(queue), text=f"Item {position + 1} of {len(queue)} · {done} done · {len(queue) - done} to go"
    )
    generation_id = queue[position]
    row = studio.log.get_entry(generation_id)
    if row is None:
        st.warning("This generation is no longer in the log; skip it.")
    else:
        with st.container(border=True):
            render_completion(str(row.get(col.COMPLETION) or ""), markdown=False)
            render_metadata(row)
        _render_keys(studio, generation_id, len(queue))
        render_rating_form(studio, row)


def _set_rating(generation_id: str, part: str, value: int) -> None:
    st.session_state[rating_key(generation_id, part)] = value
    save_draft(generation_id)


def _move(step: int, length: int) -> None:
    st.session_state[POSITION_KEY] = max(0, min(length - 1, st.session_state.get(POSITION_KEY, 0) + step))


def _complete_and_next(studio: Studio, generation_id: str, length: int) -> None:
    if submit_rating(studio, generation_id):
        _move(1, length)


def _render_keys(studio: Studio, generation_id: str, length: int) -> None:
    with st.container(horizontal=True):
        st.button(
            "Up",
            icon=":material/thumb_up:",
            key="queue.up",
            shortcut="U",
            help="Thumbs up (U)",
            on_click=_set_rating,
            args=(generation_id, "thumbs", 1),
        )
        st.button(
            "Down",
            icon=":material/thumb_down:",
            key="queue.down",
            shortcut="D",
            help="Thumbs down (D)",
            on_click=_set_rating,
            args=(generation_id, "thumbs", 0),
        )
        for stars in range(1, 6):
            st.button(
                f"{stars}★",
                key=f"queue.star.{stars}",
                shortcut=str(stars),
                help=f"{stars} stars ({stars})",
                on_click=_set_rating,
                args=(generation_id, "stars", stars - 1),
            )
        st.button(
            "Back", key="queue.back", shortcut="B", icon=":material/arrow_back:", on_click=_move, args=(-1, length)
        )
        st.button("Skip", key="queue.skip", shortcut="S", icon=":material/skip_next:", on_click=_move, args=(1, length))
        st.button("Complete and next", key="queue.next", shortcut="N", type="primary", icon=":material/done_all:",
                  on_click=_complete_and_next, args=(studio, generation_id, length))  # fmt: skip
