"""The rows of an uploaded table (``uploads.read_table``), checked for their purpose: one batch
run per row (``batch_inputs``), or one completion made elsewhere to ingest per row (``ingest_rows``).
Each refusal lists the rows and what to fix in them, to be shown as is.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd

from hive_review.log import columns as col
from hive_review.missing import is_missing
from hive_review.runs.inputs import MAX_INPUT_CHARS
from hive_review.runs.uploads import UploadError, json_cell
from honeyhive_api.templates import missing_variables

# How many row problems one message lists; the rest are counted.
SHOWN_PROBLEMS: Final = 10

INPUTS_COLUMN: Final = "inputs"  # all inputs as one JSON object, instead of input.<var> columns
PROMPT_TEMPLATE: Final = "prompt_template"
PROMPT: Final = "prompt"
TOKEN_COLUMNS: Final[tuple[str, ...]] = (col.PROMPT_TOKENS, col.COMPLETION_TOKENS, col.TOTAL_TOKENS)
INGEST_REQUIRED: Final[tuple[str, ...]] = (col.COMPLETION, col.MODEL)
INGEST_OPTIONAL: Final[tuple[str, ...]] = (
    INPUTS_COLUMN,
    PROMPT_TEMPLATE,
    PROMPT,
    col.LATENCY_MS,
    *TOKEN_COLUMNS,
    col.TASK,
)

_SEPARATORS: Final = re.compile(r"[\s_\-]+")


@dataclass(frozen=True)
class IngestRow:
    """One completion made elsewhere, ready for ``POST /generations/log``."""

    inputs: dict[str, str]
    completion: str
    model: str
    prompt_template: str | None = None
    prompt: str | None = None
    latency_ms: float | None = None
    usage: dict[str, int] | None = None  # prompt_tokens / completion_tokens / total_tokens given
    task: str | None = None  # the file's own task column, when it has one


# ---------------------------------------------------------------------------------- batch inputs


def _column_key(name: str) -> str:
    """How a column name is compared with a variable: no "input." prefix, case, spaces, _ or -."""
    name = name.strip()
    if name.casefold().startswith(col.INPUT_PREFIX):
        name = name[len(col.INPUT_PREFIX) :]
    return _SEPARATORS.sub("", name).casefold()


def map_columns(columns: Sequence[str], variables: Sequence[str]) -> dict[str, str | None]:
    """Which column holds each variable: exact names first, then names equal but for case, spaces,
    underscores, dashes or an ``input.`` prefix ("Customer Name" → ``customer_name``). A variable
    with no such column, or with several, maps to None for the user to choose."""
    mapping: dict[str, str | None] = {}
    used: set[str] = set()
    for variable in variables:
        if variable in columns:
            mapping[variable] = variable
            used.add(variable)
    for variable in variables:
        if variable in mapping:
            continue
        candidates = [
            column for column in columns if column not in used and _column_key(column) == _column_key(variable)
        ]
        mapping[variable] = candidates[0] if len(candidates) == 1 else None
        if len(candidates) == 1:
            used.add(candidates[0])
    return {variable: mapping[variable] for variable in variables}


def batch_inputs(df: pd.DataFrame, mapping: Mapping[str, str | None], variables: Sequence[str]) -> list[dict[str, str]]:
    """One ``{variable: value}`` per row, or UploadError naming unmapped variables and bad rows."""
    unmapped = [variable for variable in variables if not mapping.get(variable)]
    if unmapped:
        listed = ", ".join(f"'{variable}'" for variable in unmapped)
        plural = "s" if len(unmapped) > 1 else ""
        raise UploadError(
            f"No column is chosen for the variable{plural} {listed}: every run needs a value for each. "
            f"Choose a column for {'them' if plural else 'it'}, or add a column named "
            f"{' and '.join(unmapped)} to the file."
        )
    absent = [str(mapping[variable]) for variable in variables if mapping[variable] not in df.columns]
    if absent:
        raise UploadError(
            f"The file has no column {', '.join(repr(column) for column in absent)}. Choose among its "
            f"columns: {', '.join(map(str, df.columns))}."
        )
    runs: list[dict[str, str]] = []
    problems: list[str] = []
    cells = {variable: df[str(mapping[variable])].tolist() for variable in variables}
    for position in range(len(df)):
        values = {variable: _text(cells[variable][position]) for variable in variables}
        problems += [f"row {position + 1}: empty value for '{name}'" for name in missing_variables(variables, values)]
        problems += [
            f"row {position + 1}: '{name}' is {len(value):,} characters; the limit is {MAX_INPUT_CHARS:,}"
            for name, value in values.items()
            if len(value) > MAX_INPUT_CHARS
        ]
        runs.append(values)
    if problems:
        raise UploadError(
            f"{_listed(problems)}. Fill in or shorten those cells, or delete those rows, and upload the "
            "file again (rows are counted from 1 under the header)."
        )
    return runs


# ------------------------------------------------------------------------------------- ingestion


def ingest_rows(df: pd.DataFrame) -> list[IngestRow]:
    """The completions of an uploaded file, or UploadError naming missing columns and bad rows.

    Inputs come from ``input.<var>`` columns and/or an ``inputs`` column holding a JSON object (the
    columns win when both give a variable). Optional: prompt_template, prompt, latency_ms,
    prompt_tokens, completion_tokens, total_tokens (the sum when only the two parts are given), task.
    """
    found = _find_columns(df.columns, (*INGEST_REQUIRED, *INGEST_OPTIONAL))
    missing = [name for name in INGEST_REQUIRED if name not in found]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise UploadError(
            f"The file has no {' and no '.join(repr(name) for name in missing)} column. Completions to "
            f"ingest need a 'completion' and a 'model' column; this file has: "
            f"{', '.join(map(str, df.columns))}. Rename or add the column{plural} and upload it again."
        )
    input_columns = {
        str(column)[len(col.INPUT_PREFIX) :]: str(column)
        for column in df.columns
        if str(column).casefold().startswith(col.INPUT_PREFIX) and len(str(column)) > len(col.INPUT_PREFIX)
    }
    rows: list[IngestRow] = []
    problems: list[str] = []
    for position, record in enumerate(df.to_dict(orient="records"), start=1):
        cell = {name: _text(record[column]) for name, column in found.items()}
        row_problems: list[str] = []
        for name in INGEST_REQUIRED:
            if not cell[name].strip():
                row_problems.append(f"row {position}: empty {name}")
        inputs = _row_inputs(cell.get(INPUTS_COLUMN, ""), position, row_problems)
        inputs.update(
            {
                variable: _text(record[column])
                for variable, column in input_columns.items()
                # An empty cell (or a JSONL record without that key) gives no value for the variable.
                if _text(record[column]) != ""
            }
        )
        latency = _number(cell.get(col.LATENCY_MS, ""), col.LATENCY_MS, position, row_problems)
        usage = _usage(cell, position, row_problems)
        problems += row_problems
        if row_problems:
            continue
        rows.append(
            IngestRow(
                inputs=inputs,
                completion=cell[col.COMPLETION],
                model=cell[col.MODEL].strip(),
                prompt_template=_optional(cell, PROMPT_TEMPLATE),
                prompt=_optional(cell, PROMPT),
                latency_ms=latency,
                usage=usage,
                task=(_optional(cell, col.TASK) or "").strip() or None,
            )
        )
    if problems:
        raise UploadError(
            f"{_listed(problems)}. Fix those cells, or delete those rows, and upload the file again "
            "(rows are counted from 1 under the header)."
        )
    return rows


def _find_columns(columns: Iterable[object], wanted: Sequence[str]) -> dict[str, str]:
    """Each wanted name → the file's column of that name (exact, else ignoring case and spaces)."""
    names = [str(column) for column in columns]
    found: dict[str, str] = {}
    for name in wanted:
        if name in names:
            found[name] = name
            continue
        loose = [column for column in names if column.strip().casefold() == name]
        if len(loose) == 1:
            found[name] = loose[0]
    return found


