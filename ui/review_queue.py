"""The Review queue: the unrated generations of a batch (or of the session, or of one task), one
at a time, with the one rating form and full keyboard control."""

from __future__ import annotations

import streamlit as st

from hive_review.log import columns as col
from ui import services
from ui.completion_view import render_completion, render_metadata
from ui.connection import Studio
from ui.rating_form import render_rating_form, save_draft, submit_rating
from ui.state import REVIEW_QUEUE, rating_key

ALL_UNRATED = "All unrated generations of this session"
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
    source = st.selectbox("Work through", sources, format_func=lambda s: labels.get(s, s), key=REVIEW_QUEUE.source)
    log = services.cached_log(studio.stores, studio.session.id)
    if st.session_state.get(REVIEW_QUEUE.built_from) != source or st.button(
        "Rebuild the queue", key=REVIEW_QUEUE.rebuild
    ):
        unrated = log[log[col.FEEDBACK_STATUS] == "unrated"]
        if source != ALL_UNRATED:
            unrated = unrated[unrated[col.BATCH_ID] == source]
        st.session_state[REVIEW_QUEUE.queue] = list(unrated[col.GENERATION_ID])
        st.session_state[REVIEW_QUEUE.built_from] = source
        st.session_state[REVIEW_QUEUE.position] = 0
    queue: list[str] = st.session_state.get(REVIEW_QUEUE.queue, [])
    if not queue:
        st.info("Nothing to review here: every generation is rated. Run a batch, or pick another source.")
        return
    statuses = dict(zip(log[col.GENERATION_ID], log[col.FEEDBACK_STATUS], strict=True))
    done = sum(statuses.get(gid) not in (None, "unrated") for gid in queue)
    position = min(st.session_state.get(REVIEW_QUEUE.position, 0), len(queue) - 1)
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
    position = st.session_state.get(REVIEW_QUEUE.position, 0) + step
    st.session_state[REVIEW_QUEUE.position] = max(0, min(length - 1, position))


def _complete_and_next(studio: Studio, generation_id: str, length: int) -> None:
    if submit_rating(studio, generation_id):
        _move(1, length)


def _render_keys(studio: Studio, generation_id: str, length: int) -> None:
    thumbs = (  # label, icon, key, shortcut, the thumbs value it gives
        ("Up", ":material/thumb_up:", REVIEW_QUEUE.thumbs_up, "U", 1),
        ("Down", ":material/thumb_down:", REVIEW_QUEUE.thumbs_down, "D", 0),
    )
    with st.container(horizontal=True):
        for label, icon, key, shortcut, value in thumbs:
            st.button(
                label,
                icon=icon,
                key=key,
                shortcut=shortcut,
                help=f"Thumbs {label.lower()} ({shortcut})",
                on_click=_set_rating,
                args=(generation_id, "thumbs", value),
            )
        for stars in range(1, 6):
            st.button(
                f"{stars}★",
                key=REVIEW_QUEUE.stars(stars),
                shortcut=str(stars),
                help=f"{stars} stars ({stars})",
                on_click=_set_rating,
                args=(generation_id, "stars", stars - 1),
            )
        st.button(
            "Back", key=REVIEW_QUEUE.back, shortcut="B", icon=":material/arrow_back:", on_click=_move, args=(-1, length)
        )
        st.button(
            "Skip", key=REVIEW_QUEUE.skip, shortcut="S", icon=":material/skip_next:", on_click=_move, args=(1, length)
        )
        st.button(
            "Complete and next",
            key=REVIEW_QUEUE.complete_and_next,
            shortcut="N",
            type="primary",
            icon=":material/done_all:",
            on_click=_complete_and_next,
            args=(studio, generation_id, length),
        )
