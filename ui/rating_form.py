"""The one rating form used wherever a completion is shown: thumbs, 1-5 stars, labels, comment
and the ideal answer.

It is a fragment: rating reruns only the form, not the page around it (which may hold a log of
thousands of rows). Every change is saved at once into a draft in session state, because
Streamlit drops a widget's value when the widget is not drawn (a page switch); the form is
seeded from that draft, or from the stored rating, each time it is drawn. Submitting commits the
rating to the local store first and only then lets the outbox deliver it to HoneyHive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from hive_review.feedback.ratings import Rating, rating_from_widgets, widget_values
from hive_review.feedback.status import FeedbackStatus
from hive_review.log import columns as col
from hive_review.safe_text import escape_markdown
from ui.connection import Studio
from ui.state import Keys, rating_key

PARTS = ("thumbs", "stars", "labels", "comment", "ideal")
SUBMIT_WAIT_SECONDS = 2.0
STATUS_POLL_SECONDS = 2.0


def _drafts() -> dict[str, dict[str, Any]]:
    return st.session_state.setdefault(Keys.DRAFTS, {})


def _stored_values(row: Mapping[str, Any]) -> dict[str, Any]:
    return widget_values(Rating.from_row(row))


def save_draft(generation_id: str) -> None:
    _drafts()[generation_id] = {part: st.session_state.get(rating_key(generation_id, part)) for part in PARTS}


def _rating_from_state(generation_id: str) -> Rating:
    return rating_from_widgets({part: st.session_state.get(rating_key(generation_id, part)) for part in PARTS})


@st.fragment
def render_rating_form(studio: Studio, row: Mapping[str, Any]) -> None:
    generation_id = str(row[col.GENERATION_ID])
    current = studio.log.get_entry(generation_id) or dict(row)
    seed = _drafts().get(generation_id) or _stored_values(current)
    options = list(studio.settings.labels)
    for part in PARTS:
        value = seed.get(part)
        if part == "labels":
            value = [label for label in (value or []) if label in options]
        st.session_state.setdefault(rating_key(generation_id, part), value)

    def on_change() -> None:
        save_draft(generation_id)

    with st.container(border=True):
        thumbs_col, stars_col = st.columns([1, 3])
        with thumbs_col:
            st.caption("Thumbs")
            st.feedback("thumbs", key=rating_key(generation_id, "thumbs"), on_change=on_change)
        with stars_col:
            st.caption("Rating")
            st.feedback("stars", key=rating_key(generation_id, "stars"), on_change=on_change)
        st.multiselect("Labels", options, key=rating_key(generation_id, "labels"), on_change=on_change)
        st.text_area("Comment", key=rating_key(generation_id, "comment"), on_change=on_change, height=68)
        st.text_area(
            "Ideal answer",
            key=rating_key(generation_id, "ideal"),
            on_change=on_change,
            height=68,
            help="What the completion should have said; sent to HoneyHive as ground_truth.",
        )
        already_rated = current.get(col.FEEDBACK_STATUS) not in (None, FeedbackStatus.UNRATED)
        submitted = st.button(
            "Update rating" if already_rated else "Submit rating",
            key=rating_key(generation_id, "submit"),
            type="primary",
            icon=":material/send:",
            shortcut="Ctrl+Enter",
            help="Ctrl+Enter",
        )
        if submitted:
            submit_rating(studio, generation_id)
            current = studio.log.get_entry(generation_id) or current
        if current.get(col.FEEDBACK_STATUS) == FeedbackStatus.PENDING:
            _live_delivery_status(studio, generation_id)
        else:
            _render_delivery_status(studio, generation_id, current)


def submit_rating(studio: Studio, generation_id: str) -> bool:
    """Commit the rating in the form's state and start its delivery; False when it is empty."""
    rating = _rating_from_state(generation_id)
    if rating.is_empty:
        st.warning("Nothing to send yet: give thumbs, stars, a label, a comment or an ideal answer.")
        return False
    studio.save_rating(generation_id, rating)
    _drafts().pop(generation_id, None)
    # On a healthy connection delivery takes milliseconds: wait a moment so the reviewer sees
    # "delivered" right away. A slow or failing delivery goes on in the background.
    studio.outbox.wait_for(generation_id, timeout=SUBMIT_WAIT_SECONDS)
    st.toast("Rating saved.", icon=":material/task_alt:")
    return True


@st.fragment(run_every=STATUS_POLL_SECONDS)
def _live_delivery_status(studio: Studio, generation_id: str) -> None:
    """While a delivery is pending, look at its state every few seconds (only this line reruns)."""
    row = studio.log.get_entry(generation_id) or {}
    _render_delivery_status(studio, generation_id, row)


def _render_delivery_status(studio: Studio, generation_id: str, row: Mapping[str, Any]) -> None:
    status = row.get(col.FEEDBACK_STATUS) or FeedbackStatus.UNRATED
    if status == FeedbackStatus.SENT:
        st.caption(":material/cloud_done: Rating delivered to HoneyHive.")
    elif status == FeedbackStatus.PENDING:
        retrying = row.get(col.FEEDBACK_ERROR)
        detail = f" Retrying after: {escape_markdown(str(retrying))}" if retrying else ""
        st.caption(f":material/schedule: Rating saved here; delivery to HoneyHive pending.{detail}")
    elif status == FeedbackStatus.FAILED:
        error = row.get(col.FEEDBACK_ERROR) or "unknown error"
        st.error(f"Delivery to HoneyHive failed: {escape_markdown(str(error))}", icon=":material/cloud_off:")
        if st.button("Retry delivery", key=rating_key(generation_id, "retry"), icon=":material/refresh:"):
            studio.stores.feedback.retry_failed(generation_id)
            studio.outbox.wake()
            st.rerun(scope="fragment")
