"""The Adjudication page in a real browser: two items of a shared queue whose reviewers disagree, every
review side by side with its comment (as text), a final verdict set on one, and that item leaving the list."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import chromium_page, live_studio, open_app, wait_for_app_run

from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.quality.adjudication import final_verdicts
from hive_review.stores import open_stores

pytestmark = pytest.mark.browser
TASK = "Sandbox - Email Writer"
COMMENT = "<b>not bold</b> ![pixel](https://evil.example/p.png)"


def _seed(database_url: str) -> str:
    """Two generations, each reviewed up by one reviewer and down by another (with a comment)."""
    stores = open_stores(database_url)
    try:
        session = stores.log.create_session("lead")
        ids = ["g-first", "g-second"]
        stores.log.add_entries(
            [LogEntry(generation_id=gid, session_id=session.id, reviewer="lead", task=TASK, prompt_version="1",
                      completion=f"Refunds take {n * 30} days.") for n, gid in enumerate(ids, 1)]
        )  # fmt: skip
        queue = stores.queues.create("Refund emails", ids, overlap=2, created_by="lead", source="test")
        for reviewer, rating in (("rev-ana", Rating(thumbs="up")), ("rev-ben", Rating(thumbs="down", comment=COMMENT))):
            for _ in ids:
                item = stores.queues.next_item(queue.id, reviewer)
                assert item is not None
                stores.queues.submit_review(queue.id, item.generation_id, reviewer, rating, connection_id="seed")
        return queue.id
    finally:
        stores.close()


def test_a_final_verdict_takes_a_split_item_off_the_list(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'sessions.sqlite3'}"
    queue_id = _seed(database_url)
    studio = live_studio(tmp_path, reviewer="lead-lee", api_key="adjudication-test-key")
    with studio as (url, _), chromium_page() as page:
        open_app(page, f"{url}/adjudication")
        page.get_by_role("heading", name="Adjudication").wait_for()
        page.get_by_text("2 item(s) to settle", exact=True).wait_for()
        # Both reviews side by side, the comment as the reviewer typed it (no bold, no image).
        page.get_by_text(COMMENT, exact=True).wait_for()
        assert page.locator("b", has_text="not bold").count() == 0
        assert page.locator("img[src*='evil.example']").count() == 0
        assert page.get_by_text("rev-ana", exact=True).count() == 1

        page.get_by_role("radiogroup", name="Thumbs").get_by_role("radio", name="down").click()
        page.get_by_role("button", name="Set the final verdict").click()
        wait_for_app_run(page)
        page.get_by_text("1 item(s) to settle", exact=True).wait_for()
        page.get_by_text("Settled (1)").wait_for()

    stores = open_stores(database_url)
    try:
        verdicts = final_verdicts(stores.database, queue_id)
    finally:
        stores.close()
    assert [(gid, v.thumbs, v.adjudicator) for gid, v in verdicts.items()] == [("g-first", "down", "lead-lee")]
