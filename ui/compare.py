"""The Compare page: the same inputs on 2-4 variants side by side (``ui.compare_side``), or blind A/B
votes on a pair over a set of inputs (``ui.compare_blind``), then the results of the votes.

Both run in the background (``ui.compare_runs``): every run started is logged even when the page is
left, and the page draws the session's latest comparisons from the store whenever it is opened.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hive_review.compare.comparisons import MIN_VARIANTS
from hive_review.compare.summary_export import summary_csv, verdict_rows
from hive_review.compare.votes import preference_pairs_jsonl, votes_frame
from ui.compare_blind import render_blind
from ui.compare_side import render_side_by_side
from ui.context import Studio
from ui.pickers import pick_task_and_prompts
from ui.state import COMPARE
from ui.variant_view import deployed_prompt
from ui.vote_results import VOTES_HELP, render_vote_results

SIDE_BY_SIDE = "Side by side"
BLIND = "Blind A/B"


def render_compare(studio: Studio) -> None:
    st.title("Compare variants")
    picked = pick_task_and_prompts(studio, COMPARE, needed=MIN_VARIANTS)
    if picked is None:
        return
    task, prompts = picked
    mode = st.segmented_control("Mode", [SIDE_BY_SIDE, BLIND], default=SIDE_BY_SIDE, key=COMPARE.mode)
    by_name = {p.name: p for p in prompts}
    if mode == BLIND:
        render_blind(studio, task, by_name)
    else:
        render_side_by_side(studio, task, by_name)
    _render_results(studio, task)


# ---- results ----------------------------------------------------------------------------------


def _render_results(studio: Studio, task: str) -> None:
    raw = studio.stores.votes.frame(task)
    st.divider()
    st.subheader("Blind A/B results", help=VOTES_HELP)
    if raw.empty:
        st.caption("No blind votes for this task yet.")
        return
    deployed = deployed_prompt(studio, task)
    verdicts = render_vote_results(votes_frame(raw), deployed.name if deployed else None, COMPARE.summary)
    st.download_button(
        "Blind A/B results (CSV)",
        data=summary_csv(verdict_rows(task, verdicts)),
        file_name=f"blind-ab-results-{pd.Timestamp.now(tz='UTC'):%Y%m%d-%H%M}.csv",
        mime="text/csv",
        key=COMPARE("results_csv"),
        on_click="ignore",
        help="Each pair's share of decided votes against an even split, with its interval, count, method and "
        "verdict. Cells a spreadsheet would run as a formula start with an apostrophe.",
    )
    st.download_button(
        "Preference pairs (JSONL, for DPO)",
        data=preference_pairs_jsonl(raw),
        file_name=f"preference-pairs-{pd.Timestamp.now(tz='UTC'):%Y%m%d-%H%M}.jsonl",
        mime="application/jsonl",
        key=COMPARE.preference_pairs,
        on_click="ignore",
    )
