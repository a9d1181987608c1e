"""The API key never appears in a log line, a page, an export, a URL, the session log or an error;
on the current API, neither does the model endpoint's key.

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
from apptest_support import open_page, studio_app, texts

from hive_review.log.exports import EXPORT_FORMATS
from hive_review.stores import open_stores
from ui.state import REVIEW_QUEUE, input_key, rating_key

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


# ---- the current API: a HoneyHive key and a model key --------------------------------------------------


@pytest.fixture(params=["HIVE_REVIEW_MODEL_API_KEY", "OPENAI_API_KEY"])
def current_canary_studio(request, emulator_factory, tmp_path, monkeypatch):
    """The studio on the current API (detected) with a canary HoneyHive key, and a second emulator as
    its model endpoint with a canary model key, given in the studio's own variable or through the
    ``OPENAI_API_KEY`` fallback. Each emulator refuses the other's key, so a run that answers proves
    each key went where it belongs."""
    honeyhive_key = f"hh-canary-{secrets.token_hex(12)}"
    model_key = f"sk-canary-{secrets.token_hex(12)}"
    honeyhive = emulator_factory(api_key=honeyhive_key)
    model = emulator_factory(api_key=model_key)
    monkeypatch.setenv("HONEYHIVE_API_KEY", honeyhive_key)
    monkeypatch.setenv("HONEYHIVE_API", "auto")
    monkeypatch.setenv("HONEYHIVE_BASE_URL", honeyhive.url)
    monkeypatch.setenv("HIVE_REVIEW_MODEL_BASE_URL", f"{model.url}/v1")
    monkeypatch.delenv("HIVE_REVIEW_MODEL_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv(request.param, model_key)
    monkeypatch.setenv("HIVE_REVIEW_DATABASE_URL", f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    monkeypatch.setenv("HIVE_REVIEW_REVIEWER", "qa-canary")
    monkeypatch.chdir(tmp_path)
    return honeyhive_key, model_key, request.param


def _pages() -> list[str]:
    """Every page of the studio, as ``studio.py`` registers them (one file each)."""
    return sorted(path.stem for path in (ROOT / "pages").glob("*.py") if not path.stem.startswith("_"))


def test_neither_canary_key_appears_anywhere_on_the_current_api(
    current_canary_studio, tmp_path, caplog, capfd, monkeypatch
):
    honeyhive_key, model_key, model_variable = current_canary_studio
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    database = f"sqlite:///{tmp_path / 'sessions.sqlite3'}"

    at = open_page(studio_app(), "playground")
    assert "current API (configurations, events) (detected)" in "\n".join(str(c.value) for c in at.sidebar.caption)
    at.text_area(key=input_key(TASK, "topic")).set_value("key hygiene today")
    at.text_area(key=input_key(TASK, "tone")).set_value("strict")
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [event_id] = open_stores(database).log.load_log()["generation_id"]
    at.feedback(key=rating_key(event_id, "stars")).set_value(2).run()
    at.button(key=rating_key(event_id, "submit")).click().run()
    seen.append(_everything(at))

    # Production events through the HoneyHive key, rated like any other item.
    at.switch_page("pages/review_queue.py").run()
    at.selectbox(key=REVIEW_QUEUE.source).set_value("Production events in HoneyHive").run()
    at.number_input(key=REVIEW_QUEUE("limit")).set_value(2)
    at.button(key=REVIEW_QUEUE("load")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "2 events loaded" in texts(at)
    seen.append(_everything(at))

    at.switch_page("pages/session_log.py").run()
    for button in at.get("download_button"):
        button.click().run()
    seen.append(_everything(at))

    at.switch_page("pages/ingest.py").run()
    at.file_uploader(key="ingest.file").upload("x.csv", b"completion,model\nhello,m\n", "text/csv").run()
    at.button(key="ingest.go").click().run()
    seen.append(_everything(at))

    for page in _pages():  # every page, as each draws itself with both keys configured
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        seen.append(_everything(at))

    # Failing calls: a refused model key, then a refused HoneyHive key; no message carries either.
    monkeypatch.setenv(model_variable, model_key + "-wrong")
    refused_model = open_page(studio_app(), "playground")
    refused_model.text_area(key=input_key(TASK, "topic")).set_value("a refused model key")
    refused_model.text_area(key=input_key(TASK, "tone")).set_value("strict")
    next(b for b in refused_model.button if b.label == "Run").click().run()
    assert "refused the model API key" in " ".join(str(e.value) for e in refused_model.error)
    seen.append(_everything(refused_model))
    monkeypatch.setenv("HONEYHIVE_API_KEY", honeyhive_key + "-wrong")
    failing = studio_app()
    failing.run()
    assert "rejected the API key" in " ".join(str(e.value) for e in failing.error)
    seen.append(_everything(failing))

    store = open_stores(database)
    deadline = time.monotonic() + 30
    while set(store.feedback.counts()) - {"sent", "failed"} and time.monotonic() < deadline:
        time.sleep(0.05)  # waiting for the state: the outbox has settled every delivery (events, ratings)
    log = store.log.load_log()
    assert len(log) >= 3  # the run, the production events, the ingested completion
    exports = [fmt.write(log) for fmt in EXPORT_FORMATS.values()]
    files = [path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()]
    captured = capfd.readouterr()

    assert "key hygiene today" in seen[0]  # the page dump really holds what the page drew
    haystacks = [*seen, caplog.text, captured.out, captured.err, log.to_csv()]
    for key in (honeyhive_key, model_key):
        for text in haystacks:
            assert key not in text
        for blob in [*exports, *files]:
            assert key.encode() not in blob
            assert key.encode("utf-16-le") not in blob
    assert len(files) >= 3  # the session database and both emulators' at least
