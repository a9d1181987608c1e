"""The studio on HoneyHive's current API (configurations, events), detected or chosen, beside the
task API: every page in both modes, detection in both directions, and a run rated end to end."""

from __future__ import annotations

import time

import pytest
from apptest_support import open_page, studio_app, texts
from gateway_support import gateway
from page_checks import emulator_api, shown, shown_generation_ids
from requests import HTTPError

from ui.state import PLAYGROUND, input_key, rating_key

TASK = "Sandbox - Email Writer"
PAGES = ("playground", "compare", "batch", "review_queue", "ingest", "session_log", "numbers")
NOT_FOUND = (404, b'{"statusCode": 404, "message": "Not found", "success": false}')


@pytest.fixture
def current_studio_env(studio_env, monkeypatch):
    """The studio on the emulator as today's HoneyHive: the API detected, the emulator's own
    OpenAI-compatible endpoint as the model endpoint."""
    monkeypatch.delenv("HONEYHIVE_API", raising=False)
    monkeypatch.setenv("HIVE_REVIEW_MODEL_BASE_URL", f"{studio_env.url}/v1")
    monkeypatch.setenv("HIVE_REVIEW_MODEL_API_KEY", studio_env.api_key)
    return studio_env


def _sidebar(at) -> str:
    return "\n".join(shown(str(caption.value)) for caption in at.sidebar.caption)


@pytest.mark.parametrize("api", ["tasks", "current"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_apis(current_studio_env, monkeypatch, api, page):
    monkeypatch.setenv("HONEYHIVE_API", api)
    at = open_page(studio_app(), page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title
    assert ("current API" if api == "current" else "task API") in _sidebar(at)


def test_auto_detects_the_current_api(current_studio_env):
    at = open_page(studio_app(), "playground")
    assert "current API (configurations, events) (detected)" in _sidebar(at)
    assert [box.label for box in at.sidebar.selectbox if box.label == "Environment"] == ["Environment"]


def test_auto_falls_back_to_the_task_api_where_configurations_are_missing(current_studio_env, monkeypatch):
    older = lambda method, path: NOT_FOUND if path.startswith("/v1/") else None  # noqa: E731
    with gateway(current_studio_env.url, older) as server:
        monkeypatch.setenv("HONEYHIVE_BASE_URL", server.url)
        at = open_page(studio_app(), "playground")
        assert not at.exception and not at.error
        assert "task API (the proxy) (detected)" in _sidebar(at)


def test_neither_api_is_a_message_naming_the_url_and_what_was_tried(current_studio_env, monkeypatch):
    nothing = lambda method, path: NOT_FOUND  # noqa: E731
    with gateway(current_studio_env.url, nothing) as server:
        monkeypatch.setenv("HONEYHIVE_BASE_URL", server.url)
        at = studio_app()
        at.run()
    assert not at.exception
    message = " ".join(shown(str(error.value)) for error in at.error)
    assert server.url in message
    assert "GET /v1/configurations answered 404" in message and "GET /tasks answered 404" in message
    assert not at.title


def _event_once_logged(emulator, event_id: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return emulator_api(emulator, "GET", f"/v1/events/{event_id}").json()["event"]
        except HTTPError as error:  # 404 until the outbox has sent it
            if error.response is None or error.response.status_code != 404 or time.monotonic() > deadline:
                raise
        time.sleep(0.05)


def test_a_run_on_the_current_api_is_an_event_and_its_rating_is_feedback_on_it(current_studio_env):
    emulator = current_studio_env
    at = open_page(studio_app(), "playground")
    at.selectbox(key=PLAYGROUND.task).set_value(TASK).run()
    at.text_area(key=input_key(TASK, "topic")).set_value("the launch moves to May")
    at.text_area(key=input_key(TASK, "tone")).set_value("friendly")
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [event_id] = shown_generation_ids(at)
    # The run committed its event to the outbox, which sends it in the background (POST /events/batch).
    event = _event_once_logged(emulator, event_id)
    assert event["event_type"] == "model"
    posts = emulator_api(emulator, "GET", "/_emulator/requests").json()["requests"]
    logged = {row["path"]: row["received"] for row in posts if row["method"] == "POST"}
    assert logged.get("/events/batch", 0) >= 1 and "/events" not in logged  # through the outbox, not in the run
    assert event["inputs"]["topic"] == "the launch moves to May"
    assert event["user_properties"]["user_id"] == "qa-alice"
    assert "prod" in event["config"]["env"] or event["config"].get("env") == "prod"

    at.feedback(key=rating_key(event_id, "stars")).set_value(3).run()
    at.button(key=rating_key(event_id, "submit")).click().run()
    deadline = time.monotonic() + 20
    feedback: dict = {}
    while feedback.get("rating") != 4 and time.monotonic() < deadline:
        feedback = emulator_api(emulator, "GET", f"/v1/events/{event_id}").json()["event"].get("feedback") or {}
        time.sleep(0.1)  # waiting for the state: the outbox's PUT /events has arrived
    assert feedback["rating"] == 4 and feedback["reviewer"] == "qa-alice"


def test_without_a_model_endpoint_the_sidebar_says_so_and_pages_render(current_studio_env, monkeypatch):
    monkeypatch.delenv("HIVE_REVIEW_MODEL_BASE_URL")
    monkeypatch.delenv("HIVE_REVIEW_MODEL_API_KEY")
    for page in ("playground", "review_queue", "session_log"):
        at = open_page(studio_app(), page)
        assert not at.exception
        assert "No model endpoint is configured" in texts(at) + " ".join(
            shown(str(w.value)) for w in at.sidebar.warning
        )
