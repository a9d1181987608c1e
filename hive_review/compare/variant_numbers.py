"""What the Numbers page says about each variant of a task: every figure with its count and, where one
exists, its 95% interval; and each variant against a baseline (the deployed one) as a verdict.

Pure functions over the session log (the columns of ``hive_review.log.columns``); nothing here draws.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import pandas as pd

from hive_review.compare import intervals, number_text
from hive_review.compare.stats import wilson_interval
from hive_review.compare.verdicts import Variant, Verdict, stars_verdict, thumbs_verdict
from hive_review.log import columns as col
from hive_review.log.variants import variant_label

Kind = Literal["rate", "mean", "percentile"]
WILSON: Final = "Wilson score"
METHOD_NAMES: Final[dict[str, str]] = {
    intervals.BOOTSTRAP: "bootstrap (percentile, 2,000 resamples)",
    intervals.STUDENT_T: "Student's t",
    WILSON: WILSON,
}


@dataclass(frozen=True)
class Metric:
    key: str
    label: str  # in words, with its unit: a table header, a chart title
    kind: Kind
    counted: str  # what the count counts, singular: "thumb", "star rating", "generation"
    unit: str = ""  # after a number on the page: "★", "ms", "tokens"; "$" goes before it
    help: str = ""


RATE_HELP: Final = (
    "95% interval: Wilson score interval (Wilson 1927; method 3 of Newcombe 1998, Statistics in Medicine "
    "17:857-872). Then the count it rests on."
)
MEAN_HELP: Final = (
    "95% interval of the mean: a percentile bootstrap (2,000 resamples, fixed seed) for 10 to 1,000 values, "
    "since stars are bounded and tokens and costs skewed, so no normal shape is assumed; Student's t for fewer "
    "(a bootstrap of so few values is too narrow) or more (the mean is then normal enough). Then the count."
)
MODEL_TIME: Final = (
    " of the model's own time (without the time a run waited for a busy model) where the log has it, else of "
    "the whole latency; then the count."
)
METRICS: Final[tuple[Metric, ...]] = (
    Metric(
        "share_rated", "Share rated (%)", "rate", "generation", help=f"Generations with a thumb or stars. {RATE_HELP}"
    ),
    Metric("thumbs_up_rate", "Thumbs-up rate (%)", "rate", "thumb", help=f"Thumbs up among thumbs given. {RATE_HELP}"),
    Metric("mean_stars", "Mean stars (1-5)", "mean", "star rating", "★", MEAN_HELP),
    Metric("p50_latency_ms", "Median latency (ms)", "percentile", "timed run", "ms", f"50th percentile{MODEL_TIME}"),
    Metric("p95_latency_ms", "p95 latency (ms)", "percentile", "timed run", "ms", f"95th percentile{MODEL_TIME}"),
    Metric("mean_tokens", "Mean tokens per generation", "mean", "generation", "tokens", MEAN_HELP),
    Metric("mean_cost", "Mean cost per generation ($)", "mean", "generation", "$", MEAN_HELP),
)
BY_KEY: Final[dict[str, Metric]] = {metric.key: metric for metric in METRICS}


@dataclass(frozen=True)
class Estimate:
    value: float | None
    low: float | None = None
    high: float | None = None
    count: int = 0  # how many values it rests on
    part: int | None = None  # a rate's numerator: "4 of 5"
    method: str = ""  # a key of METHOD_NAMES; "" when there is no interval


@dataclass(frozen=True, eq=False)
class VariantNumbers:
    version: str
    prompt_name: str  # "" when the log does not say
    generations: int
    estimates: dict[str, Estimate]
    ups: int = 0
    thumbs: int = 0
    stars: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def label(self) -> str:
        """How tables and charts name the variant: ``email-writer-v2 (v2)``."""
        return variant_label(self.prompt_name, self.version)


def version_order(version: str) -> tuple[int, int, str]:
    """Versions in their natural order: 2 before 10, numbers before names."""
    digits = re.fullmatch(r"v?(\d+)", version.strip())
    return (0, int(digits.group(1)), "") if digits else (1, 0, version)


def _rate(part: int, whole: int) -> Estimate:
    if whole == 0:
        return Estimate(None, count=0, part=0)
    low, high = wilson_interval(part, whole)
    return Estimate(part / whole, low, high, whole, part, WILSON)


def _mean(values: np.ndarray) -> Estimate:
    if len(values) == 0:
        return Estimate(None)
    if len(values) == 1:
        return Estimate(float(values[0]), count=1)
    low, high, method = intervals.mean_interval(values)
    return Estimate(float(values.mean()), low, high, len(values), method=method)


def _percentile(values: np.ndarray, q: float) -> Estimate:
    # The same interpolation as pandas' quantile, which the session log's summary uses.
    return Estimate(float(np.quantile(values, q)), count=len(values)) if len(values) else Estimate(None)


def _numbers(rows: pd.DataFrame, name: str) -> np.ndarray:
    values = pd.to_numeric(rows[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return values[~np.isnan(values)]


def _model_time(rows: pd.DataFrame) -> np.ndarray:
    """Each run's model time: its own where the log has it, else its whole latency. A local model
    answers one request at a time, and a run's whole latency then says where it stood in the queue."""
    latency = pd.to_numeric(rows[col.LATENCY_MS], errors="coerce")
    if col.MODEL_LATENCY_MS in rows:
        latency = pd.to_numeric(rows[col.MODEL_LATENCY_MS], errors="coerce").fillna(latency)
    values = latency.to_numpy(dtype=float, na_value=np.nan)
    return values[~np.isnan(values)]


