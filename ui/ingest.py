"""The Ingest page: completions produced outside HoneyHive's proxy are logged through
``POST /generations/log`` (the product note's second method) and then rated like any other.

A logged file is not logged twice by accident (its button is disabled until another file is
uploaded), and its completions go to the review queue ("Review these N in the queue") or are rated
here one at a time: one item open, the others folded, so four items are not a 3,500 px page.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from hive_review.feedback.status import FeedbackStatus
from hive_review.log import columns as col
from hive_review.run_sources import INGEST_SOURCE, source_for
from hive_review.runs.ingest import IngestResult, ingest_completions
from hive_review.runs.upload_rows import ingest_rows
from hive_review.runs.uploads import MAX_ROWS, MAX_UPLOAD_BYTES, UploadError, read_table
from ui import services
from ui.completion_context import render_context
from ui.completion_view import render_completion, render_metadata
from ui.context import Studio
from ui.pickers import pick_task
from ui.rating_form import render_rating_form
from ui.state import INGEST, REVIEW_QUEUE
from ui.text import code, plain

PAGE_SIZE = 5
REVIEW_QUEUE_PAGE = "pages/review_queue.py"
LOGGED_FILES = INGEST("logged_files")  # fingerprint of (task, file) -> the batch it was logged as
REVIEW_THEM = INGEST("review")


def render_ingest(studio: Studio) -> None:
    st.title("Ingest completions")
    st.markdown(
        "Log completions your own servers produced, then rate them here. Upload a **CSV** or **JSONL** file "
        "with one completion per row: `completion` and `model` are required; inputs go in `input.<variable>` "
        "columns (or an `inputs` JSON column); `prompt_template`, `prompt`, `latency_ms`, `prompt_tokens`, "
        "`completion_tokens` and `total_tokens` are optional. "
        f"Up to {MAX_ROWS:,} rows and {MAX_UPLOAD_BYTES // (1024 * 1024)} MB per file."
    )
    task = pick_task(studio, INGEST)  # ingested completions belong to a task
    if task is None:
        return
    uploaded = st.file_uploader("Completions file", type=["csv", "jsonl"], key=INGEST.file)
    if uploaded is not None:
        try:
            rows = ingest_rows(read_table(uploaded.getvalue(), uploaded.name))
        except UploadError as exc:  # it quotes the file's name and columns
            st.error(plain(exc), icon=":material/rule:")
            rows = []
        if rows:
            _render_log_button(studio, task, rows, _fingerprint(task, uploaded.getvalue()))
    _render_result(st.session_state.get(INGEST.result))
    _render_batch(studio, st.session_state.get(INGEST.batch_id))


def _fingerprint(task: str, data: bytes) -> str:
    return hashlib.sha256(task.encode() + b"\0" + data).hexdigest()


def _render_log_button(studio: Studio, task: str, rows: list[Any], fingerprint: str) -> None:
    logged: dict[str, str] = st.session_state.setdefault(LOGGED_FILES, {})
    done = fingerprint in logged
    if done:
        st.caption(
            f"This file is logged to {code(task)} already (batch {code(logged[fingerprint])}). "
            "Upload another file to log more."
        )
    else:
        st.caption(f"{len(rows):,} completions ready to log to {code(task)}.")
    if not st.button(f"Log {len(rows):,} completions", type="primary", key=INGEST.log_them, disabled=done):
        return
    batch_id = f"ingest-{uuid.uuid4().hex[:12]}"
    progress = st.progress(0.0, text="Logging…")

    def report(count: int, total: int) -> None:
        progress.progress(count / total, text=f"Logged {count:,} of {total:,}")

    result = ingest_completions(
        studio.client,
        studio.log,
        rows,
        task=task,
        session_id=studio.session.id,
        reviewer=studio.reviewer,
        source=source_for(studio.source, INGEST_SOURCE),
        batch_id=batch_id,
        on_progress=report,
    )
    logged[fingerprint] = batch_id
    st.session_state[INGEST.batch_id] = batch_id
    st.session_state[INGEST.result] = result
    st.rerun()  # draw the button disabled: this file is logged


def _render_result(result: IngestResult | None) -> None:
    if result is None:
        return
    if result.logged:
        st.success(f"Logged {result.logged:,} completions to HoneyHive. Rate them below, or in the review queue.")
    for row_number, error in result.failures:
        st.error(f"Row {row_number}: {plain(error)}")


def _render_batch(studio: Studio, batch_id: str | None) -> None:
    if not batch_id:
        return
    log = services.cached_log(studio.stores, studio.session.id)
    batch = log[log[col.BATCH_ID] == batch_id]
    if batch.empty:
        return
    unrated = int((batch[col.FEEDBACK_STATUS] == FeedbackStatus.UNRATED).sum())
    if unrated and st.button(
        f"Review these {unrated:,} in the queue", type="primary", key=REVIEW_THEM, icon=":material/checklist:"
    ):
        # The review queue lists the session's ingested files as its sources; its chooser takes this one.
        st.session_state[REVIEW_QUEUE.source] = batch_id
        st.switch_page(REVIEW_QUEUE_PAGE)
    st.subheader("Rate the ingested completions")
    pages = max(1, -(-len(batch) // PAGE_SIZE))
    page = st.number_input("Page", min_value=1, max_value=pages, value=1, key=INGEST.page_number) if pages > 1 else 1
    start = (int(page) - 1) * PAGE_SIZE
    shown = [_plain_row(row.to_dict()) for _, row in batch.iloc[start : start + PAGE_SIZE].iterrows()]
    # One item open at a time: the first one still to rate (the last one when all are rated).
    open_id = next((r[col.GENERATION_ID] for r in shown if r.get(col.FEEDBACK_STATUS) == FeedbackStatus.UNRATED), None)
    for number, record in enumerate(shown, start=start + 1):
        status = record.get(col.FEEDBACK_STATUS) or FeedbackStatus.UNRATED
        with st.expander(f"Completion {number} · {status}", expanded=record[col.GENERATION_ID] == open_id):
            render_context(studio, record)
            render_completion(str(record.get(col.COMPLETION) or ""), markdown=False)
            render_metadata(record)
            render_rating_form(studio, record)


def _plain_row(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (None if _is_missing(v) else v) for k, v in record.items()}


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
