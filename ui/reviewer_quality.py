"""Numbers' reviewer table: per reviewer of the shared queues, accuracy on gold items (flagged
under 80%), its trend, and the median seconds per item; and the median seconds per variant."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from hive_review.quality.gold_accuracy import (
    FLAG_BELOW,
    GoldResult,
    gold_results,
    reviewer_accuracy,
    trend_by_count,
    trend_by_day,
)
from hive_review.quality.item_timer import IDLE_CAP_SECONDS
from hive_review.quality.time_stats import median_by_reviewer, median_by_variant
from ui.context import Studio
from ui.gold_upload import RULE_HELP
from ui.quality_keys import REVIEWER_QUALITY
from ui.text import code

FLAGGED = "under threshold"
TIME_HELP = (
    "From the item shown (reserved and drawn, or its rating form drawn) to the rating submitted, each silent "
    "stretch counted at most "
    f"{IDLE_CAP_SECONDS / 60:g} minutes."
)
REVIEWER_COLUMNS = {
    "Reviewer": st.column_config.TextColumn("Reviewer"),
    "Gold reviewed": st.column_config.NumberColumn("Gold reviewed", format="%d"),
    "Gold right": st.column_config.NumberColumn("Gold right", format="%d"),
    "Gold accuracy": st.column_config.NumberColumn("Gold accuracy", format="percent", help=RULE_HELP),
    "Flagged": st.column_config.TextColumn("Flagged", help=f"Gold accuracy under {FLAG_BELOW:.0%}."),
    "Median seconds per item": st.column_config.NumberColumn("Median seconds per item", format="%.0f", help=TIME_HELP),
    "Timed items": st.column_config.NumberColumn("Timed items", format="%d"),
}


def render_reviewer_quality(studio: Studio) -> None:
    st.subheader("Reviewers")
    database = studio.stores.database
    results = gold_results(database)
    accuracy = {row.reviewer: row for row in reviewer_accuracy(results)}
    times = {row.reviewer: row for row in median_by_reviewer(database)}
    if not accuracy and not times:
        st.info(
            "No reviews of shared queues yet. Share a queue with the team (Review queue) and mix in gold items "
            "(uploaded on the Adjudication page) to see each reviewer's accuracy and time per item here."
        )
        return
    st.caption(
        f"Reviewers: accuracy on gold items of the shared queues (flagged under {FLAG_BELOW:.0%}) and the median "
        f"time per item, over every rating timed (shared queues, review queue, Playground, Compare). {RULE_HELP}"
    )
    rows = []
    for reviewer in sorted(set(accuracy) | set(times)):
        gold, timed = accuracy.get(reviewer), times.get(reviewer)
        rows.append(
            {
                "Reviewer": reviewer,  # drawn on the dataframe's canvas, as text
                "Gold reviewed": gold.reviewed if gold else 0,
                "Gold right": gold.right if gold else 0,
                "Gold accuracy": gold.accuracy if gold else None,
                "Flagged": FLAGGED if gold and gold.flagged else "",
                "Median seconds per item": timed.median_seconds if timed else None,
                "Timed items": timed.items if timed else 0,
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, column_config=REVIEWER_COLUMNS, key=REVIEWER_QUALITY.reviewers)
    flagged = [row.reviewer for row in accuracy.values() if row.flagged]
    if flagged:
        who = ", ".join(code(reviewer) for reviewer in flagged)
        st.warning(f"Under {FLAG_BELOW:.0%} on gold items: {who}.", icon=":material/flag:")
    if results:
        _render_trend(results)
    _render_variant_times(studio)


def _render_trend(results: Sequence[GoldResult]) -> None:
    with st.expander("Gold accuracy over time", icon=":material/trending_up:"):
        by = st.segmented_control("Per", ["day", "10 gold items"], default="day", key=REVIEWER_QUALITY.trend)
        points = trend_by_count(results) if by == "10 gold items" else trend_by_day(results)
        frame = pd.DataFrame(
            [
                {"Reviewer": p.reviewer, "Period": p.period, "Reviewed": p.reviewed, "Right": p.right,
                 "Accuracy": p.accuracy}
                for p in points
            ]
        )  # fmt: skip
        st.dataframe(
            frame, hide_index=True,
            column_config={"Accuracy": st.column_config.NumberColumn("Accuracy", format="percent")},
        )  # fmt: skip


def _render_variant_times(studio: Studio) -> None:
    variants = median_by_variant(studio.stores.database)
    if not variants:
        return
    st.markdown("**Median seconds per item, per variant**", help=TIME_HELP)
    frame = pd.DataFrame(
        [
            {"Task": v.task, "Variant": v.prompt_name, "Version": v.prompt_version, "Timed items": v.items,
             "Median seconds": v.median_seconds}
            for v in variants
        ]
    )  # fmt: skip
    st.dataframe(
        frame, hide_index=True, key=REVIEWER_QUALITY.variants,
        column_config={"Median seconds": st.column_config.NumberColumn("Median seconds", format="%.0f")},
    )  # fmt: skip
