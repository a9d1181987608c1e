"""The Session log page: filter, summarise, chart, export and import the review log.

A little over 300 lines: each part of the page (table, summary, times, exports) draws the one
filtered view, and the table's order and column labels are set out here in full."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from hive_review.feedback.status import FeedbackStatus
from hive_review.log import columns as col
from hive_review.log.exports import EXPORT_FORMATS, excel_export_problem
from hive_review.log.filters import (
    STAR_VALUES,
    STARS_NOT_GIVEN,
    SUMMARY_KEYS,
    THUMBS_CHOICES,
    LogFilter,
    apply_filter,
    variant_summary,
)
from hive_review.log.frames import with_columns
from hive_review.log.import_files import ImportFormatError, read_export
from hive_review.log.imports import import_export
from hive_review.log.model_times import WAITED_MAX, WAITED_P50, fallback_count, model_time, time_summary, waits
from hive_review.log.summary_text import summary_text
from hive_review.log.variants import VARIANT, variant_labels
from hive_review.quality.adjudication import final_verdicts
from ui import services
from ui.compare_completion import WAIT_NOTICE_MS, duration
from ui.context import Studio
from ui.final_verdicts import export_log
from ui.log_share import render_log_share
from ui.state import SESSION_LOG
from ui.text import code, plain
from ui.training_export import render_training_export

# The table shows the newest rows only: sending 100k rows to the browser on every rerun would make
# each click slow. Filters and exports always work on every row.
TABLE_ROWS_SHOWN = 1_000
# Team mode: reviewers on other processes write to the same database; the table reads the log again
# this often while the page is open (``cached_log`` reloads only the rows changed since).
LIVE_REFRESH_SECONDS = 3
RATING_CHOICES = (*(str(stars) for stars in STAR_VALUES), STARS_NOT_GIVEN)
MODEL_TIME = "model_time_ms"  # the chart's column: the model's own time, else the whole latency

# The table in reading order: when and what ran, on which inputs, what came out, how it was
# rated; then the numbers and the bookkeeping; ids last (a UUID first pushed the completion and
# its rating off the screen). The input.<variable> columns go where "inputs" is.
INPUTS = "inputs"
READING_ORDER: tuple[str, ...] = (
    col.TIMESTAMP, col.TASK, col.PROMPT_NAME, col.PROMPT_VERSION, INPUTS, col.COMPLETION, col.THUMBS, col.RATING,
    col.COMMENT, col.LABELS, col.IDEAL_ANSWER, col.FEEDBACK_STATUS, col.FEEDBACK_ERROR, col.REVIEWER, col.MODEL,
    col.MODEL_LATENCY_MS, col.WAIT_MS, col.FIRST_TOKEN_MS, col.LATENCY_MS, col.PROMPT_TOKENS, col.COMPLETION_TOKENS,
    col.TOTAL_TOKENS, col.COST, col.ORIGIN, col.SOURCE, col.RATED_AT, col.PREFERENCE, col.AB_POSITION, col.INPUTS_JSON,
)  # fmt: skip
IDS: tuple[str, ...] = (col.GENERATION_ID, col.BATCH_ID, col.COMPARISON_ID, col.SESSION_ID)
COLUMN_LABELS: dict[str, str] = {
    col.TASK: "Task",
    col.PROMPT_NAME: "Variant",
    col.PROMPT_VERSION: "Version",
    col.THUMBS: "Thumbs",
    col.COMMENT: "Comment",
    col.LABELS: "Labels",
    col.IDEAL_ANSWER: "Ideal answer",
    col.FEEDBACK_STATUS: "Delivery",
    col.FEEDBACK_ERROR: "Delivery error",
    col.REVIEWER: "Reviewer",
    col.MODEL: "Model",
    col.PROMPT_TOKENS: "Prompt tokens",
    col.COMPLETION_TOKENS: "Completion tokens",
    col.TOTAL_TOKENS: "Total tokens",
    col.ORIGIN: "Made on",
    col.SOURCE: "Source",
    col.PREFERENCE: "Blind vote",
    col.AB_POSITION: "Blind side",
    col.INPUTS_JSON: "Inputs (JSON)",
    col.GENERATION_ID: "Generation id",
    col.BATCH_ID: "Batch id",
    col.COMPARISON_ID: "Comparison id",
    col.SESSION_ID: "Session id",
}


def time_columns(p50: str, p95: str) -> dict[str, Any]:
    """How a table of times names its columns: the model's own time (``p50``, ``p95``), the wait apart."""
    return {
        p50: st.column_config.NumberColumn(
            "Model time p50 (ms)", format="%.0f", help="Median of the model's own time, without any wait for it"
        ),
        p95: st.column_config.NumberColumn(
            "Model time p95 (ms)",
            format="%.0f",
            help="95th percentile of the model's own time, without any wait for it",
        ),
        WAITED_P50: st.column_config.NumberColumn(
            "Waited p50 (ms)", format="%.0f", help="Median time a run waited for a model that answers one at a time"
        ),
        WAITED_MAX: st.column_config.NumberColumn("Longest wait (ms)", format="%.0f"),
    }


