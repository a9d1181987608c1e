"""How log text is written into spreadsheet cells (CSV and Excel exports) and read back exactly.

Each rule has its inverse here, next to it, so the exports (``exports.py``) and the import
(``import_files.py``) cannot drift apart:

* **Formula quoting.** Spreadsheet programs run a cell starting with ``=``, ``+``, ``-``, ``@``,
  tab or carriage return as a formula (OWASP "CSV injection"): such text gets a leading ``'``.
* **Excel escapes.** XML cannot hold most control characters and turns a carriage return into a
  line feed: Excel's own ``_xHHHH_`` escapes stand for them (and for an ``_x`` that would read as one).
* **Continuation columns.** An Excel cell holds at most 32,767 characters: longer text is split
  across ``<column> (part 2)``, ``(part 3)``… columns beside it, joined back on import. Columns,
  not a second sheet keyed by row: the parts stay on their row when a reviewer sorts or filters.
"""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import pandas as pd

from hive_review.log.frames import with_columns
from hive_review.missing import is_missing

# OWASP's list of characters that make a spreadsheet cell a formula.
FORMULA_TRIGGERS: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")
# A cell is quoted when it starts with a trigger, or with quotes and then a trigger: quoting the
# latter too is what makes the quote removal on import unambiguous ("'=x" comes back as "'=x").
_TRIGGER: Final = "[" + "".join(re.escape(trigger) for trigger in FORMULA_TRIGGERS) + "]"
_NEEDS_QUOTE: Final = "'*" + _TRIGGER
_QUOTED: Final = "'+" + _TRIGGER
_NEEDS_QUOTE_CELL: Final = re.compile(_NEEDS_QUOTE)
_QUOTED_CELL: Final = re.compile(_QUOTED)

EXCEL_CELL_LIMIT: Final = 32_767  # characters (UTF-16 code units) in one Excel cell
EXCEL_MAX_ROWS: Final = 1_048_576  # rows of a worksheet, the header included
EXCEL_MAX_COLUMNS: Final = 16_384
# openpyxl reads about 60,000 cells a second on a shared 2-core machine, and the page waits for
# it: an Excel import reads at most this many cells (about 15 s); the Excel export refuses a log
# of more, so that every Excel export can be imported again. CSV, JSONL and Parquet read fast.
EXCEL_IMPORT_CELLS: Final = 1_000_000
EXCEL_SHEET: Final = "log"

# Characters XML cannot hold, or changes (CR), and an "_x" that would read as an escape: Excel's escapes.
_EXCEL_ESCAPE_NEEDED: Final = re.compile(r"[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4})")
# The same without the look-ahead, which pyarrow's regex engine (RE2) lacks: finds the cells to escape.
_EXCEL_ESCAPE_FINDER: Final = r"[\x00-\x08\x0b-\x1f]|_x[0-9A-Fa-f]{4}"
_EXCEL_ESCAPE: Final = re.compile(r"_x([0-9A-Fa-f]{4})_")
# One Excel part leaves room for the quote a part starting like a formula gets.
_PART_UNITS: Final = EXCEL_CELL_LIMIT - 1
_PART_COLUMN: Final = re.compile(r"(?P<base>.+) \(part (?P<number>[1-9][0-9]*)\)")


# ------------------------------------------------------------------------------------ formula quotes


def string_mask(values: pd.Series, pattern: str, *, anywhere: bool = False) -> np.ndarray | None:
    """Where a text column matches ``pattern`` (at the start, or ``anywhere``); None without text."""
    try:
        if anywhere:
            matches = values.str.contains(pattern, regex=True, na=False)
        else:
            matches = values.str.match(pattern, na=False)
    except AttributeError:  # an object column without any string
        return None
    return matches.to_numpy(dtype=bool, na_value=False)


def neutralised(values: pd.Series) -> pd.Series | None:
    """The column with formula-looking cells quoted, or None when none is."""
    where = string_mask(values, _NEEDS_QUOTE)
    if where is None or not where.any():
        return None
    # Only the matching cells are rebuilt: most log cells need nothing.
    return values.where(~where, "'" + values[where].astype(str))


