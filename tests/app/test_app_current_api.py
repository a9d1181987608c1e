"""The studio on HoneyHive's current API (configurations, events), detected or chosen, beside the
task API: every page in both modes, detection in both directions, and a run rated end to end."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from apptest_support import open_page, studio_app, texts
from gateway_support import gateway
from page_checks import emulator_api, shown, shown_generation_ids
from requests import HTTPError

from honeyhive_api.emulator.store import EmulatorStore
from ui.state import BATCH, COMPARE, PLAYGROUND, Keys, input_key, rating_key

ROOT = Path(__file__).resolve().parents[2]
TASK = "Sandbox - Email Writer"
PAGES = (
    "playground",
    "compare",
    "batch",
    "review_queue",
    "ingest",
    "session_log",
    "adjudication",
    "numbers",
    "rubrics",
)
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


def test_pages_names_every_page_file():
    """A page added later is rendered in both modes here, or this fails."""
    assert sorted(PAGES) == sorted(path.stem for path in (ROOT / "pages").glob("*.py"))


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
    assert event["user_properties"] == {"reviewer": "qa-alice", "user_id": "qa-alice"}
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


# ---- the pickers: Prompt and Environment ----------------------------------------------------------------


def _main_selectboxes(at) -> list[str]:
    return [box.label for box in at.main.selectbox]


@pytest.mark.parametrize(("page", "keys"), [("playground", PLAYGROUND), ("compare", COMPARE), ("batch", BATCH)])
def test_the_current_api_s_pickers_are_prompt_and_environment(current_studio_env, page, keys):
    at = open_page(studio_app(), page)
    labels = _main_selectboxes(at)
    assert "Prompt" in labels and "Environment" in labels and "Task" not in labels
    assert at.selectbox(key=keys.task).label == "Prompt"
    assert at.selectbox(key=keys.task).value == TASK
    assert at.selectbox(key=keys("environment")).options == ["prod", "staging", "dev"]
    assert at.selectbox(key=keys("environment")).value == "prod"  # the default


def test_the_task_api_keeps_its_task_picker(current_studio_env, monkeypatch):
    monkeypatch.setenv("HONEYHIVE_API", "tasks")
    for page in ("playground", "compare", "batch", "ingest"):
        labels = _main_selectboxes(open_page(studio_app(), page))
        assert "Task" in labels and "Prompt" not in labels and "Environment" not in labels, (page, labels)


def _configuration_in(emulator, env: str) -> dict:
    listed = emulator_api(emulator, "GET", "/v1/configurations", params={"env": env}).json()
    configurations = listed["configurations"] if isinstance(listed, dict) else listed
    [configuration] = [c for c in configurations if TASK in c["tags"]]
    return configuration


def _prompt_panel(at) -> tuple[str, str]:
    """The Playground's prompt panel: its title, and what it says beside the messages."""
    [panel] = [e for e in at.main.expander if "rompt" in shown(e.label)]
    return shown(panel.label), "\n".join(shown(str(m.value)) for m in panel.markdown)


def test_the_environment_picked_on_the_page_is_the_sidebar_s_and_its_configuration_runs(current_studio_env):
    emulator = current_studio_env
    prod, staging = _configuration_in(emulator, "prod"), _configuration_in(emulator, "staging")
    at = open_page(studio_app(), "playground")
    title, details = _prompt_panel(at)
    assert title == f"Deployed prompt (prod): {prod['name']}"
    assert f"Provider {prod['provider']}" in details and "Env prod" in details
    assert f"Model {prod['parameters']['model']} configured" in details
    assert at.selectbox(key=PLAYGROUND.variant(TASK)).value == prod["name"]

    at.selectbox(key=PLAYGROUND("environment")).set_value("staging").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.selectbox(key=Keys.ENVIRONMENT).value == "staging"  # one setting, two pickers
    title, details = _prompt_panel(at)
    assert title == f"Deployed prompt (staging): {staging['name']}"
    assert f"Provider {staging['provider']}" in details and "Env staging" in details
    assert at.selectbox(key=PLAYGROUND.variant(TASK)).value == staging["name"]  # the deployed one follows

    at.text_area(key=input_key(TASK, "topic")).set_value("the staging prompt")
    at.text_area(key=input_key(TASK, "tone")).set_value("curious")
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [event_id] = shown_generation_ids(at)
    config = _event_once_logged(emulator, event_id)["config"]
    assert config["configuration_id"] == staging["id"] and "staging" in config["env"]

    at.sidebar.selectbox(key=Keys.ENVIRONMENT).set_value("dev").run()
    assert at.selectbox(key=PLAYGROUND("environment")).value == "dev"  # and back the other way
    title, details = _prompt_panel(at)
    assert title.startswith("Prompt variant (not deployed to dev): ")  # nothing is deployed to dev


# ---- no key, auto: the emulator is HoneyHive and the model endpoint -------------------------------------


