"""The leaderboard's charts: each variant's score as a dot with its 95% interval (overlapping bars read as
"not told apart yet"), and the win matrix as a heat map of how often each variant beat each other one.

Variant names are chart labels, drawn as text by Vega; tooltips carry the counts behind every cell.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from hive_review.compare.bradley_terry import ELO_CENTRE, elo_score
from hive_review.compare.leaderboard import Leaderboard
from hive_review.compare.number_text import count_of, percent

ROW_HEIGHT = 34  # as ui.interval_charts: a row per variant keeps long prompt names readable
NAME_AXIS = alt.Axis(labelLimit=260, title=None)
# Every opponent labelled, slanted: by default Vega drops long names that would overlap.
OPPONENT_AXIS = alt.Axis(labelLimit=160, labelAngle=-40, labelOverlap=False)


def score_chart(board: Leaderboard) -> alt.LayerChart | None:
    """Score and 95% interval per ranked variant, best first, with a rule at an average variant."""
    rows = []
    for standing in board.ranked:
        assert standing.strength is not None  # board.ranked holds only those
        has_interval = standing.low is not None and standing.high is not None
        rows.append(
            {
                "Variant": standing.variant,
                "score": elo_score(standing.strength),
                "low": elo_score(standing.low) if has_interval else None,  # type: ignore[arg-type]
                "high": elo_score(standing.high) if has_interval else None,  # type: ignore[arg-type]
                "Rank": standing.rank,
            }
        )
    if not rows:
        return None
    points = pd.DataFrame(rows)
    order = list(points["Variant"])
    base = alt.Chart(points).encode(
        y=alt.Y("Variant:N", sort=order, axis=NAME_AXIS),
        tooltip=[
            alt.Tooltip("Variant:N"),
            alt.Tooltip("Rank:N"),
            alt.Tooltip("score:Q", title="Score", format=",.0f"),
            alt.Tooltip("low:Q", title="95% interval from", format=",.0f"),
            alt.Tooltip("high:Q", title="95% interval to", format=",.0f"),
        ],
    )
    scale = alt.Scale(zero=False)
    bars = base.mark_errorbar(thickness=2, ticks=alt.MarkConfig(size=12)).encode(
        x=alt.X("low:Q", title="Score (Elo scale)", scale=scale), x2="high:Q"
    )
    dots = base.mark_point(filled=True, size=90, opacity=1).encode(x=alt.X("score:Q", scale=scale))
    average = alt.Chart(pd.DataFrame({"score": [ELO_CENTRE]})).mark_rule(strokeDash=[4, 4], opacity=0.5)
    return alt.layer(average.encode(x="score:Q"), bars, dots).properties(
        title="Score with 95% interval", height=alt.Step(ROW_HEIGHT)
    )


def _cell_text(row: pd.Series) -> str:
    parts = [f"{row['wins']:,} won", f"{row['losses']:,} lost", f"{row['ties']:,} tied"]
    if row["both_bad"]:
        parts.append(f"{row['both_bad']:,} both bad")
    return " · ".join(parts)


def win_matrix_chart(board: Leaderboard) -> alt.LayerChart | None:
    """Row variant against column variant: the share of their counted votes the row won (ties as half)."""
    cells = board.cells[board.cells["votes"] > 0].copy()
    if cells.empty:
        return None
    cells["Won"] = cells["share"].map(lambda share: percent(share))
    cells["Votes"] = cells.apply(_cell_text, axis=1)
    cells["Counted"] = cells["votes"].map(lambda votes: count_of(int(votes), "vote"))
    cells["percent"] = cells["share"] * 100.0
    order = [standing.variant for standing in board.standings if standing.votes]
    base = alt.Chart(cells).encode(
        x=alt.X("opponent:N", sort=order, title="Against", axis=OPPONENT_AXIS),
        y=alt.Y("variant:N", sort=order, axis=NAME_AXIS),
        tooltip=[
            alt.Tooltip("variant:N", title="Variant"),
            alt.Tooltip("opponent:N", title="Against"),
            alt.Tooltip("Won:N", title="Won (ties as half)"),
            alt.Tooltip("Votes:N"),
            alt.Tooltip("Counted:N", title="Counted"),
        ],
    )
    color = alt.Color(
        "percent:Q",
        title="Won (%)",
        scale=alt.Scale(domain=[0, 100], domainMid=50, scheme="redblue"),
    )
    rects = base.mark_rect().encode(color=color)
    # Dark text on the pale middle of the scale, light on its saturated ends.
    text = base.mark_text(fontSize=12).encode(
        text="Won:N",
        color=alt.condition(
            (alt.datum.percent < 25) | (alt.datum.percent > 75), alt.value("white"), alt.value("black")
        ),
    )
    size = max(1, len(order))
    return alt.layer(rects, text).properties(
        title="Win matrix: how often the row beat the column",
        height=alt.Step(ROW_HEIGHT),
        width=alt.Step(max(ROW_HEIGHT, math.floor(360 / size))),
    )
