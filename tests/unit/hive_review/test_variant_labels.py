"""The log's summaries name each variant as the Numbers page does: its prompt name and its version."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hive_review.compare.variant_numbers import variant_numbers
from hive_review.log import columns as col
from hive_review.log.filters import SUMMARY_KEYS, variant_summary
from hive_review.log.frames import column_dtype, empty_log_frame
from hive_review.log.variants import VARIANT, variant_label, variant_labels


def _log(rows: list[dict]) -> pd.DataFrame:
    frame = empty_log_frame()
    built = pd.DataFrame({name: [row.get(name) for row in rows] for name in frame.columns})
    return built.astype({name: column_dtype(name) for name in built.columns})


ROWS = [
    {col.TASK: "Email", col.PROMPT_VERSION: "2", col.PROMPT_NAME: "email-writer-v2-concise", col.RATING: 4},
    {col.TASK: "Email", col.PROMPT_VERSION: "2", col.PROMPT_NAME: "email-writer-v2-concise", col.RATING: 5},
    {col.TASK: "Email", col.PROMPT_VERSION: "2", col.PROMPT_NAME: "renamed-later"},  # most rows name it otherwise
    {col.TASK: "Email", col.PROMPT_VERSION: "1", col.PROMPT_NAME: "email-writer-v1", col.THUMBS: "up"},
    {col.TASK: "Email", col.PROMPT_VERSION: "v7", col.PROMPT_NAME: None},  # ingested: a version, no name
    {col.TASK: "Email", col.PROMPT_VERSION: None, col.PROMPT_NAME: None},
    {col.TASK: "Email", col.PROMPT_VERSION: "logged", col.PROMPT_NAME: None},  # ingested in the task API
    {col.TASK: "Other", col.PROMPT_VERSION: "1", col.PROMPT_NAME: "other-v1"},  # the same version, another task
]


def test_each_row_is_named_by_its_variant_as_numbers_names_it() -> None:
    log = _log(ROWS)
    assert variant_labels(log).tolist() == [
        "email-writer-v2-concise (v2)",
        "email-writer-v2-concise (v2)",
        "email-writer-v2-concise (v2)",
        "email-writer-v1 (v1)",
        "v7",  # not "vv7"
        "no version",
        "logged",  # not "vlogged"
        "other-v1 (v1)",
    ]
    email = log[log[col.TASK] == "Email"]
    assert {numbers.label for numbers in variant_numbers(email)} == set(variant_labels(email))


def test_the_summary_is_keyed_by_task_and_variant_with_whole_counts() -> None:
    summary = variant_summary(_log(ROWS))
    assert SUMMARY_KEYS == (col.TASK, VARIANT)
    assert [(row.task, row.variant) for row in summary.itertuples()] == [
        ("Email", "email-writer-v1 (v1)"),
        ("Email", "email-writer-v2-concise (v2)"),
        ("Email", "logged"),
        ("Email", "no version"),
        ("Email", "v7"),
        ("Other", "other-v1 (v1)"),
    ]
    assert summary["count"].tolist() == [1, 3, 1, 1, 1, 1] and summary["count"].dtype == np.int64
    assert summary.loc[1, "mean_rating"] == 4.5


def test_a_label_without_a_name_or_version() -> None:
    assert variant_label("email-writer-v2", "2") == "email-writer-v2 (v2)"
    assert variant_label("", "") == "no version"
    assert variant_label("", "b0fa379002") == "b0fa379002"  # a configuration's id is not made "vb0fa379002"
    assert variant_labels(empty_log_frame()).empty
