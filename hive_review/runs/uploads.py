"""Files users upload: batch inputs (one run per row) and completions made elsewhere, to ingest.

Both arrive as CSV or JSONL, in UTF-8 or UTF-16. ``read_table`` turns the bytes into a table of
text cells, refusing what it cannot read with a message that names the problem and the fix;
``upload_rows`` then checks the rows for their purpose. Every message is meant to be shown as is.

Limits: a file holds at most ``MAX_UPLOAD_BYTES`` and ``MAX_ROWS``; a cell may be as long as the
file, in CSV as in JSONL (an ingested completion may be long). A batch input, which is sent to the
model, holds at most ``inputs.MAX_INPUT_CHARS`` characters, checked by ``upload_rows.batch_inputs``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import PurePath
from typing import Final

import pandas as pd

from hive_review.text_files import UnreadableTextError, allow_long_csv_fields, as_utf8

# A batch of a few thousand runs is already hours of model time and of reviewing; a bigger file is
# more likely a mistake (a whole export) than a plan, and would make the page parse for long.
MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024
MAX_ROWS: Final = 5_000

EXTENSIONS: Final[tuple[str, ...]] = (".csv", ".jsonl", ".ndjson")
_BOM: Final = "\ufeff"


class UploadError(ValueError):
    """An uploaded file that cannot be used; the message names the problem and the fix."""


# ----------------------------------------------------------------------------------------- reading


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """The rows of an uploaded CSV or JSONL file, every cell as text ("" when empty).

    Checks, in this order: empty file, size, UTF-8 (or UTF-16), CSV rows with more fields than the
    header, JSONL lines that are not JSON objects, duplicate column names, too many rows, no data rows.
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
    text = _decoded_text(data, name)
    if not text.strip():
        raise UploadError(f"'{name}' is empty. Choose the file that holds your rows, one per line.")
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


def _decoded_text(data: bytes, name: str) -> str:
    try:
        data = as_utf8(data)  # "Unicode text" from Windows tools, with or without a byte-order mark
    except UnreadableTextError as exc:
        raise UploadError(
            f"'{name}' {exc.problem}. Save it as UTF-8 (in Excel: Save As › CSV UTF-8; in an editor: "
            "choose the UTF-8 encoding) and upload it again."
        ) from exc
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
    allow_long_csv_fields()  # a long completion is refused neither in CSV nor in JSONL
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
        objects.append({key: json_cell(item) for key, item in value.items()})
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


def json_cell(value: object) -> str:
    """A JSON value as a cell: text as it is, nothing as "", anything else as its JSON."""
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
