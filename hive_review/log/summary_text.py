"""The Session log's summary as a reader sees it: each figure rounded to what it is worth, "—" for a
missing one (never "None" or "nan"), counts as whole numbers. The text is what the page's table holds,
so what a reader sees (and a screen reader reads) is the same rounded figure, not ``0.6666666666666666``.
The units are in the column headers: ``Mean stars (1-5)``, ``Model time p50 (ms)``, ``Cost ($)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

import pandas as pd

from hive_review.compare import number_text
from hive_review.log.model_times import WAITED_MAX, WAITED_P50
from hive_review.missing import is_missing

COUNTS: Final[tuple[str, ...]] = ("count", "rated")


def _cost(value: float) -> str:
    return number_text.number(value, number_text.money_decimals(value))


# Each figure of ``filters.SUMMARY_STATS`` (and the waits beside them) as text.
FIGURES: Final[Mapping[str, Callable[[float], str]]] = {
    "thumbs_up_rate": number_text.percent,  # 67%
    "mean_rating": lambda value: number_text.number(value, 2),  # 4.33
    "p50_latency_ms": number_text.number,  # 1,123 (ms)
    "p95_latency_ms": number_text.number,
    "mean_total_tokens": number_text.number,
    "total_cost": _cost,  # 0.0037 ($): two significant digits of a small amount
    WAITED_P50: number_text.number,
    WAITED_MAX: number_text.number,
}


def summary_text(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary`` with its figures as text and its counts as whole numbers; other columns as they are."""
    shown = summary.copy()
    for name in COUNTS:
        if name in shown.columns:
            shown[name] = shown[name].fillna(0).astype("int64")
    for name, render in FIGURES.items():
        if name in shown.columns:
            shown[name] = [number_text.MISSING if is_missing(value) else render(float(value)) for value in shown[name]]
    return shown
