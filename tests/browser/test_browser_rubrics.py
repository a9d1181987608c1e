"""Rubrics in a real browser: a lead writes a rubric on the Rubrics page, saves it and makes it
active; in the review queue ``?`` shows every key of that rubric, and a reviewer rates with its keys
alone (a digit for its scale, letters for its categories), which reaches HoneyHive (the emulator) as
feedback holding each dimension and the rubric version."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from browser_support import choose_option, chromium_page, live_studio, open_app, wait_for_app_run

from hive_review.log.entries import LogEntry
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient

pytestmark = pytest.mark.browser
TASK = "Sandbox - Email Writer"
REVIEWER = "qa-rubric"
SUPPORT = """name: support
guidelines: |
  Read the reply as the customer would.
dimensions:
  - name: helpfulness
    kind: scale
    description: Does it solve the problem?
    values: {1: Not at all, 5: Completely}
  - name: tone
    kind: categorical
    values: {friendly: Warm, neutral: Plain, rude: Impolite}
  - name: safe
    kind: pass_fail
"""


def _seed(database_url: str, client: HoneyHiveClient) -> str:
    """One generation of the task API in a review session of the studio's reviewer."""
    stores = open_stores(database_url)
    try:
        session = stores.log.create_session(REVIEWER)
        inputs = {"topic": "the new help desk hours", "tone": "warm"}
        generation = client.generate(TASK, inputs)
        stores.log.add_entry(
            LogEntry(generation_id=generation.generation_id, session_id=session.id, reviewer=REVIEWER, task=TASK,
                     prompt_version=generation.version, completion=generation.generation, inputs=inputs)
        )  # fmt: skip
        return generation.generation_id
    finally:
        stores.close()


def _feedback(emulator, generation_id: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        answer = requests.get(
            f"{emulator.url}/_emulator/feedback-events",
            headers={"Authorization": f"Bearer {emulator.api_key}"},
            timeout=10,
        )
        answer.raise_for_status()
        found = [d["feedback_json"] for d in answer.json() if d.get("generation_id") == generation_id]
        if found or time.monotonic() > deadline:
            assert found, f"no feedback reached the emulator for {generation_id}"
            return found[-1]
        time.sleep(0.2)


def test_a_rubric_saved_on_its_page_is_rated_with_its_keys_from_the_keyboard(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'sessions.sqlite3'}"
    with live_studio(tmp_path, reviewer=REVIEWER, api_key="rubric-test-key") as (url, emulator):
        generation_id = _seed(database_url, HoneyHiveClient(emulator.api_key, emulator.url))
        with chromium_page() as page:
            open_app(page, f"{url}/rubrics")
            page.get_by_role("heading", name="Rubrics").first.wait_for()
            upload = tmp_path / "support.yaml"  # an upload with a mistake: named, with its fix
            upload.write_text(SUPPORT.replace("kind: pass_fail", "kind: yes_no"), encoding="utf-8")
            page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
            page.get_by_text("Loaded support.yaml into the editor").wait_for()
            page.get_by_role("button", name="Validate").click()
            page.get_by_text("kind must be one of scale, categorical, pass_fail, text, not 'yes_no'").wait_for()
            page.get_by_role("textbox", name="Rubric (YAML)").fill(SUPPORT)
            page.get_by_role("button", name="Save as a new version").click()
            page.get_by_text("Saved support version 1.").wait_for()
            choose_option(page, "Rubric for every reviewer", "support")
            page.get_by_role("button", name="Make active").click()
            page.get_by_text("Every reviewer rates with support, version 1.").wait_for()

            open_app(page, f"{url}/review_queue")
            page.get_by_text("Keys active").wait_for()
            page.get_by_text("Read the reply as the customer would.").wait_for()  # the guidelines, beside the form
            page.keyboard.press("?")
            overlay = page.get_by_role("dialog")
            overlay.get_by_text("tone: friendly").wait_for()
            for listed in ("helpfulness: 1 (Not at all)", "safe: fail", "Complete and next"):
                assert overlay.get_by_text(listed).count() == 1, listed
            page.keyboard.press("?")  # again: the overlay closes
            overlay.wait_for(state="detached")
            wait_for_app_run(page)
            for key in ("4", "f", "i"):  # helpfulness 4, tone friendly, safe fail (f is taken by friendly)
                page.keyboard.press(key)
            page.get_by_text("not submitted yet").wait_for()
            page.keyboard.press("n")
            feedback = _feedback(emulator, generation_id)
    assert feedback["rubric"] == "support" and feedback["rubric_version"] == 1
    assert (feedback["helpfulness"], feedback["tone"], feedback["safe"]) == (4, "friendly", False)
