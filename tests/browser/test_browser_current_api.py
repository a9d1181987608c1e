"""Today's HoneyHive in Debian's chromium: the studio detects the current API, runs the prompt
deployed to an environment on the model endpoint, logs it as an event, and the reviewer's rating
arrives as feedback on that event (``GET /v1/events/{id}``)."""

from __future__ import annotations

import time

import pytest
import requests
from browser_support import choose_option, chromium_page, live_studio, open_app, wait_for_app_run

pytestmark = pytest.mark.browser
TASK = "Sandbox - Email Writer"


def _event(emulator, event_id: str) -> dict:
    answer = requests.get(
        f"{emulator.url}/v1/events/{event_id}", headers={"Authorization": f"Bearer {emulator.api_key}"}, timeout=5
    )
    answer.raise_for_status()
    return answer.json()["event"]


def _exported(emulator, topic: str) -> list[dict]:
    return requests.post(
        f"{emulator.url}/v1/events/export",
        json={"filters": [{"field": "inputs.topic", "operator": "is", "value": topic, "type": "string"}]},
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=5,
    ).json()["events"]


def _choose_on_the_page(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick ``option`` in the main area's selectbox ``label`` (the sidebar has one of that name too)."""
    box = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    box.get_by_role("combobox").click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app_run(page)


def test_pick_fill_run_rate_and_the_feedback_is_on_the_event(tmp_path):
    with (
        live_studio(tmp_path, reviewer="qa-dana", api_key="browser-current-key", api="auto") as (url, emulator),
        chromium_page() as page,
    ):
        open_app(page, url)
        page.get_by_test_id("stSidebar").get_by_text("current API (configurations, events) (detected)").wait_for()
        _choose_on_the_page(page, "Environment", "staging")
        sidebar_environment = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Environment")
        assert sidebar_environment.input_value() == "staging"  # the page's picker moved the sidebar's
        choose_option(page, "Prompt", TASK)
        panel = page.get_by_test_id("stExpander").filter(has_text="Deployed prompt (staging)")
        assert "Provider openai" in panel.inner_text() and "Env staging" in panel.inner_text()
        page.get_by_role("textbox", name="topic").fill("the new parking rules")
        page.get_by_role("textbox", name="tone").fill("plain")
        page.get_by_role("button", name="Run").click()
        wait_for_app_run(page)
        page.get_by_test_id("stCode").filter(has_text="the new parking rules").first.wait_for()

        page.get_by_role("radio", name="Thumbs down").click()
        wait_for_app_run(page)
        page.get_by_role("radio", name="2 out of 5 stars").click()
        wait_for_app_run(page)
        page.get_by_role("button", name="Submit rating").click()
        wait_for_app_run(page)
        page.get_by_text("Rating delivered to HoneyHive").wait_for(timeout=20_000)
        event_id = page.get_by_text("Generation id").first.inner_text().split()[-1]
        assert emulator.api_key not in page.url and emulator.api_key not in page.content()

        event = _event(emulator, event_id)
        assert event["event_type"] == "model"
        assert event["inputs"]["topic"] == "the new parking rules"
        assert event["config"]["env"] == "staging" or "staging" in event["config"]["env"]
        feedback = event["feedback"]
        assert (feedback["accepted"], feedback["rating"], feedback["reviewer"]) == (False, 2, "qa-dana")


def test_the_event_log_reaches_honeyhive_once_per_run(tmp_path):
    with (
        live_studio(tmp_path, reviewer="qa-erin", api_key="browser-current-key2", api="current") as (url, emulator),
        chromium_page() as page,
    ):
        open_app(page, url)
        choose_option(page, "Prompt", TASK)
        page.get_by_role("textbox", name="topic").fill("one event only")
        page.get_by_role("textbox", name="tone").fill("dry")
        page.get_by_role("button", name="Run").click()
        wait_for_app_run(page)
        page.get_by_test_id("stCode").filter(has_text="one event only").first.wait_for()
        event_id = page.get_by_text("Generation id").first.inner_text().split()[-1]
        # The page shows the run once its event is committed to the outbox, which sends it in the
        # background (POST /events/batch, within a fraction of a second): exactly one, with the page's id.
        deadline = time.monotonic() + 20
        while not (found := _exported(emulator, "one event only")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [event["event_id"] for event in found] == [event_id]
