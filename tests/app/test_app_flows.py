"""Ingest, import, export and the bad-input paths of the studio, through AppTest and the emulator."""

from __future__ import annotations

import io
import json

import pandas as pd
from apptest_support import open_page, studio_app, texts
from page_checks import emulator_api, feedback_of, generations, shown_errors

from hive_review.log import columns as col
from hive_review.log.exports import EXPORT_FORMATS
from hive_review.runs.uploads import MAX_ROWS
from hive_review.stores import open_stores
from ui.state import INGEST, PLAYGROUND, SESSION_LOG, input_key, rating_key

TASK = "Sandbox - Email Writer"


def _csv(rows: list[dict]) -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode()


def _ingest(at, filename: str, data: bytes):
    at.file_uploader(key=INGEST.file).upload(filename, data, "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_ingest_logs_completions_and_they_are_rated_like_any_other(studio_env):
    at = open_page(studio_app(), "ingest")
    rows = [
        {"input.topic": "refunds", "input.tone": "kind", "completion": "We refund within 5 days.", "model": "gpt-4o"},
        {"input.topic": "outage", "input.tone": "calm", "completion": "Service is back.", "model": "gpt-4o",
         "latency_ms": 640, "total_tokens": 21},
    ]  # fmt: skip
    at = _ingest(at, "done.csv", _csv(rows))
    at.button(key=INGEST.log_them).click().run()
    assert not at.exception
    assert "Logged 2 completions" in " ".join(s.value for s in at.success)

    logged = generations(studio_env, TASK)
    assert {g["generation"] for g in logged} == {"We refund within 5 days.", "Service is back."}
    generation_id = next(g["generation_id"] for g in logged if g["generation"] == "Service is back.")

    at.feedback(key=rating_key(generation_id, "thumbs")).set_value(0).run()
    at.button(key=rating_key(generation_id, "submit")).click().run()
    assert not at.exception
    assert feedback_of(studio_env, TASK, generation_id).get("accepted") is False


def test_ingest_rows_for_an_unknown_task_are_reported_and_the_rest_logged(studio_env):
    at = open_page(studio_app(), "ingest")
    rows = [
        {"completion": "fine", "model": "m", "task": TASK},
        {"completion": "lost", "model": "m", "task": "No Such Task"},
    ]
    at = _ingest(at, "mixed.csv", _csv(rows))
    at.button(key=INGEST.log_them).click().run()
    assert "Logged 1 completions" in " ".join(s.value for s in at.success)
    assert "Row 2:" in shown_errors(at) and "'No Such Task' not found" in shown_errors(at)


def test_bad_uploads_get_messages_that_name_the_problem(studio_env):
    cases = {
        "empty.csv": (b"", "empty"),
        "latin1.csv": ("completion,model\ncaf\xe9,m\n".encode("latin-1"), "UTF-8"),
        "broken.csv": (b'completion,model\n"unclosed,m\n', "quote"),
        "twice.csv": (b"completion,model,model\nx,m,n\n", "model"),
        "nomodel.csv": (b"completion\nx\n", "'model'"),
    }
    for filename, (data, expected) in cases.items():
        at = _ingest(open_page(studio_app(), "ingest"), filename, data)
        message = shown_errors(at)
        assert expected in message, (filename, message)
        assert not at.exception


def test_an_upload_with_more_rows_than_the_limit_says_so(studio_env):
    data = b"completion,model\n" + b"x,m\n" * (MAX_ROWS + 1)
    at = _ingest(open_page(studio_app(), "ingest"), "big.csv", data)
    assert f"{MAX_ROWS:,}" in shown_errors(at)


def test_a_completion_of_one_megabyte_is_logged_shown_and_exported(studio_env):
    big = ("All work and no play makes a long completion. 🎉 " * 21_000)[:1_048_576]
    at = _ingest(open_page(studio_app(), "ingest"), "big.jsonl", json.dumps({"completion": big, "model": "m"}).encode())
    at.button(key=INGEST.log_them).click().run()
    assert not at.exception
    assert any(len(code.value) == len(big) for code in at.code)
    at.switch_page("pages/session_log.py").run()
    assert not at.exception


def test_a_prompt_without_variables_runs_as_it_is(studio_env):
    emulator_api(studio_env, "POST", "/tasks", json={"name": "QA - Fixed"})
    emulator_api(
        studio_env, "POST", "/prompts",
        json={"task": "QA - Fixed", "text": "Write a haiku about code review.", "model": "m", "hyperparameters": {}},
    )  # fmt: skip
    at = open_page(studio_app(), "playground")
    at.selectbox(key=PLAYGROUND.task).set_value("QA - Fixed").run()
    assert "no input variables" in texts(at)
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception
    assert any("haiku about code review" in code.value for code in at.code)


def test_a_failed_generation_explains_and_keeps_the_inputs(studio_env):
    at = open_page(studio_app(), "playground")
    at.selectbox(key=PLAYGROUND.task).set_value(TASK).run()
    at.text_area(key=input_key(TASK, "topic")).set_value("kept topic")
    at.text_area(key=input_key(TASK, "tone")).set_value("kept tone")
    emulator_api(studio_env, "PUT", "/_emulator/faults", json={"error_rate": 1.0})
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception
    assert "The generation failed" in shown_errors(at) and "inputs are kept" in shown_errors(at)
    emulator_api(studio_env, "PUT", "/_emulator/faults", json={"error_rate": 0.0})
    at.run()
    assert at.text_area(key=input_key(TASK, "topic")).value == "kept topic"
    assert at.text_area(key=input_key(TASK, "tone")).value == "kept tone"


def test_no_key_starts_the_local_emulator_with_a_badge(studio_env, monkeypatch, tmp_path):
    monkeypatch.delenv("HONEYHIVE_API_KEY")
    monkeypatch.delenv("HONEYHIVE_BASE_URL")
    monkeypatch.setenv("HIVE_REVIEW_EMULATOR_PROVIDER", "offline")
    monkeypatch.setenv("HIVE_REVIEW_EMULATOR_DB", str(tmp_path / "own-emulator.sqlite3"))
    at = studio_app()
    at.run()
    assert not at.exception
    badge = " ".join(str(s.value) for s in at.sidebar.success)
    assert "Local HoneyHive emulator" in badge and "offline" in badge
    assert at.selectbox(key=PLAYGROUND.task).value == TASK


def test_every_export_button_downloads_and_an_export_imports_back(studio_env, tmp_path, monkeypatch):
    at = open_page(studio_app(), "playground")
    at.selectbox(key=PLAYGROUND.task).set_value(TASK).run()
    at.text_area(key=input_key(TASK, "topic")).set_value("שלום and 👋 stay intact")
    at.text_area(key=input_key(TASK, "tone")).set_value('=HYPERLINK("https://evil.example")')
    next(b for b in at.button if b.label == "Run").click().run()
    at.switch_page("pages/session_log.py").run()
    for button in at.get("download_button"):
        button.click().run()
        assert not at.exception, button.label

    store = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    log = store.log.load_log()
    for name, fmt in EXPORT_FORMATS.items():
        # Continue the export on another machine: a new, empty database.
        monkeypatch.setenv("HIVE_REVIEW_DATABASE_URL", f"sqlite:///{tmp_path / f'elsewhere-{fmt.extension}.sqlite3'}")
        fresh = open_page(studio_app(), "session_log")
        fresh.file_uploader(key=SESSION_LOG.import_file).upload(f"log.{fmt.extension}", fmt.write(log), fmt.mime).run()
        assert f"{len(log):,} rows read" in texts(fresh), name
        fresh.button(key=SESSION_LOG.import_go).click().run()
        assert not fresh.exception, name
        assert f"Imported {len(log):,} row" in " ".join(s.value for s in fresh.success), name
        imported = open_stores(f"sqlite:///{tmp_path / f'elsewhere-{fmt.extension}.sqlite3'}").log.load_log()
        assert imported["input.topic"].iloc[0] == "שלום and 👋 stay intact", name
        assert imported["input.tone"].iloc[0] == '=HYPERLINK("https://evil.example")', name
    round_trip = pd.read_json(io.BytesIO(EXPORT_FORMATS["JSONL"].write(log)), lines=True)
    assert round_trip["input.topic"].iloc[0] == "שלום and 👋 stay intact"
    assert round_trip["input.tone"].iloc[0].startswith("=HYPERLINK")  # JSONL keeps the exact text
    csv_text = EXPORT_FORMATS["CSV"].write(log).decode()
    assert "'=HYPERLINK" in csv_text  # CSV neutralises it
    assert col.INPUTS_JSON in csv_text
