"""The studio through Streamlit's real runtime (AppTest), against the emulator over HTTP."""

from __future__ import annotations

import json
import socket

from apptest_support import open_page, studio_app, texts
from page_checks import feedback_of, generations, shown_errors, shown_generation_ids

from ui.state import PLAYGROUND, input_key, rating_key

TASK = "Sandbox - Email Writer"


def _run_email_writer(at, topic: str = "the launch moves to May", tone: str = "friendly"):
    at.selectbox(key=PLAYGROUND.task).set_value(TASK).run()
    at.text_area(key=input_key(TASK, "topic")).set_value(topic)
    at.text_area(key=input_key(TASK, "tone")).set_value(tone)
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _latest_generation_id(at) -> str:
    """The newest run's id, as the page shows it (the recent runs are drawn newest first)."""
    ids = shown_generation_ids(at)
    assert ids, "the page shows no run"
    return ids[0]


def test_every_page_renders_with_the_emulator(studio_env):
    for page in ("playground", "compare", "batch", "review_queue", "ingest", "session_log", "numbers"):
        at = open_page(studio_app(), page)
        assert not at.exception, (page, [e.value for e in at.exception])
        assert at.title, page


def test_playground_shows_the_deployed_prompt_and_its_variants(studio_env):
    at = open_page(studio_app(), "playground")
    at.selectbox(key=PLAYGROUND.task).set_value(TASK).run()
    variant_picker = at.selectbox(key=PLAYGROUND.variant(TASK))
    assert len(variant_picker.options) >= 2
    assert "deployed" in variant_picker.format_func(variant_picker.value)
    assert any("{{topic}}" in code.value for code in at.code)
    assert {ta.label for ta in at.text_area} >= {"topic", "tone"}


def test_run_then_rate_then_edit_the_rating(studio_env):
    at = _run_email_writer(open_page(studio_app(), "playground"))
    generation_id = _latest_generation_id(at)
    # The offline provider quotes the filled-in prompt, so the completion names the topic.
    assert any("the launch moves to May" in code.value for code in at.code)
    assert generation_id in texts(at)

    at.feedback(key=rating_key(generation_id, "thumbs")).set_value(1)
    at.feedback(key=rating_key(generation_id, "stars")).set_value(3)  # index 3 = 4 stars
    at.text_area(key=rating_key(generation_id, "comment")).set_value("Clear, but too long.")
    at.text_area(key=rating_key(generation_id, "ideal")).set_value("Launch moves to May.")
    at.button(key=rating_key(generation_id, "submit")).click().run()
    assert not at.exception

    stored = feedback_of(studio_env, TASK, generation_id)
    assert stored["accepted"] is True
    assert stored["rating"] == 4
    assert stored["comment"] == "Clear, but too long."
    assert stored["reviewer"] == "qa-alice"

    at.feedback(key=rating_key(generation_id, "stars")).set_value(4)  # edit: 5 stars
    at.button(key=rating_key(generation_id, "submit")).click().run()
    stored = feedback_of(studio_env, TASK, generation_id, until=lambda fb: fb.get("rating") == 5)
    assert stored["rating"] == 5
    assert stored["accepted"] is True  # unchanged keys stay


def test_rating_draft_survives_a_trip_to_another_page(studio_env):
    at = _run_email_writer(open_page(studio_app(), "playground"))
    generation_id = _latest_generation_id(at)
    at.feedback(key=rating_key(generation_id, "stars")).set_value(1).run()
    at.switch_page("pages/session_log.py").run()
    at.switch_page("pages/playground.py").run()
    assert at.feedback(key=rating_key(generation_id, "stars")).value == 1


def test_missing_variables_are_named_and_nothing_is_sent(studio_env):
    at = open_page(studio_app(), "playground")
    before = len(generations(studio_env, TASK))
    at = _run_email_writer(at, topic="budget review", tone="   ")
    errors = shown_errors(at)
    assert "`tone`" in errors
    assert "`topic`" not in errors
    assert len(generations(studio_env, TASK)) == before
    assert not shown_generation_ids(at)  # no run on the page either


def test_an_input_of_one_megabyte_gets_a_clear_message(studio_env):
    at = open_page(studio_app(), "playground")
    at = _run_email_writer(at, topic="x" * 1_048_576)
    assert "`topic` is 1,048,576 characters long" in shown_errors(at)


def test_a_wrong_api_key_is_explained_without_showing_it(studio_env, monkeypatch):
    canary = "hh-canary-WRONG-key-0123456789"
    monkeypatch.setenv("HONEYHIVE_API_KEY", canary)
    at = studio_app()
    at.run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "rejected the API key" in errors
    assert canary not in texts(at) + errors


def test_an_unreachable_base_url_is_explained(studio_env, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("HONEYHIVE_BASE_URL", f"http://127.0.0.1:{closed_port}")
    at = studio_app()
    at.run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Cannot reach HoneyHive" in errors
    assert "HONEYHIVE_BASE_URL" in errors


def test_session_log_lists_the_run_and_offers_every_export(studio_env):
    at = _run_email_writer(open_page(studio_app(), "playground"))
    generation_id = _latest_generation_id(at)
    at.switch_page("pages/session_log.py").run()
    assert not at.exception
    table = at.dataframe[0].value  # the log table comes first; the per-version summary follows
    assert generation_id in set(table["generation_id"])
    assert json.loads(table.loc[table["generation_id"] == generation_id, "inputs_json"].iloc[0])["tone"] == "friendly"
    labels = {button.label for button in at.get("download_button")}
    assert labels == {"CSV", "JSONL", "Parquet", "Excel"}
