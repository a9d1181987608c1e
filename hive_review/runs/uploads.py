"""Files users upload: batch inputs (one run per row) and completions made elsewhere, to ingest.

Both arrive as CSV or JSONL. ``read_table`` turns the bytes into a table of text cells, refusing
what it cannot read with a message that names the problem and the fix; ``batch_inputs`` and
``ingest_rows`` then check the rows for their purpose. Every message is meant to be shown as is.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Final

import pandas as pd

from hive_review.log import columns as col
from hive_review.runs.inputs import MAX_INPUT_CHARS
from honeyhive_api.templates import missing_variables

# A batch of a few thousand runs is already hours of model time and of reviewing; a bigger file is
# more likely a mistake (a whole export) than a plan, and would make the page parse for long.
MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024
MAX_ROWS: Final = 5_000

EXTENSIONS: Final[tuple[str, ...]] = (".csv", ".jsonl", ".ndjson")
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

_BOM: Final = "\ufeff"
_SEPARATORS: Final = re.compile(r"[\s_\-]+")


class UploadError(ValueError):
    """An uploaded file that cannot be used; the message names the problem and the fix."""


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


# ----------------------------------------------------------------------------------------- reading


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """The rows of an uploaded CSV or JSONL file, every cell as text ("" when empty).

    Checks, in this order: empty file, size, UTF-8, CSV rows with more fields than the header,
    JSONL lines that are not JSON objects, duplicate column names, too many rows, no data rows.
    """
    name = PurePath(filename).name or filename
    if not data.strip().removeprefix(_BOM.encode()).strip():
        raise UploadError(f"'{name}' is empty. Choose the file that holds your rows, one per line.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"'{name}' is {_megabytes(len(data))} ({len(data):,} bytes); the limit is "
            f"{_megabytes(MAX_UPLOAD_BYTES)} ({MAX_UPLOAD_BYTES:,} bytes). Split it into smaller files."
        )
    extension = PurePath(name).suffix.lower()
    if extension not in EXTENSIONS:
        raise UploadError(
            f"'{name}' is neither CSV nor JSONL. Save it as .csv (from a spreadsheet: Save As › CSV UTF-8) "
            "or as .jsonl (one JSON object per line), and upload that."
        )
    text = _utf8_text(data, name)
    header, rows = _csv_rows(text, name) if extension == ".csv" else _jsonl_rows(text, name)
    duplicates = sorted({column for column in header if header.count(column) > 1})
    if duplicates:
        listed = ", ".join(f"'{column}'" for column in duplicates)
        raise UploadError(
            f"'{name}' has more than one column named {listed}. Rename or delete the extra columns, "
            "so that each name appears once."
        )
    if len(rows) > MAX_ROWS:
        raise UploadError(
            f"'{name}' has {len(rows):,} rows; the limit is {MAX_ROWS:,} per file. "
            f"Split it into files of at most {MAX_ROWS:,} rows."
        )
    if not rows:
        raise UploadError(f"'{name}' has a header but no data rows. Add one row per run under the header.")
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    return frame.astype(str)


def _utf8_text(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UploadError(
            f"'{name}' is not UTF-8 text: byte 0x{data[exc.start]:02X} at byte offset {exc.start:,} "
            f"(line {line}) is not valid UTF-8. Save it as UTF-8 (in Excel: Save As › CSV UTF-8; in an "
            "editor: choose the UTF-8 encoding) and upload it again."
        ) from exc
    return text.removeprefix(_BOM)  # the mark Excel's "CSV UTF-8" puts first


def _csv_rows(text: str, name: str) -> tuple[list[str], list[list[str]]]:
    # The csv module, not pandas: it says on which physical line a record starts, even when quoted
    # values span lines, and never turns "NA" or "null" into a missing value.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    records: list[list[str]] = []
    starts: list[int] = []
    try:
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            if any(cell.strip() for cell in record):  # blank lines are not rows
                records.append(record)
                starts.append(start)
    except csv.Error as exc:
        raise UploadError(
            f"'{name}' is not valid CSV from line {start} on ({exc}). A value holding a comma, a quote "
            'or a line break must be in double quotes, with inner quotes doubled ("say ""hi"""). '
            "Fix that line, or save the sheet again as CSV."
        ) from exc
    if not records:
        raise UploadError(f"'{name}' is empty. Choose the file that holds your rows, one per line.")
    header, body = records[0], records[1:]
    for record, start in zip(body, starts[1:], strict=True):
        if len(record) > len(header):
            raise UploadError(
                f"Line {start} of '{name}' has {len(record)} values but the header has {len(header)} "
                'columns. Put a value that holds a comma in double quotes ("a, b"), or remove the extra '
                "value."
            )
    header, body = _without_unnamed_empty_columns(header, body, name)
    width = len(header)
    return header, [record + [""] * (width - len(record)) for record in body]