# The summary's columns: its latencies are the model's own (see ``_render_summary``). Its figures are
# text already rounded (``summary_text``), units in the headers; its counts whole numbers.
SUMMARY_COLUMNS: dict[str, Any] = {
    col.TASK: "Task",
    VARIANT: "Variant",
    "count": st.column_config.NumberColumn("Runs", format="%d"),
    "rated": st.column_config.NumberColumn("Rated", format="%d"),
    "thumbs_up_rate": st.column_config.TextColumn("Thumbs-up rate (%)", help="Thumbs up among thumbs given"),
    "mean_rating": st.column_config.TextColumn("Mean stars (1-5)"),
    **{
        name: st.column_config.TextColumn(config["label"], help=config.get("help"))
        for name, config in time_columns("p50_latency_ms", "p95_latency_ms").items()
    },
    "mean_total_tokens": st.column_config.TextColumn("Mean tokens"),
    "total_cost": st.column_config.TextColumn("Cost ($)"),
}


def render_session_log(studio: Studio) -> None:
    st.title("Session log")
    scope = st.segmented_control(
        "Show", ["This session", "All sessions"], default="This session", key=SESSION_LOG.scope
    )
    session_id = studio.session.id if scope != "All sessions" else None
    log = services.cached_log(studio.stores, session_id)
    if log.empty:
        st.info("No generations yet. Run a prompt on the Playground, or ingest completions, then come back.")
    else:
        log_filter = _filters(log)
        view = apply_filter(log, log_filter)
        _render_live_table(studio, session_id, log_filter)
        render_log_share(studio, view, log_filter, scope=str(scope or "This session"))  # team mode
        _render_summary(view)
        _render_exports(export_log(studio, view))  # final verdicts and every shared review
    # Training data covers the whole database (every vote and shared review), not this page's filters.
    render_training_export(studio, verdicts=final_verdicts(studio.stores.database))
    _render_import(studio)


def _filters(log: pd.DataFrame) -> LogFilter:
    with st.container(border=True):
        first, second, third, fourth = st.columns([2, 2, 1, 1])
        tasks = first.multiselect("Task", sorted(log[col.TASK].dropna().unique()), key=SESSION_LOG.filter("task"))
        versions = second.multiselect(
            "Prompt version",
            sorted(log[col.PROMPT_VERSION].dropna().astype(str).unique()),
            key=SESSION_LOG.filter("version"),
        )
        thumbs = third.multiselect("Thumbs", THUMBS_CHOICES, key=SESSION_LOG.filter("thumbs"))
        ratings = fourth.multiselect("Rating", RATING_CHOICES, key=SESSION_LOG.filter("rating"))
        text = st.text_input(
            "Search text", key=SESSION_LOG.filter("text"), placeholder="in completions, comments and inputs"
        )
    return LogFilter(
        tasks=tuple(tasks),
        versions=tuple(versions),
        thumbs=tuple(thumbs),
        ratings=tuple(int(r) for r in ratings if r != STARS_NOT_GIVEN),
        include_unrated=STARS_NOT_GIVEN in ratings,
        text=text.strip(),
    )