def restored(values: pd.Series) -> pd.Series:
    """The column with the quotes ``neutralised`` added removed again."""
    where = string_mask(values, _QUOTED)
    if where is None or not where.any():
        return values
    return values.where(~where, values[where].str.slice(1))


def _neutralised_text(text: str) -> str:
    return "'" + text if _NEEDS_QUOTE_CELL.match(text) else text


def _restored_text(text: str) -> str:
    return text[1:] if _QUOTED_CELL.match(text) else text


# ------------------------------------------------------------------------------------ Excel cells


def needs_excel_rewrite(values: pd.Series) -> np.ndarray | None:
    """Cells that need an escape or may be over the cell limit; None in a column without text."""
    escape = string_mask(values, _EXCEL_ESCAPE_FINDER, anywhere=True)
    if escape is None:
        return None
    # Any cell over half the limit may be over it in UTF-16 units (emoji count twice).
    long = (values.str.len() > EXCEL_CELL_LIMIT // 2).to_numpy(dtype=bool, na_value=False)
    return escape | long


def excel_cell_parts(text: str) -> list[str]:
    """Already-quoted text as Excel cells: escaped, then split into parts that fit a cell, each part
    after the first quoted when it starts like a formula."""
    escaped = _EXCEL_ESCAPE_NEEDED.sub(lambda match: f"_x{ord(match.group()[0]):04X}_", text)
    if utf16_length(escaped) <= EXCEL_CELL_LIMIT:
        return [escaped]
    first, *rest = _utf16_pieces(escaped, _PART_UNITS)
    return [first, *(_neutralised_text(part) for part in rest)]


def excel_unescaped(values: pd.Series) -> pd.Series:
    where = string_mask(values, r"_x[0-9A-Fa-f]{4}_", anywhere=True)
    if where is None or not where.any():
        return values
    decoded = values[where].map(lambda text: _EXCEL_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text))
    return values.where(~where, decoded)


def part_column(column: str, number: int) -> str:
    """The name of the ``number``-th part (2, 3, …) of ``column``'s long cells."""
    return f"{column} (part {number})"


def joined_parts(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each ``<column> (part N)`` column appended to its column and dropped.

    A part column whose column the sheet lacks is left as it is (it is then an ordinary column).
    """
    parts: dict[str, list[tuple[int, str]]] = {}
    for name in frame.columns:
        match = _PART_COLUMN.fullmatch(str(name))
        if match and match["base"] in frame.columns and int(match["number"]) >= 2:
            parts.setdefault(match["base"], []).append((int(match["number"]), str(name)))
    changed: dict[str, pd.Series] = {}
    part_columns: list[str] = []
    for base, numbered in parts.items():
        columns = [base, *(name for _, name in sorted(numbered))]
        part_columns += columns[1:]
        values = frame[base].astype(object)  # a copy: the frame read is not changed
        for position in np.flatnonzero(frame[columns[1:]].notna().any(axis=1).to_numpy()):
            pieces = [frame[column].iloc[position] for column in columns]
            values.iloc[position] = "".join(
                (_restored_text(str(piece)) if number else str(piece))
                for number, piece in enumerate(pieces)
                if not is_missing(piece)
            )
        changed[base] = values
    return with_columns(frame, changed).drop(columns=part_columns)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def _utf16_pieces(text: str, units: int) -> list[str]:
    """``text`` cut into pieces of at most ``units`` UTF-16 code units (as Excel counts), never
    between the two halves of a character outside the BMP (an emoji)."""
    data = text.encode("utf-16-le", errors="surrogatepass")
    pieces = []
    start = 0
    while start < len(data):
        end = min(len(data), start + units * 2)
        if end < len(data) and 0xD8 <= data[end - 1] <= 0xDB:  # a high surrogate: keep its pair together
            end -= 2
        pieces.append(data[start:end].decode("utf-16-le", errors="surrogatepass"))
        start = end
    return pieces
