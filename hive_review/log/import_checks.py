"""Checking a file read for an import against the log: the columns it must have, and each value of
the kind its column holds. Every problem becomes one message naming the column, the first rows and
the fix, shown on the page as it is (``import_files.read_export`` reads the file first).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Final

import numpy as np
import pandas as pd

from hive_review.log import columns as col
from hive_review.log.filters import STAR_VALUES
from hive_review.log.frames import (
    NUMBER_DTYPE,
    TEXT_DTYPE,
    TIMESTAMP_DTYPE,
    WHOLE_NUMBER_DTYPE,
    as_float,
    column_dtype,
)
from hive_review.missing import is_missing

REEXPORT_FIX: Final = "Export it again from Hive Review's Log page"
# How many offending rows one problem lists; the rest are counted.
_SHOWN_ROWS: Final = 5
# What a column must hold instead of a structure: text columns, and the others.
_STRUCTURED_FIX: Final[dict[bool, str]] = {
    True: "text, not a list, a mapping or bytes (write the text itself in the cell)",
    False: "single values, not a list, a mapping or bytes (write one value in the cell)",
}
# What pandas infers for a column of scalars only: such a column is not checked cell by cell.
_SCALAR_KINDS: Final = frozenset(
    {"empty", "string", "integer", "floating", "mixed-integer-float", "boolean", "datetime", "date", "decimal"}
)


class ImportFormatError(ValueError):
    """A file that is not a Hive Review export this version can continue; the message says why and how."""


def missing_columns_error(name: str, columns: Iterable[str]) -> ImportFormatError | None:
    """The refusal of a file whose header lacks a column an import needs; None when it has them all."""
    present = set(columns)
    missing = [column for column in col.REQUIRED_FOR_IMPORT if column not in present]
    if not missing:
        return None
    # Each missing column named once: a name read twice reads as a second problem.
    plural = len(missing) > 1
    return ImportFormatError(
        f"'{name}' lacks the column{'s' if plural else ''} {', '.join(missing)}, which Hive Review needs to "
        f"continue a log. {REEXPORT_FIX}, or add {'them' if plural else 'it'} to the file."
    )


def conformed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` as a log: every log column in its dtype (absent ones empty), extra columns as text
    after them. Raises ImportFormatError naming every column with values of the wrong kind."""
    frame = frame.reset_index(drop=True)
    frame.columns = [str(column) for column in frame.columns]
    error = missing_columns_error(name, frame.columns)
    if error:
        raise error
    problems: list[str] = []
    typed = {column: _typed(column, frame[column], problems) for column in frame.columns}
    _check_text_columns(typed, problems)
    if problems:
        raise ImportFormatError(
            f"'{name}' has values of the wrong kind: {'; '.join(problems)}. {REEXPORT_FIX}, or fix "
            "those cells (rows are counted from 1, below the header)."
        )
    index = pd.RangeIndex(len(frame))
    for column in col.LOG_COLUMNS:
        if column not in typed:
            typed[column] = pd.Series(index=index, dtype=column_dtype(column))  # all missing
    ordered = [*col.LOG_COLUMNS, *(column for column in frame.columns if column not in col.LOG_COLUMNS)]
    return pd.DataFrame({column: typed[column] for column in ordered}, index=index)


def _typed(column: str, values: pd.Series, problems: list[str]) -> pd.Series:
    # A list, a mapping or bytes (Parquet and JSONL can hold them) fits no log column: such cells
    # are reported and then left out, so that the conversions below see only scalars.
    structured = _structured(values)
    dtype = column_dtype(column)
    if structured.any():
        _report(problems, column, values, structured, _STRUCTURED_FIX[dtype is TEXT_DTYPE])
        values = values.astype(object).where(~structured, None)
    if dtype is TIMESTAMP_DTYPE:
        return _timestamps(column, values, problems)
    if dtype is WHOLE_NUMBER_DTYPE:
        return _whole_numbers(column, values, problems)
    if dtype is NUMBER_DTYPE:
        return _numbers(column, values, problems)
    return _text(values)


def _structured(values: pd.Series) -> np.ndarray:
    if values.dtype != object or pd.api.types.infer_dtype(values, skipna=True) in _SCALAR_KINDS:
        return np.zeros(len(values), dtype=bool)
    return np.fromiter(
        (not pd.api.types.is_scalar(value) or isinstance(value, bytes | bytearray) for value in values),
        dtype=bool,
        count=len(values),
    )


def _timestamps(column: str, values: pd.Series, problems: list[str]) -> pd.Series:
    # Naive times (from Excel) are UTC, as the export wrote them. A number is no time here: pandas
    # would read it as seconds since 1970, which no export writes.
    values = _blank_as_missing(values)
    numbers = _numeric_cells(values)
    candidates = values.astype(object).where(~numbers, None) if numbers.any() else values
    parsed = pd.to_datetime(candidates, utc=True, format="ISO8601", errors="coerce")
    _report(problems, column, values, values.notna().to_numpy() & parsed.isna().to_numpy(), "ISO 8601 times")
    return parsed.astype(TIMESTAMP_DTYPE)


