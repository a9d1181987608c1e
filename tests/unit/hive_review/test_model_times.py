"""The model's own time of each row (else its whole latency), the waits, and the summary per group."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hive_review.log import columns as col
from hive_review.log.frames import empty_log_frame
from hive_review.log.model_times import (
    MODEL_P50,
    MODEL_P95,
    RUNS,
    TIME_STATS,
    WAITED_MAX,
    WAITED_P50,
    WITHOUT_MODEL_TIME,
    fallback_count,
    model_time,
    time_summary,
    waits,
)

KEYS = [col.TASK, col.PROMPT_VERSION]


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            col.TASK: ["t", "t", "t", "t"],
            col.PROMPT_VERSION: ["1", "1", "2", None],
            col.LATENCY_MS: [40_000.0, 20_000.0, 700.0, np.nan],
            col.MODEL_LATENCY_MS: [900.0, 1_100.0, np.nan, np.nan],
            col.WAIT_MS: [39_000.0, 18_900.0, np.nan, np.nan],
        }
    )


def test_the_model_time_stands_where_the_log_has_it_else_the_whole_latency():
    assert model_time(_rows()).tolist()[:3] == [900.0, 1_100.0, 700.0]
    assert np.isnan(model_time(_rows()).iloc[3])
    assert fallback_count(_rows()) == 1  # the row with neither time is not counted
    assert waits(_rows(), at_least_ms=250).tolist() == [39_000.0, 18_900.0]


def test_a_frame_without_the_time_columns_falls_back_to_the_latency():
    rows = _rows().drop(columns=[col.MODEL_LATENCY_MS, col.WAIT_MS])
    assert model_time(rows).tolist()[:3] == [40_000.0, 20_000.0, 700.0]
    assert fallback_count(rows) == 3 and waits(rows).empty


def test_the_summary_per_version():
    summary = time_summary(_rows(), KEYS)
    assert list(summary.columns) == [*KEYS, *TIME_STATS]
    first = summary[summary[col.PROMPT_VERSION] == "1"].iloc[0]
    assert first[RUNS] == 2 and first[MODEL_P50] == 1_000.0 and first[WAITED_MAX] == 39_000.0
    assert first[MODEL_P95] == 1_090.0 and first[WAITED_P50] == 28_950.0 and first[WITHOUT_MODEL_TIME] == 0
    second = summary[summary[col.PROMPT_VERSION] == "2"].iloc[0]
    assert second[MODEL_P50] == 700.0 and second[WITHOUT_MODEL_TIME] == 1 and np.isnan(second[WAITED_MAX])
    assert summary[col.PROMPT_VERSION].isna().sum() == 1  # a row without a version is a group of its own


def test_an_empty_log_has_an_empty_summary_with_every_column():
    summary = time_summary(empty_log_frame(), KEYS)
    assert summary.empty and list(summary.columns) == [*KEYS, *TIME_STATS]
