"""Team mode on the Session log: "Share with the team" makes the rows its filters show now a shared
review queue (the review queue's own share action, ``ui.shared_queue.render_share_action``), which
every reviewer of the database then works on the Review queue page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hive_review.log.filters import LogFilter
from hive_review.team import SharedQueue
from hive_review.team.sources import filtered_generation_ids, log_filter_source
from ui.context import Studio
from ui.shared_queue import PREFIX, render_share_action, source_labels
from ui.state import SESSION_LOG
from ui.text import plain

SHARED = SESSION_LOG("share", "shared")  # the queue shared last from this page: its id
REVIEW_QUEUE_PAGE = "pages/review_queue.py"


def render_log_share(studio: Studio, view: pd.DataFrame, log_filter: LogFilter, *, scope: str) -> None:
    """The share action for the rows ``log_filter`` selects (``view``), every one of them, not only
    the newest the table shows."""
    ids = filtered_generation_ids(view)
    source = log_filter_source(log_filter, scope=scope.lower())
    render_share_action(studio, "Log filter", ids, keys=SESSION_LOG, source=source, on_shared=_remember)
    shared = st.session_state.get(SHARED)
    label = source_labels(studio).get(f"{PREFIX}{shared}") if shared else None
    if label:
        st.success(f"Shared: pick **{plain(label)}** on the Review queue to work it.", icon=":material/group:")
        st.page_link(REVIEW_QUEUE_PAGE, label="Open the Review queue", icon=":material/checklist:")


def _remember(queue: SharedQueue) -> None:
    st.session_state[SHARED] = queue.id