def _numeric_cells(values: pd.Series) -> np.ndarray:
    if values.dtype == object:
        return np.fromiter(
            (isinstance(value, int | float | np.number) and not is_missing(value) for value in values),
            dtype=bool,
            count=len(values),
        )
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.notna().to_numpy()
    return np.zeros(len(values), dtype=bool)


def _whole_numbers(column: str, values: pd.Series, problems: list[str]) -> pd.Series:
    values = _blank_as_missing(values)
    numbers = as_float(values)
    wrong = values.notna() & (numbers.isna() | (numbers % 1 != 0))
    if column == col.RATING:
        wrong |= numbers.notna() & ~numbers.isin(STAR_VALUES)
        what = "whole numbers from 1 to 5"
    else:
        wrong |= numbers < 0
        what = "whole numbers of 0 or more"
    if _report(problems, column, values, wrong, what):
        return pd.Series(pd.NA, index=values.index, dtype=WHOLE_NUMBER_DTYPE)
    return numbers.astype(WHOLE_NUMBER_DTYPE)


def _numbers(column: str, values: pd.Series, problems: list[str]) -> pd.Series:
    values = _blank_as_missing(values)
    numbers = pd.to_numeric(values, errors="coerce").astype(NUMBER_DTYPE)
    _report(problems, column, values, values.notna() & numbers.isna(), "numbers")
    return numbers


def _blank(values: pd.Series) -> np.ndarray:
    """Missing, or text of only whitespace (a hand-made JSONL may write "" for nothing)."""
    missing = values.isna().to_numpy()
    try:
        empty = values.str.strip().eq("").to_numpy(dtype=bool, na_value=False)
    except AttributeError:  # no text in the column at all
        return missing
    return missing | empty


def _blank_as_missing(values: pd.Series) -> pd.Series:
    blank = _blank(values)
    if not blank.any():
        return values
    return values.astype(object).where(~blank, None)


def _text(values: pd.Series) -> pd.Series:
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        # Excel or a hand-edited JSONL may hold a number where the log holds text ("2" as 2).
        values = values.map(_as_text)
    return values.astype(TEXT_DTYPE)


def _as_text(value: object) -> object:
    if isinstance(value, str) or is_missing(value):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps every number as a float: a typed "2" is 2.0
    return str(value)


def _check_text_columns(typed: dict[str, pd.Series], problems: list[str]) -> None:
    generation_ids = typed[col.GENERATION_ID]
    _report(problems, col.GENERATION_ID, generation_ids, _blank(generation_ids), "an id on every row")
    inputs = typed[col.INPUTS_JSON]
    not_object = np.array([not _is_json_object(value) for value in inputs], dtype=bool)
    _report(problems, col.INPUTS_JSON, inputs, not_object, 'a JSON object such as {"tone": "warm"}')
    if col.THUMBS in typed:
        thumbs = typed[col.THUMBS]
        wrong = ~_blank(thumbs) & ~thumbs.isin(col.THUMBS_VALUES).to_numpy(dtype=bool, na_value=False)
        _report(problems, col.THUMBS, thumbs, wrong, '"up", "down" or nothing')


def _is_json_object(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return isinstance(json.loads(value), dict)
    except json.JSONDecodeError:
        return False


def _report(problems: list[str], column: str, values: pd.Series, wrong: pd.Series | np.ndarray, what: str) -> bool:
    """Add a sentence naming the column, what it must hold and the first offending rows."""
    positions = np.flatnonzero(np.asarray(wrong, dtype=bool))
    if positions.size == 0:
        return False
    shown = ", ".join(str(position + 1) for position in positions[:_SHOWN_ROWS])
    more = f" and {positions.size - _SHOWN_ROWS:,} more" if positions.size > _SHOWN_ROWS else ""
    problems.append(
        f"column '{column}' must hold {what}, but row{'s' if positions.size > 1 else ''} {shown}{more} "
        f"do{'' if positions.size > 1 else 'es'} not (row {positions[0] + 1}: "
        f"{_example(values.iloc[positions[0]])})"
    )
    return True


def _example(value: object) -> str:
    if is_missing(value):
        return "empty"
    if isinstance(value, str):
        return repr(value[:40])
    kind = {list: "a list", tuple: "a list", np.ndarray: "a list", dict: "a mapping"}.get(type(value))
    if kind is None and isinstance(value, bytes | bytearray):
        kind = "bytes"
    text = repr(str(value.tolist() if isinstance(value, np.ndarray) else value)[:40])
    return f"{kind} {text}" if kind else text
