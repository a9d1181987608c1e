"""The Numbers page and Compare's results as one CSV: every figure with its interval, count and method,
and every verdict with its sentence. One row per figure (a long table), so a spreadsheet can filter it.

Written through ``hive_review.log.exports.export_csv``: text cells that a spreadsheet would run as a
formula (a variant named ``=HYPERLINK(…)``) get a leading ``'``; numbers are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import pandas as pd

from hive_review.compare.variant_numbers import METHOD_NAMES, METRICS, VariantNumbers
from hive_review.compare.verdicts import STARS, VOTES, Verdict
from hive_review.log.exports import export_csv

COLUMNS: Final[tuple[str, ...]] = (
    "section",
    "task",
    "variant",
    "version",
    "compared_with",
    "metric",
    "unit",
    "value",
    "low_95",
    "high_95",
    "count",
    "of_which",
    "method",
    "verdict",
)
PER_VARIANT: Final = "per variant"
AGAINST_BASELINE: Final = "against baseline"
# Units in the file: shares as percent, so a spreadsheet shows what the page shows.
UNITS: Final[dict[str, tuple[str, float, int]]] = {  # metric key: (unit, factor, decimals kept)
    "share_rated": ("%", 100.0, 2),
    "thumbs_up_rate": ("%", 100.0, 2),
    "mean_stars": ("stars (1-5)", 1.0, 3),
    "p50_latency_ms": ("ms", 1.0, 1),
    "p95_latency_ms": ("ms", 1.0, 1),
    "mean_tokens": ("tokens", 1.0, 2),
    "mean_cost": ("USD", 1.0, 8),
}
DIFFERENCE_NAMES: Final[dict[str, str]] = {VOTES: "Blind A/B wins: share of decided votes minus 50%"}


def _scaled(value: float | None, factor: float, places: int) -> float | None:
    return None if value is None else round(value * factor, places)


def estimate_rows(task: str, numbers: Sequence[VariantNumbers]) -> list[dict[str, Any]]:
    rows = []
    for variant in numbers:
        for metric in METRICS:
            estimate = variant.estimates[metric.key]
            unit, factor, places = UNITS[metric.key]
            rows.append(
                {
                    "section": PER_VARIANT,
                    "task": task,
                    "variant": variant.prompt_name,
                    "version": variant.version,
                    "metric": metric.label,
                    "unit": unit,
                    "value": _scaled(estimate.value, factor, places),
                    "low_95": _scaled(estimate.low, factor, places),
                    "high_95": _scaled(estimate.high, factor, places),
                    "count": estimate.count,
                    "of_which": estimate.part,
                    "method": METHOD_NAMES.get(estimate.method, ""),
                }
            )
    return rows


def verdict_rows(task: str, verdicts: Iterable[Verdict]) -> list[dict[str, Any]]:
    rows = []
    for verdict in verdicts:
        # Stars differ in stars; thumbs-up rates and vote shares in percentage points.
        unit, factor, places = ("stars", 1.0, 3) if verdict.metric == STARS else ("percentage points", 100.0, 2)
        rows.append(
            {
                "section": AGAINST_BASELINE,
                "task": task,
                "variant": verdict.variant,
                "compared_with": verdict.baseline,
                "metric": DIFFERENCE_NAMES.get(verdict.metric, f"{verdict.metric}: difference"),
                "unit": unit,
                "value": _scaled(verdict.difference, factor, places),
                "low_95": _scaled(verdict.low, factor, places),
                "high_95": _scaled(verdict.high, factor, places),
                "count": verdict.count,
                "of_which": None,
                "method": verdict.method,
                "verdict": verdict.sentence,
            }
        )
    return rows


def summary_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """The rows as CSV (UTF-8, CRLF), formula-looking text neutralised; missing values are empty cells."""
    frame = pd.DataFrame(list(rows), columns=list(COLUMNS))
    for name in ("value", "low_95", "high_95"):
        frame[name] = pd.to_numeric(frame[name]).astype("float64")
    frame["count"] = pd.to_numeric(frame["count"]).astype("Int64")
    frame["of_which"] = pd.to_numeric(frame["of_which"]).astype("Int64")
    text = [name for name in COLUMNS if name not in ("value", "low_95", "high_95", "count", "of_which")]
    frame[text] = frame[text].astype(object).where(frame[text].notna(), None)
    return export_csv(frame)
