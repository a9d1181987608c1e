"""What a finished (or stopped) batch leads to, below its progress on the Batch page: the way into
the review queue with the batch as its source, the model's times per variant, and the stability of
repeated runs."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from hive_review.feedback.status import FeedbackStatus
from hive_review.log import columns as col
from hive_review.log.model_times import MODEL_P50, MODEL_P95, RUNS, WAITED_MAX, WAITED_P50, time_summary
from hive_review.runs.batch_store import DONE
from hive_review.runs.stability import stability_table
from ui import services
from ui.completion_context import cut_off_count
from ui.context import Studio
from ui.session_log import time_columns, time_notices
from ui.state import BATCH, REVIEW_QUEUE

REVIEW_QUEUE_PAGE = "pages/review_queue.py"
REVIEW_RESULTS = BATCH("review")
TIMES = BATCH("times")
# The results' times per variant: the model's own (a local model answers one request at a time, and
# a batch's runs wait for it in turn: their whole latency is mostly that wait).
TIME_COLUMNS: dict[str, Any] = {
    col.PROMPT_NAME: "Variant",
    col.PROMPT_VERSION: "Version",
    RUNS: st.column_config.NumberColumn("Runs", format="%d"),
    **time_columns(MODEL_P50, MODEL_P95),
}


def render_results(studio: Studio, batch_id: str, *, finished: bool) -> None:
    """What leads from a batch to its results: the review queue, with this batch as its source."""
    log = services.cached_log(studio.stores, studio.session.id)
    results = log[log[col.BATCH_ID] == batch_id]
    unrated = int((results[col.FEEDBACK_STATUS] == FeedbackStatus.UNRATED).sum())
    if finished:
        st.success(f"Batch finished: {len(results):,} results in the session log.", icon=":material/task_alt:")
    if len(results):
        cut_off = cut_off_count(studio, results.to_dict("records"))
        if cut_off:  # each one carries the mark in the review queue
            st.badge(
                f"{cut_off:,} of {len(results):,} results cut off at max tokens",
                icon=":material/content_cut:",
                color="orange",
            )
        _render_times(results)
    if unrated and st.button(
        f"Review these {unrated:,} results", type="primary", key=REVIEW_RESULTS, icon=":material/checklist:"
    ):
        # The review queue lists the session's batches as its sources; its chooser takes this value.
        st.session_state[REVIEW_QUEUE.source] = batch_id
        st.switch_page(REVIEW_QUEUE_PAGE)
    elif len(results) and not unrated:
        st.caption("Every result of this batch is rated.")


def _render_times(results: pd.DataFrame) -> None:
    """The model's time per variant, and the wait apart: with a local model the runs wait for it in
    turn, and their whole latency says where each stood in that queue, not how fast its variant is."""
    keys = [col.PROMPT_NAME, col.PROMPT_VERSION]
    times = time_summary(results, keys)[[*keys, RUNS, MODEL_P50, MODEL_P95, WAITED_P50, WAITED_MAX]]
    st.caption("Times per variant")
    st.dataframe(times, hide_index=True, column_config=TIME_COLUMNS, placeholder="—", key=TIMES)
    for notice in time_notices(results):
        st.caption(notice)


def render_stability(studio: Studio, batch_id: str) -> None:
    batch = studio.stores.batches.get_batch(batch_id)
    if batch is None or batch.repeats < 2:
        return
    items = studio.stores.batches.items(batch_id, [DONE])
    log = services.cached_log(studio.stores, studio.session.id)
    completions = dict(zip(log[col.GENERATION_ID], log[col.COMPLETION], strict=True))
    frame = pd.DataFrame(
        [
            {"row_number": i.row_number, "variant": i.variant, "completion": completions.get(i.generation_id, "")}
            for i in items
        ],
        columns=["row_number", "variant", "completion"],
    )
    st.subheader("Stability of repeated runs")
    st.caption("Outputs that differ only in case, punctuation or spacing count as the same.")
    st.dataframe(
        stability_table(frame),
        hide_index=True,
        column_config={"top_share": st.column_config.ProgressColumn("Most common output", format="percent")},
        key=BATCH.stability,
    )
