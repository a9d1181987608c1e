"""Training data from agreement only, on the Session log page: the rule (how much reviewers must agree,
how many of them), how many rows each export has and how many items were left out, and three JSONL
downloads (DPO pairs from blind votes, KTO rows from thumbs, SFT rows from ideal answers).

The counts are read on every run; the rows are built only on a click, since a prompt may need its
template from HoneyHive (``hive_review.training.prompts``). Everything shown is a number or the studio's
own words: no task, prompt or reviewer name reaches Markdown here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import pandas as pd
import streamlit as st

from hive_review.training.export import ExportCounts, TrainingSelection, select_training_data
from hive_review.training.rows import SFT_STYLES, SftStyle
from hive_review.training.selection import (
    BOTH_BAD,
    DEFAULT_MIN_REVIEWERS,
    DEFAULT_THRESHOLD,
    TIE,
    TOO_FEW,
    AgreementRule,
)
from hive_review.training.verdicts import FinalVerdict
from honeyhive_api import Prompt
from ui.context import Studio
from ui.state import PageKeys

TRAINING = PageKeys("training_export")
THRESHOLD = TRAINING("threshold")
MIN_REVIEWERS = TRAINING("min_reviewers")
SFT_STYLE = TRAINING("sft_style")
DPO, KTO, SFT = "dpo", "kto", "sft"
JSONL_MIME: Final = "application/jsonl"

HELP = (
    "Rows come only from items the reviewers agree on: the share of reviewers who gave the most common "
    "verdict is at least the threshold, from at least the reviewers asked for; each reviewer counts once "
    "(their latest verdict). An adjudicated item is always taken, with its final verdict. DPO: blind "
    "votes on the same inputs and pair of variants, one pair per vote for the agreed winner (a tie or "
    "both bad makes none). KTO: shared-queue items, thumbs up desirable. SFT: their ideal answers. Every row "
    "names its reviewers, rubric version, prompt and variant versions, and comparison id."
)
SFT_LABELS: Final[dict[str, str]] = {"prompt_completion": "prompt / completion", "messages": "messages (chat)"}
TABLE_COLUMNS: Final = {
    "export": st.column_config.TextColumn("Export"),
    "rows": st.column_config.NumberColumn("Rows", format="%d"),
    "agreed": st.column_config.NumberColumn("Items agreed", format="%d"),
    "adjudicated": st.column_config.NumberColumn("Items adjudicated", format="%d"),
    "disagreement": st.column_config.NumberColumn(
        "Left out: disagreement", format="%d", help="Items whose reviewers agree less than the threshold."
    ),
    "too_few": st.column_config.NumberColumn(
        "Left out: too few reviewers", format="%d", help="Items with fewer reviewers (with a verdict) than asked."
    ),
    "tie_or_both_bad": st.column_config.NumberColumn(
        "Left out: tie or both bad", format="%d", help="Blind items agreed on a tie or on both bad: no preference."
    ),
    "no_row": st.column_config.NumberColumn(
        "Taken, no row", format="%d", help="Items taken that give this export no row (no thumbs, no ideal answer)."
    ),
}


def _many(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _sft_label(style: str) -> str:
    """A module function, not a lambda: AppTest keeps ``format_func`` in session state, which must pickle."""
    return SFT_LABELS[style]


def counts_table(selection: TrainingSelection) -> pd.DataFrame:
    """One line per export: its rows and its items by why they were taken or left out."""

    def line(name: str, counts: ExportCounts) -> dict[str, object]:
        items = counts.items
        return {
            "export": name,
            "rows": counts.rows,
            "agreed": items["agreed"],
            "adjudicated": items["adjudicated"],
            "disagreement": counts.disagreement,
            "too_few": items[TOO_FEW],
            "tie_or_both_bad": items[TIE] + items[BOTH_BAD],
            "no_row": counts.unusable,
        }

    return pd.DataFrame(
        [
            line("DPO pairs (blind votes)", selection.dpo_counts),
            line("KTO rows (thumbs)", selection.kto_counts),
            line("SFT rows (ideal answers)", selection.sft_counts),
        ]
    )


def render_training_export(studio: Studio, *, verdicts: Mapping[str, FinalVerdict] | None = None) -> None:
    """``verdicts``: the final verdicts of adjudicated items by generation id (``hive_review.quality``)."""
    st.subheader("Training data from agreement", help=HELP)
    left, right = st.columns(2)
    percent = left.slider(
        "Reviewers agree at least",
        min_value=50,
        max_value=100,
        value=round(DEFAULT_THRESHOLD * 100),
        step=5,
        format="%d%%",
        key=THRESHOLD,
        help="The share of an item's reviewers who gave its most common verdict.",
    )
    reviewers = right.number_input(
        "Reviewers at least", min_value=1, max_value=100, value=DEFAULT_MIN_REVIEWERS, step=1, key=MIN_REVIEWERS
    )
    rule = AgreementRule(threshold=percent / 100, min_reviewers=int(reviewers))
    selection = select_training_data(studio.stores.database, rule, verdicts)
    if not selection.pairs and not selection.items:
        st.caption("No blind votes or shared-queue reviews yet: training data is made from them.")
        return
    st.dataframe(counts_table(selection), hide_index=True, column_config=TABLE_COLUMNS)
    style: SftStyle = (
        st.radio(
            "SFT format",
            SFT_STYLES,
            format_func=_sft_label,
            horizontal=True,
            key=SFT_STYLE,
        )
        or "prompt_completion"
    )

    def lookup(task: str) -> Sequence[Prompt]:
        return studio.client.list_prompts(task)

    downloads = (
        (DPO, "DPO pairs", selection.dpo_counts, selection.dpo_jsonl),
        (KTO, "KTO rows", selection.kto_counts, lambda: selection.kto_jsonl(lookup)),
        (SFT, "SFT rows", selection.sft_counts, lambda: selection.sft_jsonl(lookup, style=style)),
    )
    for column, (kind, name, counts, write) in zip(st.columns(len(downloads)), downloads, strict=True):
        with column:
            st.download_button(
                f"{name} (JSONL)",
                data=write,  # a callable runs only on click, on its own thread: no row is built on reruns
                file_name=f"hive-review-{kind}.jsonl",
                mime=JSONL_MIME,
                on_click="ignore",
                icon=":material/download:",
                key=TRAINING("download", kind),
                disabled=counts.rows == 0,
            )
            st.caption(f"{_many(counts.rows, 'row')} · {_many(counts.disagreement, 'item')} left out for disagreement")
