"""Each logged generation's time as the pages show it: the model's own where the log has it, else
the whole latency; and how long runs waited for the model.

A local model answers one request at a time: runs sent together wait for it in turn, and a run's
whole latency (``latency_ms``) then says more about its place in that queue than about its variant.
``model_latency_ms`` leaves that wait out (``wait_ms`` holds it). Rows without a model time (imported
ones, or made by an endpoint that does not give it) fall back to their whole latency, and are
counted so that a page can say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd

from hive_review.log import columns as col
from hive_review.log.frames import as_float

# The columns of ``time_summary`` after its keys.
RUNS: Final = "runs"
MODEL_P50: Final = "model_p50_ms"
MODEL_P95: Final = "model_p95_ms"
WAITED_P50: Final = "waited_p50_ms"
WAITED_MAX: Final = "waited_max_ms"
WITHOUT_MODEL_TIME: Final = "without_model_time"
TIME_STATS: Final[tuple[str, ...]] = (RUNS, MODEL_P50, MODEL_P95, WAITED_P50, WAITED_MAX, WITHOUT_MODEL_TIME)


def _numbers(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as float64; all missing when the frame has no such column."""
    if name not in frame.columns:
        return pd.Series(float("nan"), index=frame.index, dtype="float64")
    return as_float(frame[name])


def model_time(frame: pd.DataFrame) -> pd.Series:
    """Each row's model time in ms: ``model_latency_ms`` where present, else ``latency_ms``."""
    return _numbers(frame, col.MODEL_LATENCY_MS).fillna(_numbers(frame, col.LATENCY_MS))


def without_model_time(frame: pd.DataFrame) -> pd.Series:
    """Rows timed by their whole latency only: a latency, but no model time."""
    return _numbers(frame, col.MODEL_LATENCY_MS).isna() & _numbers(frame, col.LATENCY_MS).notna()


def fallback_count(frame: pd.DataFrame) -> int:
    """How many rows show their whole latency for want of a model time."""
    return int(without_model_time(frame).sum())


def waits(frame: pd.DataFrame, *, at_least_ms: float = 0.0) -> pd.Series:
    """The waits for the model of the rows that waited ``at_least_ms`` or longer (ms)."""
    waited = _numbers(frame, col.WAIT_MS)
    return waited[waited >= at_least_ms]


def time_summary(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """One row per group of ``keys`` (missing keys form a group): ``runs``, the median and p95 of
    the model time, the median and longest wait, and how many rows had no model time."""
    work = pd.DataFrame(
        {
            **{key: frame[key] for key in keys},
            "model": model_time(frame),
            "waited": _numbers(frame, col.WAIT_MS),
            "fallback": without_model_time(frame).astype("int64"),
        },
        index=frame.index,
    )
    groups = work.groupby(list(keys), dropna=False, sort=True)
    summary = pd.DataFrame(
        {
            RUNS: groups.size().astype("int64"),
            MODEL_P50: groups["model"].quantile(0.5),
            MODEL_P95: groups["model"].quantile(0.95),
            WAITED_P50: groups["waited"].quantile(0.5),
            WAITED_MAX: groups["waited"].max(),
            WITHOUT_MODEL_TIME: groups["fallback"].sum().astype("int64"),
        }
    )
    return summary.reset_index()[[*keys, *TIME_STATS]]
