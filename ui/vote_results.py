"""Blind A/B results of a task, as Compare and Numbers show them: per pair the votes, each side's share
of the decided votes with its Wilson 95% interval, one sentence against the deployed variant, the
position-bias check, and the same as CSV.

Variant names come from HoneyHive: in Markdown through ``plain``; table cells are drawn as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd
import streamlit as st

from hive_review.compare.number_text import count_of, interval, percent
from hive_review.compare.stats import position_bias, preference_summary, wilson_interval
from hive_review.compare.verdicts import MARGINS, VOTES, Verdict, pair_verdicts
from ui.variant_view import render_sentences

VOTES_HELP: Final = (
    "Per pair: the votes, and the second variant's share of the decided votes (ties left out) with its Wilson "
    "score 95% interval (Wilson 1927; Newcombe 1998, Statistics in Medicine 17:857-872). **95% sure** when the "
    "interval excludes an even split; **no preference found** when it lies within "
    f"{50 - MARGINS[VOTES] * 100:.0f}-{50 + MARGINS[VOTES] * 100:.0f}%; otherwise **about N more decided votes**: "
    "the normal-approximation sample size for a two-sided test against 50% at 95% with 80% power, from the "
    "current split."
)


def _share_text(wins: int, decided: int) -> str:
    """``70% (40%–89%) · 7 of 10 decided votes``; "—" before any decided vote."""
    if decided == 0:
        return "— · no decided votes"
    low, high = wilson_interval(wins, decided)
    span = interval(low, high, percent)
    return f"{percent(wins / decided)} ({span}) · {wins:,} of {count_of(decided, 'decided vote')}"


def results_table(summary: pd.DataFrame, verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """One row per pair. ``votes`` stays a number (tests and exports count it); the rest is text."""
    rows = []
    for pair, verdict in zip(summary.itertuples(index=False), verdicts, strict=True):
        wins = pair.wins_1 if verdict.variant == pair.variant_1 else pair.wins_2
        rows.append(
            {
                "pair": f"{verdict.variant} vs {verdict.baseline}",
                "votes": int(pair.votes),
                "ties": int(pair.ties),
                "share": _share_text(int(wins), verdict.count),
            }
        )
    # Each pair's verdict sentence is listed above the table, in full; the CSV carries it too.
    return pd.DataFrame(rows, columns=["pair", "votes", "ties", "share"])


COLUMNS: Final = {
    "pair": st.column_config.TextColumn("Pair (variant vs baseline)"),
    "votes": st.column_config.NumberColumn("Votes", format="%d", help="Blind votes on this pair, ties included."),
    "ties": st.column_config.NumberColumn("Ties", format="%d"),
    "share": st.column_config.TextColumn("Variant's share of decided votes (95% interval)", help=VOTES_HELP),
}


def render_vote_results(votes: pd.DataFrame, deployed: str | None, table_key: str) -> list[Verdict]:
    """Show the results of ``votes`` (the shape of ``votes.votes_frame``); ``deployed`` is the deployed
    variant's name, if known. Returns each pair's verdict, for the page's CSV."""
    summary = preference_summary(votes)
    verdicts = pair_verdicts(summary, deployed)
    render_sentences(verdicts)
    st.dataframe(results_table(summary, verdicts), hide_index=True, column_config=COLUMNS, key=table_key)
    bias = position_bias(votes)
    if bias["decided"]:
        verdict = "a position bias" if bias["biased"] else "no sign of position bias"
        span = interval(bias["low"], bias["high"], percent)
        st.caption(
            f"Left side won {bias['left_wins']:,} of {count_of(bias['decided'], 'decided vote')} "
            f"({percent(bias['left_win_rate'])}, 95% interval {span}): {verdict}.",
            help="Wilson score 95% interval of the left side's share of decided votes; a bias when it excludes 50%.",
        )
    return verdicts
