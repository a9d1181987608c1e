"""The API key never appears in a log line, a page, an export, a URL, the session log or an error.

A canary key runs the main flows (run, rate, deliver, log page with every export, ingest, a failing
call); then every output is searched for it: every element the pages drew, session state, query
parameters, every export, every file the app wrote (SQLite incl. WAL), and all captured logs.
"""

from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path

import pytest
from apptest_support import open_page, studio_app

from hive_review.log.exports import EXPORT_FORMATS
from hive_review.stores import open_stores
from ui.state import input_key, rating_key

TASK = "Sandbox - Email Writer"
ROOT = Path(__file__).resolve().parents[2]


def _dump(node: object) -> str:
    """Every proto of an AppTest element tree, as text."""
    parts = [str(getattr(node, "proto", ""))]
    children = getattr(node, "children", {}) or {}
    for child in children.values():
        parts.append(_dump(child))
    return "\n".join(parts)


def _everything(at) -> str:
    return "\n".join([_dump(at._tree), repr(at.session_state.to_dict()), repr(at.query_params)])


@pytest.fixture
def canary_studio(emulator_factory, tmp_path, monkeypatch):
    canary = f"hh-canary-{secrets.token_hex(12)}"
    emulator = emulator_factory(api_key=canary)
    monkeypatch.setenv("HONEYHIVE_API_KEY", canary)
    monkeypatch.setenv("HONEYHIVE_API", "tasks")
    monkeypatch.setenv("HONEYHIVE_BASE_URL", emulator.url)
    monkeypatch.setenv("HIVE_REVIEW_DATABASE_URL", f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    monkeypatch.setenv("HIVE_REVIEW_REVIEWER", "qa-canary")
    monkeypatch.chdir(tmp_path)
    return canary, emulator


def test_the_canary_key_appears_nowhere(canary_studio, tmp_path, caplog, capfd, monkeypatch):
    canary, _emulator = canary_studio
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []

    at = open_page(studio_app(), "playground")
    at.selectbox(key="playground.task").set_value(TASK).run()
    at.text_area(key=input_key(TASK, "topic")).set_value("key hygiene")
    at.text_area(key=input_key(TASK, "tone")).set_value("strict")
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception
    [generation_id] = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}").log.load_log()["generation_id"]
    at.feedback(key=rating_key(generation_id, "stars")).set_value(2).run()
    at.button(key=rating_key(generation_id, "submit")).click().run()
    seen.append(_everything(at))

    at.switch_page("pages/session_log.py").run()
    for button in at.get("download_button"):
        button.click().run()
    seen.append(_everything(at))

    at.switch_page("pages/ingest.py").run()
    at.file_uploader(key="ingest.file").upload("x.csv", b"completion,model\nhello,m\n", "text/csv").run()
    at.button(key="ingest.go").click().run()
    seen.append(_everything(at))

    # A failing call: the message must not carry the key either.
    monkeypatch.setenv("HONEYHIVE_API_KEY", canary + "-wrong")
    failing = studio_app()
    failing.run()
    seen.append(_everything(failing))
    assert "rejected the API key" in " ".join(e.value for e in failing.error)

    store = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    deadline = time.monotonic() + 30
    while set(store.feedback.counts()) - {"sent", "failed"} and time.monotonic() < deadline:
        time.sleep(0.05)  # waiting for the state: the outbox has settled every delivery
    log = store.log.load_log()
    assert len(log) == 2
    exports = [fmt.write(log) for fmt in EXPORT_FORMATS.values()]
    files = [path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()]
    captured = capfd.readouterr()

    assert "key hygiene" in seen[0]  # the page dump really holds what the page drew
    haystacks = [*seen, caplog.text, captured.out, captured.err, log.to_csv()]
    for text in haystacks:
        assert canary not in text
    for blob in [*exports, *files]:
        assert canary.encode() not in blob
        assert canary.encode("utf-16-le") not in blob
    assert len(files) >= 2  # the session database and the emulator's at least
