"""Filters and per-version numbers of the session log (hive_review/log_view.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from hive_review.log import columns as col
from hive_review.log.filters import SUMMARY_KEYS, SUMMARY_STATS, LogFilter, apply_filter, variant_summary
from hive_review.log.frames import TEXT_DTYPE, column_dtype, empty_log_frame


def make_log(rows: list[dict[str, object]], variables: tuple[str, ...] = ("tone",)) -> pd.DataFrame:
    """A log frame with the real dtypes; cells not given are missing."""
    frame = empty_log_frame(variables)
    data = {name: [row.get(name) for row in rows] for name in frame.columns}
    built = pd.DataFrame(data)
    return built.astype({name: column_dtype(name) for name in built.columns})


ROWS = [
    {
        col.GENERATION_ID: "g1",
        col.TASK: "support",
        col.PROMPT_VERSION: "v1",
        col.THUMBS: "up",
        col.RATING: 5,
        col.COMPLETION: "Hello there, friend",
        col.COMMENT: "Warm and short",
        col.INPUTS_JSON: json.dumps({"tone": 'say "hi"'}),
        "input.tone": 'say "hi"',
        col.LATENCY_MS: 100.0,
        col.TOTAL_TOKENS: 10,
        col.COST: 0.5,
    },
    {
        col.GENERATION_ID: "g2",
        col.TASK: "support",
        col.PROMPT_VERSION: "v1",
        col.THUMBS: "down",
        col.RATING: 2,
        col.COMPLETION: "مرحبا بك 🐝",
        col.INPUTS_JSON: json.dumps({"tone": "formal"}),
        "input.tone": "formal",
        col.LATENCY_MS: 300.0,
        col.TOTAL_TOKENS: 30,
        col.COST: 0.25,
    },
    {
        col.GENERATION_ID: "g3",
        col.TASK: "support",
        col.PROMPT_VERSION: "v2",
        col.THUMBS: None,
        col.RATING: None,
        col.COMPLETION: "Nothing to see",
        col.INPUTS_JSON: json.dumps({"tone": "Ünïcode"}),
        "input.tone": "Ünïcode",
        col.LATENCY_MS: 200.0,
    },
    {
        col.GENERATION_ID: "g4",
        col.TASK: "sales",
        col.PROMPT_VERSION: "v1",
        col.THUMBS: "",
        col.RATING: 4,
        col.COMPLETION: "BUY NOW",
        col.COMMENT: "Too pushy",
        col.INPUTS_JSON: json.dumps({"tone": "loud"}),
        "input.tone": "loud",
    },
]


def ids(frame: pd.DataFrame) -> list[str]:
    return list(frame[col.GENERATION_ID])


def test_empty_log_frame_has_every_column_with_its_dtype() -> None:
    frame = empty_log_frame(["tone", "topic"])
    assert list(frame.columns) == [*col.LOG_COLUMNS, "input.tone", "input.topic"]
    assert len(frame) == 0
    assert str(frame[col.TIMESTAMP].dtype) == "datetime64[us, UTC]"
    assert str(frame[col.RATED_AT].dtype) == "datetime64[us, UTC]"
    assert frame[col.RATING].dtype == pd.Int64Dtype()
    assert frame[col.TOTAL_TOKENS].dtype == pd.Int64Dtype()
    assert frame[col.LATENCY_MS].dtype == np.float64
    assert frame[col.COST].dtype == np.float64
    assert frame[col.COMPLETION].dtype == TEXT_DTYPE
    assert frame["input.topic"].dtype == TEXT_DTYPE


def test_empty_filter_returns_the_frame_itself() -> None:
    log = make_log(ROWS)
    assert apply_filter(log, LogFilter()) is log


def test_filter_by_task_and_version() -> None:
    log = make_log(ROWS)
    assert ids(apply_filter(log, LogFilter(tasks=("support",)))) == ["g1", "g2", "g3"]
    assert ids(apply_filter(log, LogFilter(tasks=("support",), versions=("v1",)))) == ["g1", "g2"]
    assert ids(apply_filter(log, LogFilter(versions=("v9",)))) == []


def test_filter_by_thumbs_counts_missing_and_empty_as_unrated() -> None:
    log = make_log(ROWS)
    assert ids(apply_filter(log, LogFilter(thumbs=("up",)))) == ["g1"]
    assert ids(apply_filter(log, LogFilter(thumbs=("unrated",)))) == ["g3", "g4"]
    assert ids(apply_filter(log, LogFilter(thumbs=("down", "unrated")))) == ["g2", "g3", "g4"]


def test_filter_by_stars_and_unrated() -> None:
    log = make_log(ROWS)
    assert ids(apply_filter(log, LogFilter(ratings=(4, 5)))) == ["g1", "g4"]
    assert ids(apply_filter(log, LogFilter(include_unrated=True))) == ["g3"]
    assert ids(apply_filter(log, LogFilter(ratings=(2,), include_unrated=True))) == ["g2", "g3"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello THERE", ["g1"]),  # completion, any case
        ("too PUSHY", ["g4"]),  # comment
        ('say "hi"', ["g1"]),  # an input with quotes, escaped inside inputs_json
        ("ünïcode", ["g3"]),  # non-ASCII with case
        ("🐝", ["g2"]),
        ("مرحبا", ["g2"]),
        ("(", []),  # a plain substring, not a pattern
    ],
)
def test_text_search_is_a_case_insensitive_substring(text: str, expected: list[str]) -> None:
    assert ids(apply_filter(make_log(ROWS), LogFilter(text=text))) == expected


def test_all_given_fields_must_match() -> None:
    log = make_log(ROWS)
    chosen = LogFilter(tasks=("support",), thumbs=("up", "down"), ratings=(2, 3), text="🐝")
    assert ids(apply_filter(log, chosen)) == ["g2"]


def test_filter_works_on_object_columns_as_pandas_2_builds_them() -> None:
    log = make_log(ROWS)
    as_objects = log.astype({name: object for name in log.columns if log[name].dtype == TEXT_DTYPE})
    chosen = LogFilter(thumbs=("unrated",), text="NOTHING")
    assert ids(apply_filter(as_objects, chosen)) == ["g3"]


def test_filter_rejects_choices_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="thumbs choice"):
        LogFilter(thumbs=("meh",))
    with pytest.raises(ValueError, match="include_unrated"):
        LogFilter(ratings=(6,))


def test_a_frame_without_a_log_column_is_named() -> None:
    log = make_log(ROWS).drop(columns=[col.THUMBS])
    with pytest.raises(ValueError, match="no 'thumbs' column"):
        apply_filter(log, LogFilter(thumbs=("up",)))


def test_variant_summary_numbers() -> None:
    summary = variant_summary(make_log(ROWS))
    assert list(summary.columns) == [*SUMMARY_KEYS, *SUMMARY_STATS]
    assert [(row.task, row.variant) for row in summary.itertuples()] == [
        ("sales", "v1"),
        ("support", "v1"),
        ("support", "v2"),
    ]
    support_v1 = summary.iloc[1]
    assert support_v1["count"] == 2
    assert support_v1["rated"] == 2
    assert support_v1["thumbs_up_rate"] == 0.5
    assert support_v1["mean_rating"] == 3.5
    assert support_v1["p50_latency_ms"] == 200.0
    assert support_v1["p95_latency_ms"] == pytest.approx(np.percentile([100.0, 300.0], 95))
    assert support_v1["mean_total_tokens"] == 20.0
    assert support_v1["total_cost"] == 0.75
    support_v2 = summary.iloc[2]
    assert support_v2["rated"] == 0
    assert math.isnan(support_v2["thumbs_up_rate"])  # no thumb given: no rate, not 0 %
    assert math.isnan(support_v2["total_cost"])  # no cost known: not $0
    sales = summary.iloc[0]
    assert sales["rated"] == 1  # stars without a thumb count as rated
    assert math.isnan(sales["thumbs_up_rate"])


def test_variant_summary_of_an_empty_log_has_the_columns_and_no_rows() -> None:
    summary = variant_summary(empty_log_frame())
    assert list(summary.columns) == [*SUMMARY_KEYS, *SUMMARY_STATS]
    assert len(summary) == 0
    assert summary["count"].dtype == np.int64
    assert summary["mean_rating"].dtype == np.float64


def big_log(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    words = np.array(["alpha", "beta", "gamma", "delta", "🐝", "مرحبا", "needle"])
    completion = pd.Series(words[rng.integers(0, len(words), rows)]).str.cat(
        [pd.Series(words[rng.integers(0, len(words), rows)])] * 20, sep=" "
    )
    frame = pd.DataFrame(
        {
            col.GENERATION_ID: [f"g{i}" for i in range(rows)],
            col.TASK: rng.choice(["support", "sales"], rows),
            col.PROMPT_VERSION: rng.choice(["v1", "v2", "v3"], rows),
            col.THUMBS: rng.choice(["up", "down", None], rows),
            col.RATING: pd.array(rng.choice([1, 2, 3, 4, 5, None], rows), dtype="Int64"),
            col.COMPLETION: completion,
            col.COMMENT: rng.choice(["fine", "Needle in comment", None], rows),
            col.INPUTS_JSON: '{"tone": "warm"}',
            col.LATENCY_MS: rng.gamma(2.0, 300.0, rows),
            col.TOTAL_TOKENS: rng.integers(10, 900, rows),
            col.COST: rng.random(rows),
        }
    )
    empty = empty_log_frame()
    for name in empty.columns:
        if name not in frame.columns:
            frame[name] = None
    return frame[list(empty.columns)].astype({name: column_dtype(name) for name in empty.columns})


def test_filter_and_summary_work_on_100k_rows() -> None:
    # Correctness at size only; the speed is measured in bench/log_page_rerun.py, not asserted here.
    log = big_log(100_000)
    shown = apply_filter(log, LogFilter(tasks=("support",), thumbs=("up", "unrated"), text="NEEDLE"))
    summary = variant_summary(shown)
    assert 0 < len(shown) < len(log)
    assert summary["count"].sum() == len(shown)
