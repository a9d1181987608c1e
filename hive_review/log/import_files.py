"""Reading a Hive Review export (CSV, JSONL, Parquet, Excel) back, to continue its log.

``read_export`` reads the file into a frame of the log's columns and dtypes with the exact text the
export was given, or raises ``ImportFormatError`` with a message naming the problem and the fix.
The format rules it undoes live in ``spreadsheet_cells``; the checks of columns and values in
``import_checks``. Continuing the log in the database is ``imports.import_log``.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import PurePath
from typing import Final

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl.utils.exceptions import InvalidFileException

from hive_review.log.excel_import import read_excel_sheet
from hive_review.log.frames import TEXT_DTYPE, column_dtype, with_columns
from hive_review.log.import_checks import REEXPORT_FIX, ImportFormatError, conformed
from hive_review.log.spreadsheet_cells import excel_unescaped, restored
from hive_review.text_files import UnreadableTextError, allow_long_csv_fields, as_utf8

__all__ = ["ImportFormatError", "read_export"]

# Text stays text: pandas 2 turns columns named like dates (even "input.created_at") into datetimes
# unless told not to; pandas 3 does not, and deprecates the keyword.
_READ_JSON_OPTIONS: Final[dict[str, object]] = (
    {"dtype": False} if int(pd.__version__.split(".")[0]) >= 3 else {"dtype": False, "convert_dates": False}
)


def read_export(data: bytes, filename: str) -> pd.DataFrame:
    """Read a Hive Review export back, with the log's dtypes and the exact text.

    The format comes from the extension (.csv, .jsonl, .parquet, .xlsx). CSV and JSONL may be
    UTF-8 or UTF-16 (a spreadsheet's "Unicode text"). The quotes the CSV and Excel exports put
    before formula-looking text are removed, Excel's escapes decoded and its part columns joined.
    Log columns the file lacks (other than ``columns.REQUIRED_FOR_IMPORT``) are added empty.
    Raises ``ImportFormatError`` naming the problem and the fix.
    """
    name = PurePath(filename).name or filename
    extension = PurePath(name).suffix.lower()
    readers: dict[str, Callable[[bytes, str], pd.DataFrame]] = {
        ".csv": _read_csv,
        ".jsonl": _read_jsonl,
        ".parquet": _read_parquet,
        ".xlsx": _read_excel,
    }
    reader = readers.get(extension)
    if reader is None:
        raise ImportFormatError(
            f"'{name}' is not a file Hive Review exports: it reads .csv, .jsonl, .parquet and .xlsx. "
            f"{REEXPORT_FIX} in one of these formats."
        )
    kind = extension[1:].upper()
    if extension in (".csv", ".jsonl"):
        data = _utf8(data, name, kind)
    if not data.strip():
        raise ImportFormatError(f"'{name}' is empty. {REEXPORT_FIX}, and choose the downloaded file, not a new one.")
    try:
        frame = reader(data, name)
    except ImportFormatError:
        raise
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ImportFormatError(
            f"'{name}' is not a readable {kind} file ({_first_line(exc)}). "
            f"{REEXPORT_FIX}; if you edited it, save it as UTF-8 {kind}."
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
            f"'{name}' could not be read as {kind} ({_first_line(exc)}). {REEXPORT_FIX}, and keep its file extension."
        ) from exc
    return conformed(frame, name)


def _utf8(data: bytes, name: str, kind: str) -> bytes:
    try:
        return as_utf8(data)
    except UnreadableTextError as exc:
        raise ImportFormatError(
            f"'{name}' {exc.problem}. {REEXPORT_FIX}; if you edited it, save it as UTF-8 {kind}."
        ) from exc


def _read_csv(data: bytes, name: str) -> pd.DataFrame:
    # Every cell as text first; numbers and times are restored per column by import_checks.
    # "utf-8-sig" also reads a CSV that a spreadsheet program saved back with a BOM.
    # pandas 2's C parser cuts a cell at a NUL character; the rare file holding one takes the slow,
    # exact Python parser, which is Python's csv module and its field size limit.
    allow_long_csv_fields()
    frame = pd.read_csv(
        io.BytesIO(data),
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
        engine="python" if b"\x00" in data else "c",
    )
    return _restored_text_columns(frame, restored)


def _read_jsonl(data: bytes, name: str) -> pd.DataFrame:
    try:
        return pd.read_json(io.BytesIO(data), lines=True, precise_float=True, **_READ_JSON_OPTIONS)
    except ValueError as exc:
        line = _bad_json_line(data)
        if line is None:
            raise
        raise ImportFormatError(
            f"Line {line[0]} is not a JSON object ({line[1]}). {REEXPORT_FIX}: each line of a JSONL "
            "export is one row as a JSON object."
        ) from exc


def _read_parquet(data: bytes, name: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    except (pa.ArrowException, TypeError, ValueError):
        # The pandas dtypes the file records do not fit its columns (one was replaced by another
        # tool): read the columns as they are, so that the checks name the one of the wrong type.
        return pq.read_table(io.BytesIO(data)).to_pandas(ignore_metadata=True)


def _read_excel(data: bytes, name: str) -> pd.DataFrame:
    def restored_excel(values: pd.Series) -> pd.Series:
        return restored(excel_unescaped(values))

    return _restored_text_columns(read_excel_sheet(data, name), restored_excel)


def _restored_text_columns(frame: pd.DataFrame, restore: Callable[[pd.Series], pd.Series]) -> pd.DataFrame:
    """``frame`` with ``restore`` applied to the log's text columns (not to numbers or times)."""
    changed = {}
    for name in frame.columns:
        if column_dtype(str(name)) is TEXT_DTYPE:
            values = restore(frame[name])
            if values is not frame[name]:
                changed[name] = values
    return with_columns(frame, changed)


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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