def _row_inputs(text: str, position: int, problems: list[str]) -> dict[str, str]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(f"row {position}: '{INPUTS_COLUMN}' is not valid JSON ({exc.msg})")
        return {}
    if not isinstance(value, dict):
        problems.append(f'row {position}: \'{INPUTS_COLUMN}\' must be a JSON object such as {{"tone": "warm"}}')
        return {}
    return {str(key): json_cell(item) for key, item in value.items()}


def _number(text: str, name: str, position: int, problems: list[str]) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        problems.append(f"row {position}: {name} {text!r} is not a number of 0 or more")
        return None
    return value


def _usage(cell: Mapping[str, str], position: int, problems: list[str]) -> dict[str, int] | None:
    usage: dict[str, int] = {}
    for name in TOKEN_COLUMNS:
        value = _number(cell.get(name, ""), name, position, problems)
        if value is None:
            continue
        if value != int(value):
            problems.append(f"row {position}: {name} {cell[name]!r} is not a whole number")
            continue
        usage[name] = int(value)
    if col.TOTAL_TOKENS not in usage and col.PROMPT_TOKENS in usage and col.COMPLETION_TOKENS in usage:
        usage[col.TOTAL_TOKENS] = usage[col.PROMPT_TOKENS] + usage[col.COMPLETION_TOKENS]
    return usage or None


def _optional(cell: Mapping[str, str], name: str) -> str | None:
    value = cell.get(name, "")
    return value if value.strip() else None


def _text(value: object) -> str:
    """A cell as text: read_table gives text already; other frames may hold NaN or numbers."""
    if is_missing(value):
        return ""
    return value if isinstance(value, str) else str(value)


def _listed(problems: Sequence[str]) -> str:
    shown = "; ".join(problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    extra = f"; and {more:,} more" if more > 0 else ""
    return f"{len(problems):,} problem{'s' if len(problems) > 1 else ''} in the file: {shown}{extra}"
