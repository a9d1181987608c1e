"""Team mode in chromium against ``streamlit run app.py``: a filter of the Session log shared with
the team, then worked on the Review queue: blind before submitting (no count of the others'
reviews, no delivery line), revealed after, and revised through "Revise my review" without
touching the blind verdict."""

from __future__ import annotations

import pytest
from browser_support import choose_option, chromium_page, live_studio, open_app, wait_for_app_run

from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient

pytestmark = pytest.mark.browser
TASK = "Sandbox - Email Writer"
REVIEWER = "qa-rhea"


def _seed(emulator, database_url: str, topics: list[str]) -> list[str]:
    client = HoneyHiveClient(emulator.api_key, emulator.url)
    stores = open_stores(database_url)
    try:
        session = stores.log.create_session(REVIEWER)
        ids = []
        for topic in topics:
            inputs = {"topic": topic, "tone": "brisk"}
            generation = client.generate(TASK, inputs)
            stores.log.add_entry(
                LogEntry(generation_id=generation.generation_id, session_id=session.id, reviewer=REVIEWER, task=TASK,
                         prompt_name="email-writer-v1", prompt_version=generation.version,
                         model=generation.model or "", completion=generation.generation, inputs=inputs)
            )  # fmt: skip
            ids.append(generation.generation_id)
        return ids
    finally:
        stores.close()


def test_share_a_log_filter_then_review_blind_reveal_and_revise(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'sessions.sqlite3'}"
    with (
        live_studio(tmp_path, reviewer=REVIEWER, api_key="browser-reveal-key") as (url, emulator),
        chromium_page() as page,
    ):
        ids = _seed(emulator, database_url, ["lighthouse repair", "lighthouse visit", "garden party"])
        stores = open_stores(database_url)
        try:
            open_app(page, f"{url}/session_log")
            page.get_by_role("radio", name="All sessions").click()  # the rows were logged by another session
            wait_for_app_run(page)
            search = page.get_by_role("textbox", name="Search text")
            search.fill("lighthouse")
            search.press("Enter")
            wait_for_app_run(page)
            page.get_by_text("2 of 3 generations match").wait_for()
            share = page.get_by_test_id("stExpander").filter(has_text="Share with the team")
            share.get_by_text("Share with the team").click()
            share.get_by_role("radio", name="2", exact=True).click()  # reviews per item
            wait_for_app_run(page)
            share.get_by_role("button", name="Share 2 items").click()
            wait_for_app_run(page)
            page.get_by_text("Shared: pick").wait_for()
            [queue] = stores.queues.list()
            assert stores.queues.generation_ids(queue.id) == ids[:2]
            # qa-bob, on another studio, reviews the first item before this reviewer does.
            stores.queues.next_item(queue.id, "qa-bob")
            stores.queues.submit_review(queue.id, ids[0], "qa-bob", Rating(thumbs="down", comment="too long"),
                                        connection_id="elsewhere")  # fmt: skip

            page.get_by_role("link", name="Open the Review queue").click()
            wait_for_app_run(page)
            choose_option(page, "Work through", f"Shared queue · {queue.name}")
            line = page.get_by_test_id("stMarkdown").filter(has_text="of the queue · reserved to you").first
            line.wait_for()
            body = page.get_by_test_id("stMain").inner_text()
            assert "the others' reviews show once you submit" in line.inner_text()
            assert "other review(s)" not in body and "to HoneyHive" not in body and "too long" not in body
            assert "email-writer-v1" not in body

            page.get_by_role("radio", name="Thumbs up").click()
            wait_for_app_run(page)
            page.get_by_role("button", name="Complete and next").click()
            wait_for_app_run(page)
            page.get_by_text("Revealed: the item you just submitted").wait_for()
            page.get_by_text("qa-bob: thumbs down comment: too long").wait_for()
            page.get_by_text("Variant: email-writer-v1").wait_for()

            page.get_by_role("button", name="Revise my review").click()
            popover = page.get_by_test_id("stPopoverBody")
            popover.get_by_role("radio", name="Thumbs down").click()
            popover.get_by_role("textbox", name="Comment").fill("agree with qa-bob")
            popover.get_by_role("button", name="Save revision").click()
            wait_for_app_run(page)
            page.get_by_text("Revision saved; your blind verdict still counts for agreement.").wait_for()

            mine = [r for r in stores.queues.reviews(queue.id) if r["reviewer"] == REVIEWER]
            assert [(r["generation_id"], r["thumbs"]) for r in mine] == [(ids[0], "up")]  # the blind verdict
            [revision] = stores.queues.revisions(queue.id)
            assert (revision["reviewer"], revision["thumbs"], revision["comment"]) == (
                REVIEWER,
                "down",
                "agree with qa-bob",
            )

            # The next item, from the keyboard, on the same blind form: thumbs up, 4 stars, next.
            page.get_by_text("Keys active").wait_for()
            page.get_by_role("heading", name="Review queue").click()  # keys to the page, not a widget
            for key in ("u", "4", "n"):
                page.keyboard.press(key)
            page.get_by_text("Nothing open to you in this queue now").wait_for()
            mine = {r["generation_id"]: (r["thumbs"], r["stars"]) for r in stores.queues.reviews(queue.id)
                    if r["reviewer"] == REVIEWER}  # fmt: skip
            assert mine == {ids[0]: ("up", None), ids[1]: ("up", 4)}
        finally:
            stores.close()
