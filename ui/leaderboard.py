"""The Numbers page's leaderboard of a task's blind A/B votes: every variant's Bradley–Terry score with its
95% interval and rank (tied ranks where intervals overlap), the win matrix, what each pair needs to be told
apart, and each reviewer's position bias.

Variant names and reviewer ids come from HoneyHive or the reviewers: in Markdown they go through ``plain``;
table cells and chart labels are drawn as text.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st

from hive_review.compare.bradley_terry import RESAMPLES, elo_score
from hive_review.compare.leaderboard import MIN_VOTES, Leaderboard, PairOutlook, leaderboard, reviewer_bias
from hive_review.compare.number_text import MISSING, count_of, interval, number, percent
from hive_review.compare.stats import wilson_interval
from ui.leaderboard_charts import score_chart, win_matrix_chart
from ui.state import NUMBERS
from ui.text import plain

LEADERBOARD_KEY: Final = NUMBERS("leaderboard")
PAIRS_KEY: Final = NUMBERS("leaderboard", "pairs")
BIAS_KEY: Final = NUMBERS("leaderboard", "bias")

LEADERBOARD_HELP: Final = (
    "Bradley–Terry strengths (Bradley & Terry 1952) fitted to every blind vote of this task, among any number "
    "of variants: a vote for a side is a win, a tie half a win for each; **both bad** votes are counted and "
    "shown but left out, since they prefer neither. Scores are on Elo's scale: 1000 is an average variant, 100 "
    "points more wins about 64% of the time, 400 points 10 to 1.\n\n"
    f"Intervals: 95% percentile bootstrap, {RESAMPLES:,} resamples of each pair's votes; a variant needs "
    f"{MIN_VOTES} counted votes for one. Ranks follow the intervals: a variant is ranked below only those "
    "whose interval lies wholly above its own, so variants whose intervals overlap share ranks (**1–2**: "
    "first or second, not told apart yet)."
)
OUTLOOK_HELP: Final = (
    "**Told apart at 95%**: the Wilson score interval of the leader's share of decided votes excludes 50%. "
    "Otherwise **about N more votes**: the normal-approximation sample size for a proportion against 50% "
    "(two-sided test at 95% with 80% power), n = (1.96·√(0.5·0.5) + 0.84·√(p·(1−p)))² / (p − 0.5)², from the "
    "current split p, less the decided votes so far, scaled up by the share of this pair's votes that were "
    "decided (ties and both-bad votes decide nothing)."
)
BIAS_HELP: Final = (
    "Per reviewer, the share of their decided votes that went to the left side (A), with its Wilson score 95% "
    "interval. Sides are shuffled, so without a position effect it is about half; a reviewer whose interval "
    "excludes 50% favours a side whatever the answers."
)
STANDING_COLUMNS: Final = {
    "rank": st.column_config.TextColumn("Rank", help="Shared ranks (1–2) where 95% intervals overlap."),
    "variant": st.column_config.TextColumn("Variant"),
    "score": st.column_config.TextColumn("Score (95% interval)", help=LEADERBOARD_HELP),
    "votes": st.column_config.NumberColumn("Votes counted", format="%d", help="Wins, losses and ties."),
    "wins": st.column_config.NumberColumn("Won", format="%d"),
    "losses": st.column_config.NumberColumn("Lost", format="%d"),
    "ties": st.column_config.NumberColumn("Tied", format="%d"),
    "both_bad": st.column_config.NumberColumn(
        "Both bad", format="%d", help="Votes that found both answers bad: not counted in the score."
    ),
    # Kept for a test or a copy of the table; hidden: the log-strength θ and its interval.
    "strength": None,
    "strength_low": None,
    "strength_high": None,
}
# What a pair needs comes right after its name: the sentence is what a PM acts on, and stays in view.
PAIR_COLUMNS: Final = {
    "pair": st.column_config.TextColumn("Pair (leader vs other)"),
    "outlook": st.column_config.TextColumn("To tell them apart", help=OUTLOOK_HELP),
    "split": st.column_config.TextColumn("Leader's share of decided votes (95% interval)"),
    "votes": st.column_config.NumberColumn("Votes", format="%d", help="Every vote on the pair."),
    "ties": st.column_config.NumberColumn("Tied", format="%d"),
    "both_bad": st.column_config.NumberColumn("Both bad", format="%d"),
}
BIAS_COLUMNS: Final = {
    "reviewer": st.column_config.TextColumn("Reviewer"),
    "decided": st.column_config.NumberColumn("Decided votes", format="%d"),
    "left": st.column_config.TextColumn("Picked the left side (95% interval)", help=BIAS_HELP),
    "verdict": st.column_config.TextColumn("Position bias"),
}


def _score_text(low: float | None, strength: float | None, high: float | None) -> str:
    """``1,062 (1,010–1,121)``; without an interval, says what it waits for."""
    if strength is None:
        return MISSING
    score = number(elo_score(strength))
    if low is None or high is None:
        return f"{score} (an interval needs {MIN_VOTES} votes)"
    return f"{score} ({interval(elo_score(low), elo_score(high), number)})"


def standings_table(board: Leaderboard) -> pd.DataFrame:
    rows = [
        {
            "rank": standing.rank,
            "variant": standing.variant,
            "score": _score_text(standing.low, standing.strength, standing.high),
            "votes": standing.votes,
            "wins": standing.wins,
            "losses": standing.losses,
            "ties": standing.ties,
            "both_bad": standing.both_bad,
            "strength": standing.strength,
            "strength_low": standing.low,
            "strength_high": standing.high,
        }
        for standing in board.standings
    ]
    return pd.DataFrame(rows, columns=list(STANDING_COLUMNS))


def _split_text(pair: PairOutlook) -> str:
    """``67% (44%–84%) · 12 of 18 decided votes``."""
    if pair.decided == 0:
        return f"{MISSING} · no decided votes"
    low, high = wilson_interval(pair.leader_wins, pair.decided)
    share = f"{percent(pair.leader_wins / pair.decided)} ({interval(low, high, percent)})"
    return f"{share} · {pair.leader_wins:,} of {count_of(pair.decided, 'decided vote')}"


def pairs_table(board: Leaderboard) -> pd.DataFrame:
    rows = [
        {
            "pair": f"{pair.leader} vs {pair.other}",
            "outlook": pair.outlook,
            "split": _split_text(pair),
            "votes": pair.votes,
            "ties": pair.ties,
            "both_bad": pair.both_bad,
        }
        for pair in board.pairs
    ]
    return pd.DataFrame(rows, columns=list(PAIR_COLUMNS))


def bias_table(raw: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for bias in reviewer_bias(raw):
        span = interval(bias.low, bias.high, percent)
        verdict = {
            "left": "favours the left side (95% sure)",
            "right": "favours the right side (95% sure)",
            None: "no sign of position bias",
        }[bias.leaning]
        rows.append(
            {
                "reviewer": bias.reviewer,
                "decided": bias.decided,
                "left": f"{percent(bias.share)} ({span}) · {bias.left_picks:,} of {bias.decided:,}",
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows, columns=list(BIAS_COLUMNS))


def _summary(board: Leaderboard) -> str:
    variants = len([standing for standing in board.standings if standing.votes or standing.both_bad])
    ties = count_of(board.ties, "tie") + (" (half a win each)" if board.ties else "")
    return (
        f"{count_of(board.votes, 'blind vote')} among {variants:,} variants · {ties} · "
        f"{board.both_bad:,} both bad (left out of the scores)"
    )


def render_leaderboard(raw: pd.DataFrame) -> None:
    """The leaderboard section of the Numbers page for one task's votes (``VoteStore.frame(task)``)."""
    st.subheader("Leaderboard from blind votes", help=LEADERBOARD_HELP)
    if raw.empty:
        st.caption("No blind votes for this task yet: vote on the Compare page (Blind A/B).")
        return
    board = leaderboard(raw)
    st.caption(_summary(board))
    if not board.ranked:
        st.info("Every vote so far found both answers bad: there is nothing to rank the variants on yet.")
    else:
        st.dataframe(standings_table(board), hide_index=True, column_config=STANDING_COLUMNS, key=LEADERBOARD_KEY)
    if board.separate:
        st.warning(
            "Not ranked with the others: "
            + ", ".join(plain(name) for name in board.separate)
            + ". No votes link them to the ranked variants, directly or through another variant; a blind A/B "
            "of one of them against a ranked variant would.",
            icon=":material/link_off:",
        )
    charts = [chart for chart in (score_chart(board), win_matrix_chart(board)) if chart is not None]
    for column, chart in zip(st.columns(2), charts, strict=False):
        with column:
            st.altair_chart(chart)
    st.markdown("**Each pair**", help=OUTLOOK_HELP)
    st.dataframe(pairs_table(board), hide_index=True, column_config=PAIR_COLUMNS, key=PAIRS_KEY)
    bias = bias_table(raw)
    st.markdown("**Position bias per reviewer**", help=BIAS_HELP)
    if bias.empty:
        st.caption("No decided votes yet: position bias shows once a reviewer picks a side.")
    else:
        st.dataframe(bias, hide_index=True, column_config=BIAS_COLUMNS, key=BIAS_KEY)
