"""Reading the sheet of an Excel export, with its size checked before it is parsed.

openpyxl parses about 60,000 cells a second, and the page waits for it: a 658 KB file of four
million cells kept it busy for 102 s before being refused for lacking the log's columns. So:

1. the sheet's XML is scanned as bytes first (tens of MB a second): the used range it declares, and
   the cells it really holds, counted until ``EXCEL_IMPORT_CELLS`` is passed. openpyxl cannot be
   asked first: without a declared range its streaming reader reads the whole sheet to size it;
2. the header row is checked for the columns an import needs before any other row is read;
3. rows are read with openpyxl's streaming reader, stopping once rows × columns pass the limit
   (openpyxl fills every row to the header's width).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator, Sequence
from typing import Final

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.xml.functions import fromstring

from hive_review.log.import_checks import REEXPORT_FIX, ImportFormatError, missing_columns_error
from hive_review.log.spreadsheet_cells import EXCEL_IMPORT_CELLS, joined_parts

_CHUNK: Final = 1 << 20
# Tags may carry a namespace prefix (<x:c>) in files from some tools.
_DIMENSION: Final = re.compile(rb'<(?:\w{1,16}:)?dimension\s[^>]*?ref="([^"]+)"')
_SHEET_DATA: Final = re.compile(rb"<(?:\w{1,16}:)?sheetData[\s>/]")
_CELL: Final = re.compile(rb"<(?:\w{1,16}:)?c[\s>/]")
_OVERLAP: Final = 24  # bytes kept between chunks, longer than any tag start searched for
_OFFICE_DOCUMENT: Final = "/officeDocument"


def read_excel_sheet(data: bytes, name: str) -> pd.DataFrame:
    """The first worksheet as a frame of cell values (objects), its part columns joined, or
    ImportFormatError for a sheet too large or without the columns an import needs."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in _worksheet_parts(archive):
            _check_sheet_xml(archive, part, name)
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        if not workbook.worksheets:
            raise ImportFormatError(f"'{name}' has no worksheet. {REEXPORT_FIX}.")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the rows themselves count: a declared size may be wrong
        header = _header(next(sheet.iter_rows(max_row=1, values_only=True), ()), name)
        width = len(header)
        rows: list[tuple[object, ...]] = []
        for row in sheet.iter_rows(min_row=2, max_col=width, values_only=True):
            rows.append(row)
            if len(rows) * width > EXCEL_IMPORT_CELLS:
                raise _too_large(name, f"has more than {EXCEL_IMPORT_CELLS // width:,} rows of {width:,} columns")
    finally:
        workbook.close()
    while rows and all(value is None for value in rows[-1]):  # trailing empty rows are no rows
        rows.pop()
    return joined_parts(pd.DataFrame(rows, columns=header, dtype=object))


def _worksheet_parts(archive: zipfile.ZipFile) -> list[str]:
    """The first worksheet's part, as the workbook lists its sheets; every worksheet part when the
    package does not say (openpyxl then decides, and each one it might read is checked)."""
    names = set(archive.namelist())
    try:
        workbook = next(part for _, kind, part in _relationships(archive, "") if kind.endswith(_OFFICE_DOCUMENT))
        targets = {identifier: (kind, part) for identifier, kind, part in _relationships(archive, workbook)}
        for element in fromstring(archive.read(workbook)).iter():
            if element.tag.rsplit("}", 1)[-1] != "sheet":
                continue
            identifier = next((value for key, value in element.attrib.items() if key.endswith("}id")), "")
            kind, part = targets.get(identifier, ("", ""))
            if kind.endswith("/worksheet") and part in names:
                return [part]
    except (KeyError, StopIteration, SyntaxError):  # SyntaxError: ElementTree's ParseError
        pass
    return sorted(part for part in names if part.startswith("xl/worksheets/") and part.endswith(".xml"))


def _relationships(archive: zipfile.ZipFile, source: str) -> Iterator[tuple[str, str, str]]:
    """(Id, Type, part) of each relationship of ``source`` ("" for the package), targets resolved."""
    folder, file = posixpath.split(source)
    root = fromstring(archive.read(posixpath.join(folder, "_rels", f"{file}.rels")))
    for element in root:
        target = element.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        yield element.get("Id", ""), element.get("Type", ""), part


def _check_sheet_xml(archive: zipfile.ZipFile, part: str, name: str) -> None:
    """Refuse a sheet whose declared range, or whose cells counted so far, pass the limit."""
    cells = 0
    before_data = True
    carried = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            text = carried + chunk
            if before_data:
                dimension = _DIMENSION.search(text)
                if dimension:
                    _check_declared_range(dimension.group(1).decode("ascii", "replace"), name)
                before_data = dimension is None and _SHEET_DATA.search(text) is None
            end = max(len(text) - _OVERLAP, 0)  # a tag starting in the last bytes is counted with the next chunk
            cells += sum(1 for match in _CELL.finditer(text) if match.start() < end)
            carried = text[end:]
            if cells > EXCEL_IMPORT_CELLS:
                raise _too_large(name, f"holds more than {EXCEL_IMPORT_CELLS:,} cells")
    cells += sum(1 for _ in _CELL.finditer(carried))
    if cells > EXCEL_IMPORT_CELLS:
        raise _too_large(name, f"holds more than {EXCEL_IMPORT_CELLS:,} cells")


def _check_declared_range(reference: str, name: str) -> None:
    try:
        first_column, first_row, last_column, last_row = range_boundaries(reference)
    except (ValueError, TypeError):  # a range openpyxl cannot read: the cells are counted anyway
        return
    if None in (first_column, first_row, last_column, last_row):
        return
    rows, columns = last_row - first_row, last_column - first_column + 1  # the header is no data row
    if rows * columns > EXCEL_IMPORT_CELLS:
        raise _too_large(
            name,
            f"declares {rows:,} rows of {columns:,} columns ({rows * columns:,} cells)",
            most_rows=EXCEL_IMPORT_CELLS // columns,
        )


def _too_large(name: str, size: str, *, most_rows: int | None = None) -> ImportFormatError:
    width = f" ({most_rows:,} rows of this width)" if most_rows is not None else ""
    return ImportFormatError(
        f"The sheet of '{name}' {size}; Hive Review reads at most {EXCEL_IMPORT_CELLS:,} cells from an "
        f"Excel file{width}. If the rows or columns beyond your data are empty, delete them in Excel and "
        "save again; otherwise split the file into smaller ones, or take a CSV, JSONL or Parquet export, "
        "which have no such limit."
    )


def _header(cells: Sequence[object], name: str) -> list[str]:
    """The column names of the first row, refused when a column the import needs is missing."""
    names = [None if cell is None or str(cell).strip() == "" else str(cell) for cell in cells]
    while names and names[-1] is None:
        names.pop()
    if not names:
        raise ImportFormatError(
            f"The first row of '{name}' is empty: Hive Review reads the column names from it. {REEXPORT_FIX}."
        )
    # Named as pandas names them, for columns holding values but no name.
    header = [column if column is not None else f"Unnamed: {index}" for index, column in enumerate(names)]
    duplicates = sorted({column for column in header if header.count(column) > 1})
    if duplicates:
        raise ImportFormatError(
            f"'{name}' has more than one column named {', '.join(repr(column) for column in duplicates)}. "
            f"{REEXPORT_FIX}, or delete the extra columns."
        )
    error = missing_columns_error(name, header)
    if error:
        raise error
    return header