def variant_numbers(rows: pd.DataFrame) -> list[VariantNumbers]:
    """One entry per prompt version in ``rows`` (a task's log), in version order."""
    versions = rows[col.PROMPT_VERSION].astype(object).where(rows[col.PROMPT_VERSION].notna(), "").astype(str)
    result = []
    for version in sorted(versions.unique(), key=version_order):
        group = rows[(versions == version).to_numpy()]
        thumbs = group[col.THUMBS].astype(object)
        ups, downs = int((thumbs == "up").sum()), int((thumbs == "down").sum())
        stars = _numbers(group, col.RATING)
        starred = pd.to_numeric(group[col.RATING], errors="coerce").notna().to_numpy()
        rated = int((thumbs.isin(["up", "down"]).to_numpy() | starred).sum())
        latency = _model_time(group)
        names = group[col.PROMPT_NAME].dropna().astype(str)
        names = names[names != ""]
        estimates = {
            "share_rated": _rate(rated, len(group)),
            "thumbs_up_rate": _rate(ups, ups + downs),
            "mean_stars": _mean(stars),
            "p50_latency_ms": _percentile(latency, 0.5),
            "p95_latency_ms": _percentile(latency, 0.95),
            "mean_tokens": _mean(_numbers(group, col.TOTAL_TOKENS)),
            "mean_cost": _mean(_numbers(group, col.COST)),
        }
        name = str(names.mode().iloc[0]) if len(names) else ""
        result.append(VariantNumbers(version, name, len(group), estimates, ups, ups + downs, stars))
    return result


def short_names(numbers: Sequence[VariantNumbers]) -> dict[str, str]:
    """How sentences name each version: its prompt name, with the version only where names repeat."""
    names = [n.prompt_name for n in numbers]
    return {n.version: n.prompt_name if n.prompt_name and names.count(n.prompt_name) == 1 else n.label for n in numbers}


def verdicts_against(numbers: Sequence[VariantNumbers], baseline: str, deployed: str | None) -> list[Verdict]:
    """Every other variant against the ``baseline`` version, on thumbs-up rate and on mean stars."""
    names = short_names(numbers)
    by_version = {n.version: n for n in numbers}
    if baseline not in by_version:
        return []
    base = by_version[baseline]
    reference = Variant(names[baseline], deployed=baseline == deployed)
    verdicts = []
    for other in numbers:
        if other.version == baseline:
            continue
        variant = Variant(names[other.version], deployed=other.version == deployed)
        verdicts.append(thumbs_verdict(variant, reference, other.ups, other.thumbs, base.ups, base.thumbs))
        verdicts.append(stars_verdict(variant, reference, other.stars, base.stars))
    return verdicts


# ---- as text --------------------------------------------------------------------------------------


def decimals(metric: Metric, estimate: Estimate) -> int:
    if metric.kind == "rate":
        return number_text.decimals_for(estimate.low, estimate.high, coarse=0, fine=1, width=0.02)
    if metric.key == "mean_stars":
        return number_text.decimals_for(estimate.low, estimate.high, coarse=1, fine=2, width=0.2)
    if metric.unit == "$":
        return number_text.money_decimals(estimate.value)
    return 0


def value_text(metric: Metric, value: float | None, places: int) -> str:
    """One number of ``metric`` with its unit: ``80%``, ``4.2 ★``, ``812 ms``, ``$0.00021``."""
    if value is None:
        return number_text.MISSING
    if metric.kind == "rate":
        return number_text.percent(value, places)
    if metric.unit == "$":
        return f"${number_text.number(value, places)}"
    return f"{number_text.number(value, places)} {metric.unit}".rstrip()


def cell_text(metric: Metric, estimate: Estimate) -> str:
    """``80% (38%–96%) · 4 of 5 thumbs``, ``4.2 ★ (3.6–4.8) · 12 star ratings``, ``812 ms · 30 timed runs``;
    "—" when there is nothing to show."""
    if estimate.value is None:
        return f"{number_text.MISSING} · {number_text.count_of(estimate.count, metric.counted)}"
    places = decimals(metric, estimate)
    shown = value_text(metric, estimate.value, places)
    if metric.kind == "rate":
        span = number_text.interval(estimate.low, estimate.high, lambda v: number_text.percent(v, places))
        return f"{shown} ({span}) · {estimate.part:,} of {number_text.count_of(estimate.count, metric.counted)}"
    counted = number_text.count_of(estimate.count, metric.counted)
    if metric.kind == "percentile":
        return f"{shown} · {counted}"
    render = (
        (lambda v: f"${number_text.number(v, places)}")
        if metric.unit == "$"
        else (lambda v: number_text.number(v, places))
    )
    return f"{shown} ({number_text.interval(estimate.low, estimate.high, render)}) · {counted}"
