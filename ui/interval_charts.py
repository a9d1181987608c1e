"""The Numbers page's charts: each variant's figure as a dot with its 95% interval as an error bar, so
two variants whose bars overlap read as "not told apart yet"; counts on whole-number axes.

Variants are named on the axis by their prompt name and version; titles and axes say what and in
which unit; tooltips carry the same text as the table (value, interval, count).
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from hive_review.compare.variant_numbers import BY_KEY, Metric, VariantNumbers, cell_text

VARIANT_AXIS = alt.Axis(labelLimit=260, title=None)
# Rates are drawn in percent; stars on their own 1-5 scale, so a difference of half a star is visible.
DOMAINS = {"share_rated": (0, 100), "thumbs_up_rate": (0, 100), "mean_stars": (1, 5)}
ROW_HEIGHT = 34  # per variant: variants are rows, so long prompt names stay readable


def _height(*, offset: bool = False) -> alt.Step:
    # Each variant gets a row of its own, however many there are; with two bars per variant (an offset
    # encoding) the step sizes each bar, so half a row each.
    return alt.Step(ROW_HEIGHT // 2 if offset else ROW_HEIGHT)


def _variant(numbers: Sequence[VariantNumbers]) -> alt.Y:
    return alt.Y("Variant:N", sort=[variant.label for variant in numbers], axis=VARIANT_AXIS)


def _points(numbers: Sequence[VariantNumbers], metric: Metric) -> pd.DataFrame:
    factor = 100.0 if metric.kind == "rate" else 1.0
    rows = []
    for variant in numbers:
        estimate = variant.estimates[metric.key]
        if estimate.value is None:
            continue
        rows.append(
            {
                "Variant": variant.label,
                "value": estimate.value * factor,
                # A figure without an interval (one value) draws as a dot alone.
                "low": None if estimate.low is None else estimate.low * factor,
                "high": None if estimate.high is None else estimate.high * factor,
                "shown": cell_text(metric, estimate),
            }
        )
    return pd.DataFrame(rows, columns=["Variant", "value", "low", "high", "shown"])


def interval_chart(numbers: Sequence[VariantNumbers], key: str) -> alt.LayerChart | None:
    """A dot per variant with its 95% interval as a bar through it (a forest plot); None when no variant
    has the figure. Two variants whose bars overlap are not told apart yet."""
    metric = BY_KEY[key]
    points = _points(numbers, metric)
    if points.empty:
        return None
    scale = alt.Scale(domain=list(DOMAINS[key]), nice=False) if key in DOMAINS else alt.Scale(zero=False)
    base = alt.Chart(points).encode(
        y=_variant(numbers),
        tooltip=[alt.Tooltip("Variant:N"), alt.Tooltip("shown:N", title=metric.label)],
    )
    bars = base.mark_errorbar(thickness=2, ticks=alt.MarkConfig(size=12)).encode(
        x=alt.X("low:Q", title=metric.label, scale=scale), x2="high:Q"
    )
    dots = base.mark_point(filled=True, size=90, opacity=1).encode(x=alt.X("value:Q", scale=scale))
    title = f"{metric.label.split(' (')[0]} with 95% interval"
    return alt.layer(bars, dots).properties(title=title, height=_height())


def latency_chart(numbers: Sequence[VariantNumbers]) -> alt.Chart | None:
    """Median and p95 latency per variant (percentiles: no interval, the count in the tooltip)."""
    rows = []
    for variant in numbers:
        for key, name in (("p50_latency_ms", "Median (p50)"), ("p95_latency_ms", "p95")):
            estimate = variant.estimates[key]
            if estimate.value is not None:
                rows.append({"Variant": variant.label, "Percentile": name, "ms": estimate.value,
                             "shown": cell_text(BY_KEY[key], estimate)})  # fmt: skip
    if not rows:
        return None
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            y=_variant(numbers),
            yOffset=alt.YOffset("Percentile:N", sort=["Median (p50)", "p95"]),
            x=alt.X("ms:Q", title="Latency (ms)"),
            color=alt.Color("Percentile:N", title="Percentile", sort=["Median (p50)", "p95"]),
            tooltip=[alt.Tooltip("Variant:N"), alt.Tooltip("Percentile:N"), alt.Tooltip("shown:N", title="Latency")],
        )
        .properties(title="Latency: median and p95", height=_height(offset=True))
    )


def ratings_chart(numbers: Sequence[VariantNumbers]) -> alt.Chart:
    """How many thumbs and star ratings each variant has: what every interval above rests on."""
    rows = [
        {"Variant": variant.label, "Rating": kind, "Ratings": count}
        for variant in numbers
        for kind, count in (("Thumbs", variant.thumbs), ("Stars", len(variant.stars)))
    ]
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            y=_variant(numbers),
            yOffset=alt.YOffset("Rating:N"),
            # Counts are whole numbers: no 0.5 ticks on a short axis.
            x=alt.X("Ratings:Q", title="Ratings (count)", axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color("Rating:N", title="Kind"),
            tooltip=[
                alt.Tooltip("Variant:N"),
                alt.Tooltip("Rating:N", title="Kind"),
                alt.Tooltip("Ratings:Q", format="d"),
            ],
        )
        .properties(title="Ratings per variant", height=_height(offset=True))
    )


def render_charts(numbers: Sequence[VariantNumbers]) -> None:
    charts = [interval_chart(numbers, key) for key in ("thumbs_up_rate", "mean_stars", "share_rated")]
    charts += [ratings_chart(numbers), latency_chart(numbers)]
    charts += [interval_chart(numbers, key) for key in ("mean_tokens", "mean_cost")]
    drawn = [chart for chart in charts if chart is not None]
    for start in range(0, len(drawn), 2):
        for column, chart in zip(st.columns(2), drawn[start : start + 2], strict=False):
            with column:
                st.altair_chart(chart)