def test_no_key_and_auto_run_on_the_studio_s_own_emulator_as_honeyhive_and_model(
    current_studio_env, monkeypatch, tmp_path
):
    for name in ("HONEYHIVE_API_KEY", "HONEYHIVE_BASE_URL", "HIVE_REVIEW_MODEL_BASE_URL", "HIVE_REVIEW_MODEL_API_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("HONEYHIVE_API", "auto")
    monkeypatch.setenv("HIVE_REVIEW_EMULATOR_PROVIDER", "offline")
    own_db = tmp_path / "studio-own-emulator.sqlite3"
    monkeypatch.setenv("HIVE_REVIEW_EMULATOR_DB", str(own_db))
    at = open_page(studio_app(), "playground")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Local HoneyHive emulator" in " ".join(str(s.value) for s in at.sidebar.success)
    assert "current API (configurations, events) (detected)" in _sidebar(at)
    assert not at.sidebar.warning  # a model endpoint is there: the emulator's own
    at.text_area(key=input_key(TASK, "topic")).set_value("offline end to end")
    at.text_area(key=input_key(TASK, "tone")).set_value("calm")
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [event_id] = shown_generation_ids(at)
    assert "offline" in texts(at)  # the emulator's offline model answered, and the page says so

    store = EmulatorStore(str(own_db))  # the studio's emulator keeps its key to itself: read its file
    try:
        deadline = time.monotonic() + 20
        while (event := store.events.get(event_id)) is None and time.monotonic() < deadline:
            time.sleep(0.05)  # waiting for the state: the outbox has sent the event
    finally:
        store.close()
    assert event is not None, "the run's event never reached the studio's emulator"
    assert event["event_type"] == "model" and event["inputs"]["topic"] == "offline end to end"


# ---- detection: once per connection ----------------------------------------------------------------------


def _configuration_gets(emulator) -> int:
    rows = emulator_api(emulator, "GET", "/_emulator/requests").json()["requests"]
    return sum(r["received"] for r in rows if (r["method"], r["path"]) == ("GET", "/v1/configurations"))


def _a_morning_of_sessions() -> None:
    """Three reviewers' sessions, each opening three pages (every run rebuilds the studio)."""
    for _ in range(3):
        at = open_page(studio_app(), "playground")
        for page in ("compare", "session_log"):
            at.switch_page(f"pages/{page}.py").run()
            assert not at.exception, [e.value for e in at.exception]


def test_auto_asks_which_api_once_per_connection(emulator_factory, current_studio_env, monkeypatch):
    """The same sessions on two fresh emulators, the API chosen on one and detected on the other:
    the only difference in ``GET /v1/configurations`` (which also lists the prompts) is one probe."""
    counts = {}
    for choice in ("current", "auto"):
        emulator = emulator_factory(api_key=f"detection-{choice}-key")
        monkeypatch.setenv("HONEYHIVE_API_KEY", emulator.api_key)
        monkeypatch.setenv("HONEYHIVE_BASE_URL", emulator.url)
        monkeypatch.setenv("HIVE_REVIEW_MODEL_BASE_URL", f"{emulator.url}/v1")
        monkeypatch.setenv("HIVE_REVIEW_MODEL_API_KEY", emulator.api_key)
        monkeypatch.setenv("HONEYHIVE_API", choice)
        emulator_api(emulator, "DELETE", "/_emulator/requests")
        _a_morning_of_sessions()
        counts[choice] = _configuration_gets(emulator)
    assert counts["current"] >= 1  # the prompts were listed
    assert counts["auto"] == counts["current"] + 1, counts


# ---- HONEYHIVE_API: secrets, then the environment, then the sidebar --------------------------------------


def test_honeyhive_api_comes_from_secrets_then_the_environment_then_the_sidebar(current_studio_env, monkeypatch):
    monkeypatch.setenv("HONEYHIVE_API", "current")
    at = studio_app()
    at.secrets["HONEYHIVE_API"] = "tasks"
    at.run()
    assert "task API (the proxy)" in _sidebar(at) and "(detected)" not in _sidebar(at)
    assert "HoneyHive API" not in [box.label for box in at.sidebar.selectbox]  # set for everyone

    at = studio_app()
    at.run()
    assert "current API (configurations, events)" in _sidebar(at) and "(detected)" not in _sidebar(at)
    assert "HoneyHive API" not in [box.label for box in at.sidebar.selectbox]

    monkeypatch.delenv("HONEYHIVE_API")
    at = studio_app()
    at.run()
    assert "current API (configurations, events) (detected)" in _sidebar(at)  # auto by default
    at.sidebar.selectbox(key=Keys.API_CHOICE).set_value("tasks").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "task API (the proxy)" in _sidebar(at)


# ---- where HoneyHive shows the key: the README and the 401 message agree ---------------------------------

KEY_PLACE = "Settings > Project > API Keys"  # a current key belongs to one project


def test_the_401_message_and_the_readme_name_the_same_place_for_the_key(current_studio_env, monkeypatch):
    monkeypatch.setenv("HONEYHIVE_API_KEY", "a-wrong-key")
    at = studio_app()
    at.run()
    message = " ".join(shown(str(error.value)) for error in at.error)
    assert "rejected the API key" in message and KEY_PLACE in message
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(KEY_PLACE) >= 2  # "Connecting to HoneyHive today" and the settings table
    assert "Settings > Account" not in readme
