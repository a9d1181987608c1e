"""The Numbers page's decision section: each variant against the deployed one in plain sentences, the
per-variant table (every figure with its interval and count), the charts and the CSV of it all.

Names of variants come from HoneyHive or an imported log: in Markdown they go through ``plain``;
table cells and chart labels are drawn as text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

import pandas as pd
import streamlit as st

from hive_review.compare.number_text import MISSING, count_of, signed
from hive_review.compare.summary_export import estimate_rows, verdict_rows
from hive_review.compare.variant_numbers import METRICS, VariantNumbers, cell_text, variant_numbers, verdicts_against
from hive_review.compare.verdicts import MARGINS, STARS, THUMBS, VOTES, Verdict
from honeyhive_api import HoneyHiveError, Prompt
from ui.context import Studio
from ui.interval_charts import render_charts
from ui.state import NUMBERS
from ui.text import plain

ICONS: Final = {
    "better": ":material/trending_up:",
    "worse": ":material/trending_down:",
    "tie": ":material/drag_handle:",
    "too_few": ":material/hourglass_empty:",
    "no_data": ":material/hourglass_empty:",
}
VERDICT_HELP: Final = (
    "Difference = variant minus baseline, with its 95% interval. Thumbs-up rate: Newcombe's hybrid score "
    "interval (method 10 of Newcombe 1998, Statistics in Medicine 17:873-890). Mean stars: percentile bootstrap "
    "of the difference (2,000 resamples; 10 to 1,000 ratings each), else Welch's t.\n\n"
    "**95% sure**: the interval lies wholly above or below 0. **No difference found**: it contains 0 and stays "
    f"within {MARGINS[THUMBS] * 100:.0f} percentage points of thumbs-up rate or {MARGINS[STARS]:g} stars, too "
    "small to choose on. **About N more**: the normal-approximation sample size for a two-sided test at 95% with "
    "80% power, from the current split (Fleiss, Levin & Paik 2003, ch. 4, without continuity correction; for "
    "stars 2·(z₀.₉₇₅ + z₀.₈)²·sd²/difference²), or for a difference of the margin when the observed one is "
    "smaller; per variant, or of the variant alone when the baseline already has enough."
)
DIFFERENCE_UNITS: Final = {THUMBS: ("pts", 100.0, 0), STARS: ("stars", 1.0, 2), VOTES: ("pts", 100.0, 0)}


def deployed_prompt(studio: Studio, task: str) -> Prompt | None:
    """The variant HoneyHive deploys for ``task``; None when it cannot say (unknown task, offline)."""
    try:
        prompts = studio.prompts(task)
    except HoneyHiveError:
        return None  # the page still shows every figure; only the default baseline is unknown
    return next((prompt for prompt in prompts if prompt.is_deployed), None)


def _deployed_version(numbers: Sequence[VariantNumbers], prompt: Prompt | None) -> str | None:
    if prompt is None:
        return None
    versions = [n.version for n in numbers]
    if prompt.version and prompt.version in versions:
        return prompt.version
    return next((n.version for n in numbers if n.prompt_name == prompt.name), None)


def difference_text(verdict: Verdict) -> tuple[str, str]:
    """``+20 pts`` and ``+5 to +33 pts`` (stars: ``-0.40 stars``…); "—" when there is no difference."""
    unit, factor, places = DIFFERENCE_UNITS[verdict.metric]
    if verdict.difference is None or verdict.low is None or verdict.high is None:
        return MISSING, MISSING
    span = f"{signed(verdict.low * factor, places)} to {signed(verdict.high * factor, places, unit)}"
    return signed(verdict.difference * factor, places, unit), span


def verdict_table(verdicts: Sequence[Verdict]) -> pd.DataFrame:
    rows = []
    for verdict in verdicts:
        difference, span = difference_text(verdict)
        rows.append(
            {
                "Variant": verdict.variant,
                "Against": verdict.baseline,
                "Figure": verdict.metric,
                "Difference": difference,
                "95% interval": span,
                "Ratings": f"{verdict.count:,} vs {verdict.baseline_count:,}",
            }
        )
    # The verdict sentences are listed above the table, in full; the CSV carries them too.
    return pd.DataFrame(rows, columns=["Variant", "Against", "Figure", "Difference", "95% interval", "Ratings"])


def render_sentences(verdicts: Sequence[Verdict]) -> None:
    """One line per verdict, the sentence first: what a PM reads before any table."""
    if verdicts:
        st.markdown("\n".join(f"- {ICONS[v.outcome]} {plain(v.sentence)}" for v in verdicts))


def per_variant_table(numbers: Sequence[VariantNumbers], deployed: str | None) -> tuple[pd.DataFrame, dict[str, Any]]:
    rows = []
    for variant in numbers:
        row = {"Variant": variant.label + (" · deployed" if variant.version == deployed else "")}
        row["Generations"] = f"{variant.generations:,}"
        row |= {metric.key: cell_text(metric, variant.estimates[metric.key]) for metric in METRICS}
        rows.append(row)
    config = {
        "Variant": st.column_config.TextColumn("Variant"),
        "Generations": st.column_config.TextColumn("Generations", help="Generations logged for this variant."),
    }
    config |= {m.key: st.column_config.TextColumn(m.label, help=m.help) for m in METRICS}
    return pd.DataFrame(rows), config


def summary_file_name(task: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", task).strip("-").lower() or "task"
    return f"numbers-{slug}.csv"


def render_variant_numbers(studio: Studio, task: str, rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Everything the page says about the variants of ``task`` from its log ``rows``; returns it as the
    rows of the page's CSV summary (``summary_export``)."""
    numbers = variant_numbers(rows)
    deployed = _deployed_version(numbers, deployed_prompt(studio, task))
    versions = [n.version for n in numbers]
    labels = {n.version: n.label + (" · deployed" if n.version == deployed else "") for n in numbers}
    verdicts: list[Verdict] = []
    if len(numbers) > 1:
        baseline = st.selectbox(
            "Compare each variant against",
            versions,
            index=versions.index(deployed) if deployed in versions else 0,
            format_func=labels.__getitem__,
            key=NUMBERS("baseline", task),
            help="The deployed variant when HoneyHive names one; pick another to compare against it instead.",
        )
        verdicts = verdicts_against(numbers, baseline, deployed)
        st.markdown("**Which variant does better?**", help=VERDICT_HELP)
        render_sentences(verdicts)
        st.dataframe(verdict_table(verdicts), hide_index=True, key=NUMBERS("verdicts"))
    else:
        st.caption(f"Only one variant has generations ({count_of(numbers[0].generations, 'generation')}).")
    table, config = per_variant_table(numbers, deployed)
    st.markdown("**Each variant**", help="Each figure with its 95% interval and the count it rests on. "
                "Hover a column title for how its interval is computed.")  # fmt: skip
    st.dataframe(table, hide_index=True, column_config=config, key=NUMBERS.summary)
    render_charts(numbers)
    return [*estimate_rows(task, numbers), *verdict_rows(task, verdicts)]