def _delimiter(text: str) -> str:
    # Spreadsheets in many locales save CSV with semicolons; tabs come from copying cells.
    first_line = text.split("\n", 1)[0]
    counts = {separator: first_line.count(separator) for separator in (",", ";", "\t")}
    best = max(counts, key=lambda separator: counts[separator])
    return best if counts[best] > counts[","] else ","


def _without_unnamed_empty_columns(
    header: list[str], body: list[list[str]], name: str
) -> tuple[list[str], list[list[str]]]:
    """Drop columns with neither a name nor a value (a trailing comma); refuse unnamed ones with values."""
    unnamed = [index for index, column in enumerate(header) if not column.strip()]
    if not unnamed:
        return header, body
    for index in unnamed:
        if any(index < len(record) and record[index].strip() for record in body):
            raise UploadError(
                f"Column {index + 1} of '{name}' has values but no name in the header row. "
                "Give it a name (the variable it holds) or delete it."
            )
    kept = [index for index in range(len(header)) if index not in unnamed]
    return [header[index] for index in kept], [
        [record[index] for index in kept if index < len(record)] for record in body
    ]


def _jsonl_rows(text: str, name: str) -> tuple[list[str], list[list[str]]]:
    objects: list[dict[str, str]] = []
    # split("\n"), not splitlines(): U+2028 and friends may stand unescaped inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line, object_pairs_hook=_refuse_duplicate_keys)
        except _DuplicateKeyError as exc:
            raise UploadError(
                f"Line {number} of '{name}' has the key '{exc.key}' more than once. Keep one of them, "
                "so that each column name appears once."
            ) from exc
        except json.JSONDecodeError as exc:
            raise UploadError(
                f"Line {number} of '{name}' is not valid JSON ({exc.msg}, at character {exc.colno}). "
                'Each line must be one JSON object, such as {"completion": "…", "model": "…"}.'
            ) from exc
        if not isinstance(value, dict):
            raise UploadError(
                f"Line {number} of '{name}' is a JSON {_json_kind(value)}, not an object. Each line must "
                'be one JSON object, such as {"completion": "…", "model": "…"}.'
            )
        objects.append({key: _json_cell(item) for key, item in value.items()})
    header = list(dict.fromkeys(key for record in objects for key in record))
    return header, [[record.get(key, "") for key in header] for record in objects]


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _json_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)  # numbers, booleans, nested objects as JSON text


def _json_kind(value: object) -> str:
    kinds = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return kinds.get(type(value), "null")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


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


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


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
                if not _is_missing(record[column]) and _text(record[column]) != ""
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
    return {str(key): _json_cell(item) for key, item in value.items()}


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
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return value if isinstance(value, str) else str(value)


def _listed(problems: Sequence[str]) -> str:
    shown = "; ".join(problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    extra = f"; and {more:,} more" if more > 0 else ""
    return f"{len(problems):,} problem{'s' if len(problems) > 1 else ''} in the file: {shown}{extra}"
