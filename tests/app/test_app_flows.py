"""Ingest, import, export and the bad-input paths of the studio, through AppTest and the emulator."""

from __future__ import annotations

import io
import json

import pandas as pd
import requests
from apptest_support import open_page, studio_app, texts

from hive_review.log import columns as col
from hive_review.log.exports import EXPORT_FORMATS
from hive_review.runs.uploads import MAX_ROWS
from hive_review.stores import open_stores
from ui.state import input_key, rating_key

TASK = "Sandbox - Email Writer"


def _csv(rows: list[dict]) -> bytes:
    return pd.DataFrame(rows).to_csv(index=False).encode()


def _ingest(at, filename: str, data: bytes):
    at.file_uploader(key="ingest.file").upload(filename, data, "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _errors(at) -> str:
    return " ".join(str(e.value) for e in at.error)


def _api(emulator, method: str, path: str, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {emulator.api_key}"}
    return requests.request(method, f"{emulator.url}{path}", headers=headers, timeout=10, **kwargs)


def test_ingest_logs_completions_and_they_are_rated_like_any_other(studio_env):
    at = open_page(studio_app(), "ingest")
    rows = [
        {"input.topic": "refunds", "input.tone": "kind", "completion": "We refund within 5 days.", "model": "gpt-4o"},
        {"input.topic": "outage", "input.tone": "calm", "completion": "Service is back.", "model": "gpt-4o",
         "latency_ms": 640, "total_tokens": 21},
    ]  # fmt: skip
    at = _ingest(at, "done.csv", _csv(rows))
    at.button(key="ingest.go").click().run()
    assert not at.exception
    assert "Logged 2 completions" in " ".join(s.value for s in at.success)

    logged = _api(studio_env, "GET", "/generations", params={"task": TASK}).json()
    assert {g["generation"] for g in logged} == {"We refund within 5 days.", "Service is back."}
    generation_id = next(g["generation_id"] for g in logged if g["generation"] == "Service is back.")

    at.feedback(key=rating_key(generation_id, "thumbs")).set_value(0).run()
    at.button(key=rating_key(generation_id, "submit")).click().run()
    assert not at.exception
    deadline_feedback = {}
    for _ in range(100):
        row = next(g for g in _api(studio_env, "GET", "/generations", params={"task": TASK}).json()
                   if g["generation_id"] == generation_id)  # fmt: skip
        deadline_feedback = row["feedback"] or {}
        if deadline_feedback:
            break
    assert deadline_feedback["accepted"] is False


def test_ingest_rows_for_an_unknown_task_are_reported_and_the_rest_logged(studio_env):
    at = open_page(studio_app(), "ingest")
    rows = [
        {"completion": "fine", "model": "m", "task": TASK},
        {"completion": "lost", "model": "m", "task": "No Such Task"},
    ]
    at = _ingest(at, "mixed.csv", _csv(rows))
    at.button(key="ingest.go").click().run()
    assert "Logged 1 completions" in " ".join(s.value for s in at.success)
    assert "Row 2:" in _errors(at) and "'No Such Task' not found" in _errors(at)


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
        message = _errors(at)
        assert expected in message, (filename, message)
        assert not at.exception


def test_an_upload_with_more_rows_than_the_limit_says_so(studio_env):
    data = b"completion,model\n" + b"x,m\n" * (MAX_ROWS + 1)
    at = _ingest(open_page(studio_app(), "ingest"), "big.csv", data)
    assert f"{MAX_ROWS:,}" in _errors(at)


def test_a_completion_of_one_megabyte_is_logged_shown_and_exported(studio_env):
    big = ("All work and no play makes a long completion. 🎉 " * 21_000)[:1_048_576]
    at = _ingest(open_page(studio_app(), "ingest"), "big.jsonl", json.dumps({"completion": big, "model": "m"}).encode())
    at.button(key="ingest.go").click().run()
    assert not at.exception
    assert any(len(code.value) == len(big) for code in at.code)
    at.switch_page("pages/session_log.py").run()
    assert not at.exception


def test_a_prompt_without_variables_runs_as_it_is(studio_env):
    _api(studio_env, "POST", "/tasks", json={"name": "QA - Fixed"}).raise_for_status()
    _api(
        studio_env, "POST", "/prompts",
        json={"task": "QA - Fixed", "text": "Write a haiku about code review.", "model": "m", "hyperparameters": {}},
    ).raise_for_status()  # fmt: skip
    at = open_page(studio_app(), "playground")
    at.selectbox(key="playground.task").set_value("QA - Fixed").run()
    assert "no input variables" in texts(at)
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception
    assert any("haiku about code review" in code.value for code in at.code)


def test_a_failed_generation_explains_and_keeps_the_inputs(studio_env):
    at = open_page(studio_app(), "playground")
    at.selectbox(key="playground.task").set_value(TASK).run()
    at.text_area(key=input_key(TASK, "topic")).set_value("kept topic")
    at.text_area(key=input_key(TASK, "tone")).set_value("kept tone")
    _api(studio_env, "PUT", "/_emulator/faults", json={"error_rate": 1.0}).raise_for_status()
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception
    assert "The generation failed" in _errors(at) and "inputs are kept" in _errors(at)
    _api(studio_env, "PUT", "/_emulator/faults", json={"error_rate": 0.0}).raise_for_status()
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
    assert at.selectbox(key="playground.task").value == TASK


def test_every_export_button_downloads_and_an_export_imports_back(studio_env, tmp_path, monkeypatch):
    at = open_page(studio_app(), "playground")
    at.selectbox(key="playground.task").set_value(TASK).run()
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
        fresh.file_uploader(key="log.import.file").upload(f"log.{fmt.extension}", fmt.write(log), fmt.mime).run()
        assert f"{len(log):,} rows read" in texts(fresh), name
        fresh.button(key="log.import.go").click().run()
        assert not fresh.exception, name
        assert f"Imported {len(log):,} rows" in " ".join(s.value for s in fresh.success), name
        imported = open_stores(f"sqlite:///{tmp_path / f'elsewhere-{fmt.extension}.sqlite3'}").log.load_log()
        assert imported["input.topic"].iloc[0] == "שלום and 👋 stay intact", name
        assert imported["input.tone"].iloc[0] == '=HYPERLINK("https://evil.example")', name
    round_trip = pd.read_json(io.BytesIO(EXPORT_FORMATS["JSONL"].write(log)), lines=True)
    assert round_trip["input.topic"].iloc[0] == "שלום and 👋 stay intact"
    assert round_trip["input.tone"].iloc[0].startswith("=HYPERLINK")  # JSONL keeps the exact text
    csv_text = EXPORT_FORMATS["CSV"].write(log).decode()
    assert "'=HYPERLINK" in csv_text  # CSV neutralises it
    assert col.INPUTS_JSON in csv_text
