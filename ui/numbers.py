"""The Numbers page: what decides between variants (per-variant metrics and charts), whether
reviewers agree (kappa / alpha over several reviewers' logs), and the A/B votes as DPO pairs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hive_review.compare.number_text import number
from hive_review.compare.stats import agreement_table
from hive_review.compare.summary_export import summary_csv, verdict_rows
from hive_review.compare.votes import preference_pairs, preference_pairs_jsonl, votes_frame
from hive_review.log import columns as col
from hive_review.log.import_files import ImportFormatError, read_export
from ui import services
from ui.compare_completion import numbers_notice
from ui.context import Studio
from ui.final_verdicts import numbers_log
from ui.leaderboard import render_leaderboard
from ui.reviewer_quality import render_reviewer_quality
from ui.state import NUMBERS
from ui.text import code, plain
from ui.variant_view import deployed_prompt, render_variant_numbers, summary_file_name
from ui.vote_results import VOTES_HELP, render_vote_results

DIMENSIONS = {"Thumbs": col.THUMBS, "Stars": col.RATING}
KAPPAS = {
    "cohen_kappa": ("Cohen's kappa", "Two reviewers (Cohen 1960)."),
    "fleiss_kappa": ("Fleiss' kappa", "Three or more reviewers, on the generations all of them rated (Fleiss 1971)."),
    "krippendorff_alpha": ("Krippendorff's alpha", "Nominal; allows gaps (Krippendorff 2011)."),
}
# The agreement table keeps its numbers (hidden: a test or a copy of the table reads them) and shows each as
# text, two decimals, "—" where a statistic does not apply.
AGREEMENT_COLUMNS = {
    "dimension": st.column_config.TextColumn("Rating"),
    "raters": st.column_config.NumberColumn("Reviewers", format="%d"),
    "items": st.column_config.NumberColumn("Generations all rated", format="%d"),
    **{key: None for key in KAPPAS},
    **{f"{key}_shown": st.column_config.TextColumn(label, help=tip) for key, (label, tip) in KAPPAS.items()},
}


def render_numbers(studio: Studio) -> None:
    st.title("Numbers")
    log = services.cached_log(studio.stores, None)  # every session: variants are judged on all of it
    _render_variants(studio, numbers_log(studio, log))  # final verdicts where adjudicated; no gold items
    _render_agreement(studio, log)
    _render_preference_pairs(studio)
    render_reviewer_quality(studio)


def _render_variants(studio: Studio, log: pd.DataFrame) -> None:
    st.subheader("Per variant")
    if log.empty:
        st.info("No generations logged yet: run some on the Playground, Compare or Batch pages.")
        return
    tasks = sorted(log[col.TASK].dropna().unique())
    # The current API's tasks are prompts (configurations grouped by tag): named as on the other pages.
    task = st.selectbox("Prompt" if studio.api == "current" else "Task", tasks, key=NUMBERS.task)
    task_log = log[(log[col.TASK] == task).to_numpy(dtype=bool, na_value=False)]
    rows = render_variant_numbers(studio, task, task_log)
    notice = numbers_notice(task_log)  # latencies are the model's own: say so when runs waited for it
    if notice:
        st.caption(f":material/hourglass_top: {notice}")
    raw = studio.stores.votes.frame(task)
    if not raw.empty:
        st.markdown("**Blind A/B votes**", help=VOTES_HELP)
        deployed = deployed_prompt(studio, task)
        verdicts = render_vote_results(votes_frame(raw), deployed.name if deployed else None, NUMBERS("votes"))
        rows += verdict_rows(task, verdicts)
    st.download_button(
        "Download this summary (CSV)",
        data=summary_csv(rows),
        file_name=summary_file_name(task),
        mime="text/csv",
        on_click="ignore",
        key=NUMBERS("summary_csv"),
        help="Every figure above with its interval, count and method, and every verdict. Cells a spreadsheet "
        "would run as a formula start with an apostrophe.",
    )
    render_leaderboard(raw)


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
        shown = {f"{key}_shown": number(result[key], 2) for key in KAPPAS}
        rows.append({"dimension": label, **result, **shown})
    st.dataframe(pd.DataFrame(rows), hide_index=True, column_config=AGREEMENT_COLUMNS, key=NUMBERS.agreement)


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
