"""The log as a DataFrame: each column's dtype, the empty log, and typing a frame read from a
database or a file. Every reader of the log (store, filters, exports, imports) takes them from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import numpy as np
import pandas as pd

from hive_review.log import columns as col

# The dtype pandas itself gives text (``str`` on pandas 3, ``object`` on 2.x): frames built here
# then concatenate with frames pandas reads from SQL, CSV or Parquet without turning into ``object``.
TEXT_DTYPE: Final = pd.Series(["text"]).dtype
# Timestamps are UTC; microseconds is what Python datetimes, SQLite and ISO strings carry.
TIMESTAMP_DTYPE: Final = pd.DatetimeTZDtype(unit="us", tz="UTC")
WHOLE_NUMBER_DTYPE: Final = pd.Int64Dtype()  # nullable: a row may have no tokens or no stars yet
NUMBER_DTYPE: Final = np.dtype("float64")

TIMESTAMP_COLUMNS: Final[tuple[str, ...]] = (col.TIMESTAMP, col.RATED_AT)
WHOLE_NUMBER_COLUMNS: Final[tuple[str, ...]] = (
    col.PROMPT_TOKENS,
    col.COMPLETION_TOKENS,
    col.TOTAL_TOKENS,
    col.RATING,
    col.RUBRIC_VERSION,
)
NUMBER_COLUMNS: Final[tuple[str, ...]] = (
    col.LATENCY_MS,
    col.MODEL_LATENCY_MS,
    col.FIRST_TOKEN_MS,
    col.WAIT_MS,
    col.COST,
)


def column_dtype(name: str) -> pd.api.extensions.ExtensionDtype | np.dtype:
    """The dtype of a log column; ``input.<var>`` and unknown columns are text."""
    if name in TIMESTAMP_COLUMNS:
        return TIMESTAMP_DTYPE
    if name in WHOLE_NUMBER_COLUMNS:
        return WHOLE_NUMBER_DTYPE
    if name in NUMBER_COLUMNS:
        return NUMBER_DTYPE
    return TEXT_DTYPE


def log_column_names(input_variables: Iterable[str] = ()) -> list[str]:
    """The fixed log columns, then one ``input.<var>`` column per variable."""
    return [*col.LOG_COLUMNS, *(col.input_column(name) for name in input_variables)]


def empty_log_frame(input_variables: Iterable[str] = ()) -> pd.DataFrame:
    """A log with no rows but every column, each with its dtype."""
    return pd.DataFrame({name: pd.Series(dtype=column_dtype(name)) for name in log_column_names(input_variables)})


def as_float(values: pd.Series) -> pd.Series:
    """A column as float64 numbers, NaN where a cell is missing or not a number: what sums, means
    and quantiles take, whatever dtype the column was read with."""
    return pd.to_numeric(values, errors="coerce").astype("float64")


def with_columns(df: pd.DataFrame, changed: Mapping[str, pd.Series]) -> pd.DataFrame:
    """``df`` with some columns replaced, without copying the others (nor touching ``df``): the
    exports and the import rewrite a few text columns of frames of 100k rows."""
    if not changed:
        return df
    out = df.copy(deep=False)
    for name, values in changed.items():
        out[name] = values
    return out


def typed_log_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Each column in its log dtype (the log page, exports and filters rely on it)."""
    typed: dict[str, pd.Series] = {}
    for name in frame.columns:
        dtype = column_dtype(name)
        values = frame[name]
        if isinstance(dtype, pd.DatetimeTZDtype):
            typed[name] = pd.to_datetime(values, utc=True, format="ISO8601").astype(dtype)
        elif isinstance(dtype, pd.Int64Dtype):
            typed[name] = pd.to_numeric(values).astype(dtype)
        elif dtype == NUMBER_DTYPE:
            typed[name] = pd.to_numeric(values).astype(NUMBER_DTYPE)
        else:
            typed[name] = values.astype(dtype)
    return pd.DataFrame(typed, index=frame.index)
