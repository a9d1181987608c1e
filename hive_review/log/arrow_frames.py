"""The log frame built from Arrow: what the log page loads, fast and with each column in its dtype.

A 100k-row log is read as an Arrow table (``hive_review.log.arrow_read``) and turned into the same
frame ``typed_log_frame`` makes, without a Python object per cell on the way: timestamps are parsed
by Arrow, text stays in Arrow's buffers (the ``str`` dtype of pandas 3 is Arrow-backed, so the
frame shares them), and the inputs JSON is parsed once per distinct value by Arrow's JSON reader.
Anything this fast path does not cover (a JSON value that is not a flat object of strings, a time
without a zone) goes through the general path, ``python_log_frame``, which gives the same frame.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from hive_review.log import columns as col
from hive_review.log.frames import (
    NUMBER_COLUMNS,
    TEXT_DTYPE,
    TIMESTAMP_COLUMNS,
    WHOLE_NUMBER_COLUMNS,
    WHOLE_NUMBER_DTYPE,
    typed_log_frame,
)

_STRING_TYPES = (pa.string(), pa.large_string(), pa.null())


def arrow_type(name: str) -> pa.DataType:
    """The Arrow type a log column is read as (timestamps are ISO text in the database)."""
    if name in WHOLE_NUMBER_COLUMNS:
        return pa.int64()
    if name in NUMBER_COLUMNS:
        return pa.float64()
    return pa.string()


def _types_mapper(arrow: pa.DataType) -> Any:
    if arrow in (pa.string(), pa.large_string()) and isinstance(TEXT_DTYPE, pd.api.extensions.ExtensionDtype):
        return TEXT_DTYPE  # pandas 3: Arrow-backed, shares the table's buffers
    if arrow == pa.int64():
        return WHOLE_NUMBER_DTYPE
    return None


def _as(values: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray:
    """``values`` as ``target``; a column that is all NULL may have been read as another type."""
    if values.type == target:
        return values
    if values.null_count == len(values):
        return pa.chunked_array([pa.nulls(len(values), target)], target)
    return values.cast(target)  # raises on a lossy cast (a float in an integer column): general path


def _timestamps(values: pa.ChunkedArray) -> pa.ChunkedArray:
    # Arrow parses ISO 8601 with a zone offset ~10x faster than pandas; a time without a zone
    # (allowed in imports, read as UTC) makes it raise, and the general path parses it.
    return _as(values, pa.string()).cast(pa.timestamp("us", tz="UTC"))


def input_columns(inputs_json: pa.ChunkedArray) -> dict[str, pa.Array] | None:
    """The ``input.<var>`` columns of a log, parsed from its ``inputs_json`` column by Arrow, or
    ``None`` when a value is not a JSON object of strings (then the general path parses them).

    Each distinct JSON text is parsed once: rows of one batch or one playground session repeat
    their inputs. The distinct texts are concatenated as they lie in memory (a JSON object needs
    no separator) and read as one document."""
    text = _as(inputs_json, pa.string()).combine_chunks()
    encoded = text.dictionary_encode()  # NULL stays a NULL index: no inputs, as "{}" would be
    distinct = encoded.dictionary
    if len(distinct) == 0:
        return {}
    distinct = pc.if_else(pc.equal(distinct, ""), pa.scalar("{}"), distinct)
    _, offsets, data = distinct.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int32)[distinct.offset : distinct.offset + len(distinct) + 1]
    document = data.slice(int(bounds[0]), int(bounds[-1] - bounds[0]))
    try:
        parsed = pa_json.read_json(
            pa.BufferReader(document),
            # One block: the objects are not separated by newlines, so the reader cannot split them.
            read_options=pa_json.ReadOptions(use_threads=False, block_size=max(document.size + 1, 1 << 16)),
            parse_options=pa_json.ParseOptions(newlines_in_values=True),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if parsed.num_rows != len(distinct) or any(field.type not in _STRING_TYPES for field in parsed.schema):
        return None  # numbers, lists, objects or a value that is not an object: the general path
    indices = encoded.indices
    return {
        col.input_column(name): _as(parsed.column(name), pa.string()).combine_chunks().take(indices)
        for name in parsed.column_names
    }


def log_frame_from_arrow(table: pa.Table) -> pd.DataFrame:
    """The typed log frame of log rows read as Arrow (every column of ``col.LOG_COLUMNS``)."""
    try:
        return _fast_frame(table)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return python_log_frame(_plain_frame(table))


def _fast_frame(table: pa.Table) -> pd.DataFrame:
    inputs = input_columns(table.column(col.INPUTS_JSON))
    if inputs is None:
        raise pa.ArrowInvalid("inputs_json needs the general path")
    columns: dict[str, pa.ChunkedArray | pa.Array] = {}
    for name in col.LOG_COLUMNS:
        values = table.column(name)
        columns[name] = _timestamps(values) if name in TIMESTAMP_COLUMNS else _as(values, arrow_type(name))
    columns.update(inputs)
    return pa.table(columns).to_pandas(types_mapper=_types_mapper)


def _plain_frame(table: pa.Table) -> pd.DataFrame:
    """The log columns as they are (timestamps as text), for the general path: each in its Arrow
    type where it casts, else as the Python values the database gave."""
    castable: dict[str, pa.ChunkedArray] = {}
    others: dict[str, pd.Series] = {}
    for name in col.LOG_COLUMNS:
        values = table.column(name)
        try:
            castable[name] = _as(values, arrow_type(name))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            others[name] = pd.Series(values.to_pylist(), dtype=object)
    frame = pa.table(castable).to_pandas(types_mapper=_types_mapper) if castable else pd.DataFrame()
    for name, series in others.items():
        frame[name] = series.set_axis(frame.index) if len(frame.columns) else series
    return frame[list(col.LOG_COLUMNS)]


def python_log_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The general path: each ``inputs_json`` parsed by Python, each column typed by pandas."""
    if frame.empty:
        return typed_log_frame(frame[list(col.LOG_COLUMNS)])
    inputs = pd.DataFrame.from_records([_loads(text) for text in frame[col.INPUTS_JSON]], index=frame.index).rename(
        columns=col.input_column
    )
    return typed_log_frame(pd.concat([frame[list(col.LOG_COLUMNS)], inputs], axis=1))


def _loads(text: Any) -> dict[str, Any]:
    if text is None or (isinstance(text, float) and np.isnan(text)) or text == "":
        return {}
    return json.loads(text)
