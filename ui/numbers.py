"""The Numbers page: what decides between variants (per-variant metrics and charts), whether
reviewers agree (kappa / alpha over several reviewers' logs), and the A/B votes as DPO pairs."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from hive_review.compare.stats import agreement_table
from hive_review.compare.votes import preference_pairs, preference_pairs_jsonl
from hive_review.log import columns as col
from hive_review.log.filters import version_summary
from hive_review.log.import_files import ImportFormatError, read_export
from ui import services
from ui.connection import Studio
from ui.state import NUMBERS
from ui.text import code, plain

DIMENSIONS = {"Thumbs": col.THUMBS, "Stars": col.RATING}


def render_numbers(studio: Studio) -> None:
    st.title("Numbers")
    log = services.cached_log(studio.stores, None)  # every session: variants are judged on all of it
    _render_variants(log)
    _render_agreement(studio, log)
    _render_preference_pairs(studio)


def _render_variants(log: pd.DataFrame) -> None:
    st.subheader("Per variant")
    if log.empty:
        st.info("No generations logged yet: run some on the Playground, Compare or Batch pages.")
        return
    tasks = sorted(log[col.TASK].dropna().unique())
    task = st.selectbox("Task", tasks, key=NUMBERS.task)
    rows = log[log[col.TASK] == task]
    summary = version_summary(rows)
    st.dataframe(
        summary,
        hide_index=True,
        column_config={
            "thumbs_up_rate": st.column_config.NumberColumn("Thumbs-up rate", format="percent"),
            "mean_rating": st.column_config.NumberColumn("Mean rating", format="%.2f"),
            "p50_latency_ms": st.column_config.NumberColumn("p50 latency (ms)", format="%.0f"),
            "p95_latency_ms": st.column_config.NumberColumn("p95 latency (ms)", format="%.0f"),
            "mean_total_tokens": st.column_config.NumberColumn("Mean tokens", format="%.1f"),
            "total_cost": st.column_config.NumberColumn("Total cost ($)", format="%.5f"),
        },
        key=NUMBERS.summary,
    )
    long = summary.melt(
        id_vars=[col.PROMPT_VERSION],
        value_vars=["thumbs_up_rate", "mean_rating", "p50_latency_ms", "p95_latency_ms", "mean_total_tokens"],
        var_name="metric",
        value_name="value",
    ).dropna()
    if not long.empty:
        chart = (
            alt.Chart(long)
            .mark_bar()
            .encode(
                x=alt.X(f"{col.PROMPT_VERSION}:N", title="Version"),
                y=alt.Y("value:Q", title=None),
                color=alt.Color(f"{col.PROMPT_VERSION}:N", legend=None),
                column=alt.Column("metric:N", title=None),
            )
            .resolve_scale(y="independent")
            .properties(width=120, height=160)
        )
        st.altair_chart(chart)


def _render_agreement(studio: Studio, log: pd.DataFrame) -> None:
    st.subheader("Agreement between reviewers")
    st.caption(
        "Import the session-log exports of the reviewers who rated the same generations. Two reviewers: "
        "Cohen's kappa; more: Fleiss' kappa (on generations everyone rated) and Krippendorff's alpha "
        "(which allows gaps). 1 is perfect agreement, 0 is chance."
    )
    uploads = st.file_uploader(
        "Reviewers' exports (CSV, JSONL, Parquet or Excel)",
        type=["csv", "jsonl", "parquet", "xlsx"],
        accept_multiple_files=True,
        key=NUMBERS.agreement_files,
    )
    include_own = st.checkbox("Include this database's own ratings", value=True, key=NUMBERS.include_own)
    frames = [log] if include_own else []
    for uploaded in uploads or []:
        try:
            frames.append(read_export(uploaded.getvalue(), uploaded.name))
        except ImportFormatError as exc:  # it quotes the file's columns
            st.error(f"{code(uploaded.name)}: {plain(exc)}")
    parts = [f[[col.GENERATION_ID, col.REVIEWER, col.THUMBS, col.RATING]] for f in frames if not f.empty]
    if not parts:
        st.info("Agreement needs ratings from at least two reviewers on the same generations.")
        return
    ratings = pd.concat(parts).drop_duplicates(subset=[col.GENERATION_ID, col.REVIEWER], keep="last")
    if ratings[col.REVIEWER].nunique() < 2:
        st.info("Agreement needs ratings from at least two reviewers on the same generations.")
        return
    rows = []
    for label, column in DIMENSIONS.items():
        result = agreement_table(ratings, item=col.GENERATION_ID, rater=col.REVIEWER, value=column)
        rows.append({"dimension": label, **result})
    st.dataframe(pd.DataFrame(rows), hide_index=True, key=NUMBERS.agreement)


def _render_preference_pairs(studio: Studio) -> None:
    st.subheader("Preference pairs")
    raw = studio.stores.votes.frame()
    pairs = preference_pairs(raw)
    st.caption(
        f"{len(pairs):,} decided blind A/B votes (ties give no pair) as JSONL with `prompt`, `chosen`, "
        "`rejected`: the format DPO trainers read (e.g. TRL's DPOTrainer)."
    )
    st.download_button(
        "Download preference pairs (JSONL)",
        data=preference_pairs_jsonl(raw),
        file_name="preference-pairs.jsonl",
        mime="application/jsonl",
        disabled=not pairs,
        on_click="ignore",
        key=NUMBERS.preference_pairs,
    )
