"""Work is not lost on a reload, in a real browser: an unsent rating given in the review queue and
the inputs typed into the Playground come back after ``page.reload()`` (a new Streamlit session)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import choose_option, chromium_page, live_studio, open_app, wait_for_app_run
from playwright.sync_api import expect

from hive_review.log.entries import LogEntry
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient

pytestmark = pytest.mark.browser
TASK = "Sandbox - Email Writer"
REVIEWER = "qa-drafts"
API_KEY = "drafts-test-key"


def _database(tmp: Path) -> str:
    return f"sqlite:///{tmp / 'sessions.sqlite3'}"


def _seed_one(tmp: Path, emulator: Any) -> str:
    """One unrated generation in a review session of the studio's reviewer."""
    generation = HoneyHiveClient(emulator.api_key, emulator.url).generate(TASK, {"topic": "the rota", "tone": "dry"})
    stores = open_stores(_database(tmp))
    try:
        session = stores.log.create_session(REVIEWER)
        stores.log.add_entry(
            LogEntry(generation_id=generation.generation_id, session_id=session.id, reviewer=REVIEWER, task=TASK,
                     prompt_name="email-writer-v1", prompt_version=generation.version, model=generation.model or "",
                     completion=generation.generation, inputs={"topic": "the rota", "tone": "dry"})
        )  # fmt: skip
        return generation.generation_id
    finally:
        stores.close()


def _wait_until(condition: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def _stored_inputs(tmp: Path) -> dict[str, str] | None:
    stores = open_stores(_database(tmp))
    try:
        return stores.drafts.inputs(REVIEWER, f"playground:{TASK}")
    finally:
        stores.close()


def test_an_unsent_rating_in_the_review_queue_is_there_after_a_reload(tmp_path):
    with live_studio(tmp_path, reviewer=REVIEWER, api_key=API_KEY) as (url, emulator):
        _seed_one(tmp_path, emulator)
        with chromium_page() as page:
            open_app(page, f"{url}/review_queue")
            page.get_by_text("Item 1 of 1").wait_for()
            page.get_by_text("Keys active").wait_for()
            page.keyboard.press("u")
            page.get_by_text("Your rating: 👍 up · not submitted yet").wait_for()
            wait_for_app_run(page)  # the key redrew the form: type into the new comment box, not the old
            comment = page.get_by_role("textbox", name="Comment")
            comment.fill("Too formal for a rota.")
            comment.press("Tab")  # commit the text area
            page.get_by_text("Your rating: 👍 up · comment · not submitted yet").wait_for()
            wait_for_app_run(page)

            page.reload()
            page.get_by_text("Item 1 of 1").wait_for()
            # The summary is drawn from the draft the widgets are seeded with (their values after a
            # new session: tests/app/test_app_drafts.py).
            page.get_by_text("Your rating: 👍 up · comment · not submitted yet").wait_for()


def test_an_input_typed_in_the_playground_is_there_after_a_reload(tmp_path):
    with live_studio(tmp_path, reviewer=REVIEWER, api_key=API_KEY) as (url, _), chromium_page() as page:
        open_app(page, url)
        choose_option(page, "Task", TASK)
        topic = page.get_by_role("textbox", name="topic")
        topic.fill("typed, then the tab reloaded")
        topic.press("Tab")  # commit the text area: its change reaches the studio
        assert _wait_until(lambda: (_stored_inputs(tmp_path) or {}).get("topic") == "typed, then the tab reloaded")
        wait_for_app_run(page)

        page.reload()
        page.get_by_test_id("stAppViewContainer").wait_for()
        wait_for_app_run(page)
        choose_option(page, "Task", TASK)
        expect(page.get_by_role("textbox", name="topic")).to_have_value("typed, then the tab reloaded")
