"""Parsing of uploaded batch inputs and completions to ingest (hive_review/runs/uploads.py and
upload_rows.py). One file for both, longer than most: the row checks are tested on tables read from
real files, as the pages use them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from hive_review.runs.inputs import MAX_INPUT_CHARS
from hive_review.runs.upload_rows import IngestRow, batch_inputs, ingest_rows, map_columns
from hive_review.runs.uploads import MAX_ROWS, MAX_UPLOAD_BYTES, UploadError, read_table


def write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8") -> bytes:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path.read_bytes()


def write_jsonl(path: Path, records: list[object]) -> bytes:
    path.write_text("\n".join(json.dumps(record, ensure_ascii=False) for record in records) + "\n", "utf-8")
    return path.read_bytes()


def upload_error(data: bytes, filename: str) -> str:
    with pytest.raises(UploadError) as raised:
        read_table(data, filename)
    return str(raised.value)


# ------------------------------------------------------------------------------------- read_table


def test_csv_cells_come_back_as_exact_text(tmp_path: Path) -> None:
    rows = [
        ["tone", "topic", "count"],
        ["warm", "bees, wasps and ants", "5"],
        ["NA", "line one\nline two", "007"],
        ["null", 'say "hi" 🐝', ""],
        ["", "مرحبا", "-1"],
    ]
    table = read_table(write_csv(tmp_path / "inputs.csv", rows), "inputs.csv")
    assert list(table.columns) == ["tone", "topic", "count"]
    assert table.values.tolist() == rows[1:]
    assert all(isinstance(value, str) for value in table.to_numpy().ravel())


def test_csv_saved_by_excel_with_bom_semicolons_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufefftone;topic\r\nwarm;bees\r\n\r\nformal;ants, and more\r\n".encode())
    table = read_table(path.read_bytes(), "excel.csv")
    assert list(table.columns) == ["tone", "topic"]
    assert table.values.tolist() == [["warm", "bees"], ["formal", "ants, and more"]]


def test_csv_rows_with_fewer_values_are_padded_and_a_trailing_comma_ignored(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("tone,topic,\nwarm\nformal,ants,\n", "utf-8")
    table = read_table(path.read_bytes(), "short.csv")
    assert list(table.columns) == ["tone", "topic"]
    assert table.values.tolist() == [["warm", ""], ["formal", "ants"]]


def test_jsonl_values_become_text(tmp_path: Path) -> None:
    records = [
        {"completion": "Hi\u2028there", "model": "gemma", "latency_ms": 12.5, "inputs": {"tone": "warm"}},
        {"completion": "Yo", "model": "gemma", "ok": True, "note": None},
    ]
    table = read_table(write_jsonl(tmp_path / "done.jsonl", records), "done.jsonl")
    assert list(table.columns) == ["completion", "model", "latency_ms", "inputs", "ok", "note"]
    assert table.iloc[0].tolist() == ["Hi\u2028there", "gemma", "12.5", '{"tone": "warm"}', "", ""]
    assert table.iloc[1].tolist() == ["Yo", "gemma", "", "", "true", ""]


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"])
def test_an_empty_file_is_refused(content: bytes) -> None:
    assert "is empty" in upload_error(content, "inputs.csv")


def test_a_file_over_the_size_limit_says_both_sizes() -> None:
    data = b"tone\n" + b"x\n" * (MAX_UPLOAD_BYTES // 2)
    message = upload_error(data, "big.csv")
    assert f"({len(data):,} bytes); the limit is 10.0 MB ({MAX_UPLOAD_BYTES:,} bytes)" in message
    assert MAX_UPLOAD_BYTES == 10 * 1024 * 1024


def test_an_unknown_extension_is_refused(tmp_path: Path) -> None:
    assert "neither CSV nor JSONL" in upload_error(b"PK\x03\x04", "inputs.xlsx")


def test_a_file_that_is_not_utf8_names_the_byte_and_line(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "latin.csv", [["tone"], ["warm"], ["café"]], encoding="latin-1")
    message = upload_error(data, "latin.csv")
    offset = data.index(b"\xe9")
    assert f"byte 0xE9 at byte offset {offset} (line 3)" in message
    assert "Save it as UTF-8" in message


def test_a_csv_row_with_too_many_values_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text('tone,topic\nwarm,"two\nlines"\nformal,bees,ants\n', "utf-8")
    message = upload_error(path.read_bytes(), "extra.csv")
    assert "Line 4 of 'extra.csv' has 3 values but the header has 2 columns" in message
    assert 'double quotes ("a, b")' in message


def test_an_unclosed_quote_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('tone,topic\nwarm,"never closed\nformal,bees\n', "utf-8")
    message = upload_error(path.read_bytes(), "quote.csv")
    assert "is not valid CSV from line 2" in message
    assert "double quotes" in message


def test_a_jsonl_line_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"completion": "a", "model": "m"}\n\n{"completion": "b", model: "m"}\n', "utf-8")
    message = upload_error(path.read_bytes(), "bad.jsonl")
    assert "Line 3 of 'bad.jsonl' is not valid JSON" in message


def test_a_jsonl_line_that_is_not_an_object_names_the_line(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "array.jsonl", [{"completion": "a", "model": "m"}, ["a", "m"]])
    assert "Line 2 of 'array.jsonl' is a JSON array, not an object" in upload_error(data, "array.jsonl")


def test_duplicate_columns_are_named(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "dup.csv", [["tone", "topic", "tone"], ["a", "b", "c"]])
    assert "more than one column named 'tone'" in upload_error(data, "dup.csv")
    path = tmp_path / "dup.jsonl"
    path.write_text('{"model": "m", "model": "n"}\n', "utf-8")
    assert "has the key 'model' more than once" in upload_error(path.read_bytes(), "dup.jsonl")


def test_an_unnamed_column_with_values_is_refused(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "unnamed.csv", [["tone", ""], ["warm", "bees"]])
    assert "Column 2 of 'unnamed.csv' has values but no name" in upload_error(data, "unnamed.csv")


def test_more_rows_than_the_limit_says_both_numbers(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "many.csv", [["tone"]] + [["warm"]] * (MAX_ROWS + 1))
    assert f"has {MAX_ROWS + 1:,} rows; the limit is {MAX_ROWS:,}" in upload_error(data, "many.csv")
    exactly = write_csv(tmp_path / "limit.csv", [["tone"]] + [["warm"]] * MAX_ROWS)
    assert len(read_table(exactly, "limit.csv")) == MAX_ROWS


def test_a_header_without_rows_is_refused(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "header.csv", [["tone", "topic"]])
    assert "has a header but no data rows" in upload_error(data, "header.csv")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # too big and not UTF-8: the size is named first
        (b"\xff" * (MAX_UPLOAD_BYTES + 1), "the limit is 10.0 MB"),
        # not UTF-8 and a row too long: the encoding first
        (b"tone\n\xe9,x\n", "not UTF-8"),
        # a row too long and duplicate columns: the row first
        (b"tone,tone\na,b,c\n", "Line 2"),
        # duplicate columns and no rows: the duplicates first
        (b"tone,tone\n", "more than one column"),
    ],
)
def test_checks_come_in_the_documented_order(data: bytes, expected: str) -> None:
    assert expected in upload_error(data, "inputs.csv")


# -------------------------------------------------------------------------------- batch inputs


def test_map_columns_matches_exact_then_loose_names() -> None:
    columns = ["Customer Name", "input.tone", "TOPIC", "topic_", "notes"]
    mapping = map_columns(columns, ["customer_name", "tone", "topic", "missing"])
    assert mapping == {"customer_name": "Customer Name", "tone": "input.tone", "topic": None, "missing": None}


def test_map_columns_prefers_the_exact_name_and_uses_a_column_once() -> None:
    assert map_columns(["Tone", "tone"], ["tone"]) == {"tone": "tone"}
    assert map_columns(["user-name"], ["user_name", "username"]) == {"user_name": "user-name", "username": None}


def test_batch_inputs_gives_one_run_per_row(tmp_path: Path) -> None:
    rows = [["Tone", "topic", "extra"], ["warm", "bees", "x"], ["formal", "ants 🐜", ""]]
    table = read_table(write_csv(tmp_path / "batch.csv", rows), "batch.csv")
    variables = ["tone", "topic"]
    runs = batch_inputs(table, map_columns(table.columns, variables), variables)
    assert runs == [{"tone": "warm", "topic": "bees"}, {"tone": "formal", "topic": "ants 🐜"}]


def test_batch_inputs_names_unmapped_variables(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "b.csv", [["tone"], ["warm"]]), "b.csv")
    with pytest.raises(UploadError, match="No column is chosen for the variables 'topic', 'audience'"):
        batch_inputs(table, {"tone": "tone", "topic": None}, ["tone", "topic", "audience"])


def test_batch_inputs_names_rows_with_empty_or_too_long_values(tmp_path: Path) -> None:
    rows = [["tone", "topic"], ["warm", "bees"], ["   ", "ants"], ["formal", "x" * (MAX_INPUT_CHARS + 1)]]
    table = read_table(write_csv(tmp_path / "b.csv", rows), "b.csv")
    with pytest.raises(UploadError) as raised:
        batch_inputs(table, {"tone": "tone", "topic": "topic"}, ["tone", "topic"])
    message = str(raised.value)
    assert message.startswith("2 problems in the file: row 2: empty value for 'tone'; ")
    assert f"row 3: 'topic' is {MAX_INPUT_CHARS + 1:,} characters; the limit is {MAX_INPUT_CHARS:,}" in message


def test_many_problems_are_counted_not_all_listed(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "b.csv", [["tone", "n"]] + [["", "1"]] * 25), "b.csv")
    with pytest.raises(UploadError) as raised:
        batch_inputs(table, {"tone": "tone"}, ["tone"])
    message = str(raised.value)
    assert "25 problems in the file" in message
    assert "row 10: empty value" in message
    assert "row 11:" not in message
    assert "and 15 more" in message


# ---------------------------------------------------------------------------------- ingestion


def test_ingest_rows_reads_every_column(tmp_path: Path) -> None:
    records = [
        {
            "completion": "Bees pollinate 🌼",
            "model": "gpt-4o-mini",
            "inputs": {"tone": "from json", "topic": "bees"},
            "input.tone": "warm",
            "prompt_template": "Write about {{topic}} in a {{tone}} tone",
            "prompt": "Write about bees in a warm tone",
            "latency_ms": 812.5,
            "prompt_tokens": 12,
            "completion_tokens": 30,
            "task": "support",
        },
        {"completion": "Short", "model": "m", "total_tokens": "7"},
    ]
    rows = ingest_rows(read_table(write_jsonl(tmp_path / "done.jsonl", records), "done.jsonl"))
    assert rows[0] == IngestRow(
        inputs={"tone": "warm", "topic": "bees"},  # the input.<var> column wins over the JSON
        completion="Bees pollinate 🌼",
        model="gpt-4o-mini",
        prompt_template="Write about {{topic}} in a {{tone}} tone",
        prompt="Write about bees in a warm tone",
        latency_ms=812.5,
        usage={"prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42},
        task="support",
    )
    assert rows[1] == IngestRow(inputs={}, completion="Short", model="m", usage={"total_tokens": 7})


def test_ingest_rows_accepts_column_names_in_any_case(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "done.csv", [["Completion", " MODEL ", "input.tone"], ["Hi", "m", "warm"]])
    assert ingest_rows(read_table(data, "done.csv")) == [IngestRow({"tone": "warm"}, "Hi", "m")]


def test_ingest_rows_names_missing_columns(tmp_path: Path) -> None:
    data = write_csv(tmp_path / "done.csv", [["completion", "tone"], ["Hi", "warm"]])
    with pytest.raises(UploadError) as raised:
        ingest_rows(read_table(data, "done.csv"))
    message = str(raised.value)
    assert "The file has no 'model' column" in message
    assert "this file has: completion, tone" in message


def test_ingest_rows_names_bad_rows(tmp_path: Path) -> None:
    rows = [
        ["completion", "model", "latency_ms", "total_tokens", "inputs"],
        ["fine", "m", "10", "5", '{"tone": "warm"}'],
        ["  ", "m", "", "", ""],
        ["text", "", "fast", "", ""],
        ["text", "m", "-3", "2.5", "[1]"],
    ]
    with pytest.raises(UploadError) as raised:
        ingest_rows(read_table(write_csv(tmp_path / "done.csv", rows), "done.csv"))
    message = str(raised.value)
    assert "row 2: empty completion" in message
    assert "row 3: empty model" in message
    assert "row 3: latency_ms 'fast' is not a number of 0 or more" in message
    assert "row 4: latency_ms '-3' is not a number of 0 or more" in message
    assert "row 4: total_tokens '2.5' is not a whole number" in message
    assert "row 4: 'inputs' must be a JSON object" in message
    assert "row 1" not in message


def test_ingest_rows_accepts_a_frame_not_made_by_read_table() -> None:
    frame = pd.DataFrame({"completion": ["Hi"], "model": ["m"], "latency_ms": [float("nan")]})
    assert ingest_rows(frame) == [IngestRow({}, "Hi", "m")]


# ------------------------------------------------------------------- long cells and UTF-16 text


def test_a_150000_character_completion_is_read_from_csv_as_from_jsonl(tmp_path: Path) -> None:
    completion = 'A long answer, with "quotes", commas\nand lines. ' * 3_000
    assert len(completion) > 131_072  # more than Python's csv module reads in one field by default
    csv_data = write_csv(tmp_path / "done.csv", [["completion", "model"], [completion, "gemma3"]])
    jsonl_data = write_jsonl(tmp_path / "done.jsonl", [{"completion": completion, "model": "gemma3"}])
    from_csv = ingest_rows(read_table(csv_data, "done.csv"))
    from_jsonl = ingest_rows(read_table(jsonl_data, "done.jsonl"))
    assert from_csv == from_jsonl == [IngestRow({}, completion, "gemma3")]


def test_a_long_batch_input_gets_the_same_refusal_from_csv_and_jsonl(tmp_path: Path) -> None:
    # Batch inputs are sent to the model: their limit is MAX_INPUT_CHARS, whatever the file format.
    topic = "x" * 150_000
    tables = [
        read_table(write_csv(tmp_path / "b.csv", [["topic"], [topic]]), "b.csv"),
        read_table(write_jsonl(tmp_path / "b.jsonl", [{"topic": topic}]), "b.jsonl"),
    ]
    messages = []
    for table in tables:
        with pytest.raises(UploadError) as raised:
            batch_inputs(table, {"topic": "topic"}, ["topic"])
        messages.append(str(raised.value))
    assert messages[0] == messages[1]
    assert f"row 1: 'topic' is 150,000 characters; the limit is {MAX_INPUT_CHARS:,}" in messages[0]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
@pytest.mark.parametrize("extension", [".csv", ".jsonl"])
def test_utf16_text_is_read_as_text(tmp_path: Path, encoding: str, extension: str) -> None:
    # Windows tools save "Unicode text" as UTF-16; without a byte-order mark it decoded as UTF-8 to
    # text with a NUL after every character.
    path = tmp_path / f"done{extension}"
    if extension == ".csv":
        text = "completion\tmodel\r\nBees 🐝, café\tgemma3\r\n"  # Excel's "Unicode text" is tab-separated
    else:
        text = '{"completion": "Bees 🐝, café", "model": "gemma3"}\n'
    path.write_bytes(text.encode(encoding))
    table = read_table(path.read_bytes(), path.name)
    assert table.values.tolist() == [["Bees 🐝, café", "gemma3"]]
    assert ingest_rows(table) == [IngestRow({}, "Bees 🐝, café", "gemma3")]


def test_broken_utf16_text_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "inputs.csv"
    path.write_bytes("tone,topic\nwarm,bees\n".encode("utf-16-le")[:-1])  # half a character at the end
    message = upload_error(path.read_bytes(), "inputs.csv")
    assert "'inputs.csv' looks like UTF-16 text but is not valid UTF-16" in message
    assert "Save it as UTF-8" in message


def test_a_utf16_file_of_only_a_byte_order_mark_is_empty(tmp_path: Path) -> None:
    assert "is empty" in upload_error("\ufeff\n".encode("utf-16"), "inputs.jsonl")


def test_text_full_of_nul_bytes_that_is_not_utf16_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "inputs.csv"
    path.write_bytes("tone,topic\nwarm,bees\n".encode("utf-32-le"))  # no byte-order mark
    message = upload_error(path.read_bytes(), "inputs.csv")
    assert "'inputs.csv' is not UTF-8 or UTF-16 text: 63 of its first 84 bytes are NUL" in message
    assert "Save it as UTF-8" in message