@st.fragment(run_every=LIVE_REFRESH_SECONDS)
def _render_live_table(studio: Studio, session_id: str | None, log_filter: LogFilter) -> None:
    """The count and the table, read again every few seconds: ratings given on another process show
    here without a click. Only this part reruns; the summary and exports follow the next click."""
    log = services.cached_log(studio.stores, session_id)
    view = apply_filter(log, log_filter)
    rated = int(view[col.FEEDBACK_STATUS].ne(FeedbackStatus.UNRATED).sum()) if col.FEEDBACK_STATUS in view else 0
    st.caption(f"{len(view):,} of {len(log):,} generations match · {rated:,} rated.")
    _render_table(view)


def _render_table(view: pd.DataFrame) -> None:
    newest = view.sort_values(col.TIMESTAMP, ascending=False).head(TABLE_ROWS_SHOWN)
    if len(view) > TABLE_ROWS_SHOWN:
        st.caption(f"Showing the newest {TABLE_ROWS_SHOWN:,}; the exports below hold all {len(view):,}.")
    inputs = [str(name) for name in newest.columns if str(name).startswith(col.INPUT_PREFIX)]
    order = [name for column in READING_ORDER for name in (inputs if column == INPUTS else [column])]
    others = [str(name) for name in newest.columns if str(name) not in {*order, *IDS}]  # a column added later
    order = [name for name in (*order, *others, *IDS) if name in newest.columns]
    config: dict[str, Any] = {
        **COLUMN_LABELS,
        # A variable's name is shown on the canvas of the table, as text.
        **{name: name.removeprefix(col.INPUT_PREFIX) for name in inputs},
        col.TIMESTAMP: st.column_config.DatetimeColumn("Time (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        col.COMPLETION: st.column_config.TextColumn("Completion", width="large"),
        col.RATING: st.column_config.NumberColumn("Rating", format="%d ⭐"),
        col.MODEL_LATENCY_MS: st.column_config.NumberColumn(
            "Model time (ms)", format="%.0f", help="The model's own time, without any wait for it"
        ),
        col.WAIT_MS: st.column_config.NumberColumn(
            "Waited (ms)", format="%.0f", help="How long the run waited for a model that answers one request at a time"
        ),
        col.FIRST_TOKEN_MS: st.column_config.NumberColumn(
            "First token (ms)", format="%.0f", help="The model's time to its first token"
        ),
        col.LATENCY_MS: st.column_config.NumberColumn(
            "Whole latency (ms)", format="%.0f", help="The whole request, any wait for the model included"
        ),
        col.COST: st.column_config.NumberColumn("Cost ($)", format="%.5f"),
        col.RATED_AT: st.column_config.DatetimeColumn("Rated at (UTC)", format="YYYY-MM-DD HH:mm:ss"),
    }
    # The frame itself is put in order (not only column_order): the toolbar's list of columns,
    # where a reader shows or hides one, then follows the same order.
    st.dataframe(
        newest[order],
        hide_index=True,
        column_config=config,
        placeholder="—",  # a missing value, not the word "None"
        key=SESSION_LOG.table,
    )


def _render_summary(view: pd.DataFrame) -> None:
    st.subheader("Per variant")
    # Keyed by the variant's name and version, as Numbers names it ("email-writer-v2 (v2)").
    view = with_columns(view, {VARIANT: variant_labels(view)})
    # A local model answers one request at a time: a run's whole latency then holds its wait in that
    # queue. The summary and the chart show the model's own time (the whole latency where a row has none).
    timed = with_columns(view, {col.LATENCY_MS: model_time(view)})
    waited = time_summary(view, SUMMARY_KEYS)[[*SUMMARY_KEYS, WAITED_P50, WAITED_MAX]]
    summary = variant_summary(timed).merge(waited, on=list(SUMMARY_KEYS), how="left")
    st.dataframe(
        summary_text(summary), hide_index=True, column_config=SUMMARY_COLUMNS, placeholder="—", key=SESSION_LOG.summary
    )
    for notice in time_notices(view):
        st.caption(notice)
    rated = view.dropna(subset=[col.RATING])
    left, right = st.columns(2)
    with left:
        st.caption("Ratings per variant")
        if rated.empty:
            st.caption("No star ratings yet.")
        else:
            ratings = rated.assign(**{col.RATING: rated[col.RATING].astype(int)})
            chart = (
                alt.Chart(ratings[[VARIANT, col.RATING]])
                .mark_bar()
                .encode(
                    x=alt.X(f"{col.RATING}:O", title="Stars"),
                    # Counts are whole numbers: no 0.2 … 2.0 ticks for a handful of ratings.
                    y=alt.Y("count():Q", title="Ratings", axis=alt.Axis(tickMinStep=1, format="d")),
                    color=alt.Color(f"{VARIANT}:N", title="Variant"),
                    xOffset=f"{VARIANT}:N",
                )
            )
            st.altair_chart(chart)
    with right:
        st.caption("Model time per variant (ms)")
        times = pd.DataFrame({VARIANT: view[VARIANT], MODEL_TIME: model_time(view)})
        times = times.dropna(subset=[MODEL_TIME])
        if times.empty:
            st.caption("No latencies recorded.")
        else:
            chart = (
                alt.Chart(times)
                .mark_boxplot()
                .encode(
                    x=alt.X(f"{VARIANT}:N", title="Variant"),
                    y=alt.Y(f"{MODEL_TIME}:Q", title="Model time (ms)"),
                )
            )
            st.altair_chart(chart)


def time_notices(view: pd.DataFrame) -> list[str]:
    """What the page says of its times: that runs waited for a single model, and which rows show
    their whole latency for want of a model time."""
    notices: list[str] = []
    waited = waits(view, at_least_ms=WAIT_NOTICE_MS)
    if len(waited):
        runs = f"{len(waited):,} run{'s' if len(waited) != 1 else ''}"
        notices.append(
            f":material/hourglass_top: {runs} waited for a single model that answers one request at a time (up to "
            f"{duration(float(waited.max()))}). The times here are the model's own, without that wait, "
            "which is shown apart."
        )
    fallback = fallback_count(view)
    if fallback:
        rows = f"{fallback:,} row has" if fallback == 1 else f"{fallback:,} rows have"
        notices.append(
            f":material/info: {rows} no model time (ingested, imported from an older export, or made by an "
            "endpoint that does not give it): "
            "the whole latency, any wait included, stands in for it."
        )
    return notices


def _render_exports(view: pd.DataFrame) -> None:
    st.subheader("Export")
    st.caption("The filtered rows, with reviewer id, task, prompt version and inputs on every row.")
    # Said before a click: a download whose export fails shows only "Failed to generate file".
    excel_problem = excel_export_problem(view)
    buttons = st.columns(len(EXPORT_FORMATS))
    for button, (name, export_format) in zip(buttons, EXPORT_FORMATS.items(), strict=True):
        with button:
            st.download_button(
                name,
                # A callable runs only on click, on its own thread: no export work on reruns.
                data=lambda fn=export_format.write, frame=view: fn(frame),
                file_name=f"hive-review-log.{export_format.extension}",
                mime=export_format.mime,
                on_click="ignore",
                icon=":material/download:",
                key=SESSION_LOG.export(name),
                disabled=name == "Excel" and excel_problem is not None,
            )
    if excel_problem:
        st.caption(f"Excel: {excel_problem}")


def _render_import(studio: Studio) -> None:
    with st.expander("Import a previous export to continue it"):
        uploaded = st.file_uploader(
            "Hive Review export (CSV, JSONL, Parquet or Excel)",
            type=["csv", "jsonl", "parquet", "xlsx"],
            key=SESSION_LOG.import_file,
        )
        if uploaded is None:
            return
        try:
            frame = read_export(uploaded.getvalue(), uploaded.name)
        except ImportFormatError as exc:  # it quotes the file's name and columns
            st.error(plain(exc), icon=":material/rule:")
            return
        st.caption(f"{len(frame):,} rows read from {code(uploaded.name)}.")
        if st.button("Import into this session", key=SESSION_LOG.import_go, icon=":material/input:"):
            outcome = import_export(
                studio.stores.feedback, frame, studio.session.id, connection_id=studio.connection.connection_id
            )
            # The message holds numbers and the studio's own words only.
            if outcome.added:
                st.success(outcome.message(), icon=":material/input:")
            else:
                st.info(outcome.message(), icon=":material/info:")
