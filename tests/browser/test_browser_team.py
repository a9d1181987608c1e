"""Team mode in real browsers: two ``streamlit run app.py`` processes on one PostgreSQL database,
reviewers in separate browser contexts (each reviewer id from the page address, as a reload keeps
it), a shared queue worked from both processes, and a rating on one process live in the other's log.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, choose_option, open_app, streamlit_server, wait_for_app_run
from postgres_server import PostgresServer, PostgresUnavailable

from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.stores import Stores, open_stores
from honeyhive_api import HoneyHiveClient
from honeyhive_api.emulator import EmulatorConfig, EmulatorServer

pytestmark = pytest.mark.browser
TASK = "Sandbox - Email Writer"
ITEMS = 40
OVERLAP = 2
RESERVATION_SECONDS = 30  # short, so the abandoned reservation expires within the test
BROWSER_ITEMS_EACH = 10  # items each reviewer completes in the browser; the store completes the rest
REVIEWERS = ("rev-ana", "rev-ben", "rev-cho", "rev-dev")
GONE = "rev-gone"  # opens an item and walks away


@dataclass
class Team:
    urls: tuple[str, str]
    database_url: str
    emulator: EmulatorServer
    stores: Stores
    made: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    tmp = tmp_path_factory.mktemp("team")
    try:
        postgres = PostgresServer().start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        database_url = postgres.create_database()
        config = EmulatorConfig(api_key="team-test-key", db_path=str(tmp / "emulator.sqlite3"), provider="offline")
        with EmulatorServer(config) as emulator:
            env = {
                "HONEYHIVE_API_KEY": emulator.api_key,
                "HONEYHIVE_API": "tasks",
                "HONEYHIVE_BASE_URL": emulator.url,
                "HIVE_REVIEW_DATABASE_URL": database_url,
                "HIVE_REVIEW_REVIEWER": "",  # each browser says who it is in the address
            }
            with streamlit_server(env, tmp / "a.log") as url_a, streamlit_server(env, tmp / "b.log") as url_b:
                stores = open_stores(database_url)
                try:
                    yield Team((url_a, url_b), database_url, emulator, stores)
                finally:
                    stores.close()
    finally:
        postgres.stop()


def _seed(team: Team, reviewer: str, count: int, topic: str) -> list[str]:
    """``count`` generations of the emulator, logged in a review session of ``reviewer``."""
    client = HoneyHiveClient(team.emulator.api_key, team.emulator.url)
    session = team.stores.log.create_session(reviewer)
    ids = []
    for number in range(count):
        inputs = {"topic": f"{topic} {number + 1}", "tone": "brisk"}
        generation = client.generate(TASK, inputs)
        team.stores.log.add_entry(
            LogEntry(generation_id=generation.generation_id, session_id=session.id, reviewer=reviewer, task=TASK,
                     prompt_name="email-writer-v1", prompt_version=generation.version, model=generation.model or "",
                     completion=generation.generation, inputs=inputs)
        )  # fmt: skip
        ids.append(generation.generation_id)
    return ids


def _shown_id(page) -> str:  # type: ignore[no-untyped-def]
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text="Generation id").first
    return caption.inner_text().removeprefix("Generation id").strip()


def _item_line(page):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stMarkdown").filter(has_text="of the queue · reserved to you").first


def _open_shared(page, url: str, reviewer: str, label: str) -> None:  # type: ignore[no-untyped-def]
    open_app(page, f"{url}/review_queue?reviewer={reviewer}")
    choose_option(page, "Work through", label)
    _item_line(page).wait_for()
    page.get_by_role("heading", name="Review queue").click()  # keys to the page, not the source picker


def test_four_reviewers_on_two_processes_share_a_queue_with_overlap_two(team: Team) -> None:
    from playwright.sync_api import sync_playwright

    ids = _seed(team, "team-lead", ITEMS, "shared topic")
    queue = team.stores.queues.create(
        "Team forty", ids, overlap=OVERLAP, reservation_seconds=RESERVATION_SECONDS, created_by="team-lead",
        source="test seed",
    )  # fmt: skip
    label = f"Shared queue · {queue.name}"
    completed: dict[str, list[str]] = {reviewer: [] for reviewer in REVIEWERS}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            pages = {}
            for number, reviewer in enumerate(REVIEWERS):  # two reviewers on each process
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                page.set_default_timeout(30_000)
                _open_shared(page, team.urls[number % 2], reviewer, label)
                page.get_by_text("Keys active").wait_for()
                pages[reviewer] = page
            # The reviewer who walks away: opens an item on process A, then closes the tab.
            gone_context = browser.new_context(viewport={"width": 1400, "height": 1000})
            gone_page = gone_context.new_page()
            gone_page.set_default_timeout(30_000)
            _open_shared(gone_page, team.urls[0], GONE, label)
            abandoned = _shown_id(gone_page)
            gone_context.close()
            # Still held as the others start: its slot returns only when the reservation expires.
            assert team.stores.queues.progress(queue.id).reviewers[GONE].reserved == 1

            for _ in range(BROWSER_ITEMS_EACH):
                for reviewer, page in pages.items():
                    line = _item_line(page)
                    before = line.inner_text()
                    shown = _shown_id(page)
                    for key in ("u", "4", "n"):
                        page.keyboard.press(key)
                    # The item line changes once the review is in and the next item is reserved.
                    page.get_by_test_id("stMarkdown").filter(has_text=before.split(" · ")[0] + " ").wait_for(
                        state="detached"
                    )
                    wait_for_app_run(page)
                    completed[reviewer].append(shown)
            # The others' work shows in each reviewer's team progress (a fragment, every 3 s).
            done = len(team.stores.queues.reviews(queue.id))
            pages[REVIEWERS[0]].get_by_text(f"{done} of {ITEMS * OVERLAP} reviews").wait_for(timeout=10_000)
        finally:
            browser.close()

    # What the browsers submitted is in the store (a review that lost its reservation is not: the
    # page says so and moves on, which a slow shared machine can cause).
    given = Counter(str(r["reviewer"]) for r in team.stores.queues.reviews(queue.id))
    assert sum(given.values()) >= len(REVIEWERS) * BROWSER_ITEMS_EACH - 2, given
    assert all(given[reviewer] <= len(items) for reviewer, items in completed.items()), (given, completed)

    # The rest through the store, as the same four reviewers would from their studios.
    deadline = time.monotonic() + 90
    while team.stores.queues.progress(queue.id).items_done < ITEMS:
        assert time.monotonic() < deadline, team.stores.queues.progress(queue.id)
        took = False
        for reviewer in REVIEWERS:
            item = team.stores.queues.next_item(queue.id, reviewer)
            if item is not None:
                team.stores.queues.submit_review(
                    queue.id, item.generation_id, reviewer, Rating(thumbs="up", stars=3), connection_id="drill"
                )
                completed[reviewer].append(item.generation_id)
                took = True
        if not took:  # only the abandoned slot is left: wait for its reservation to expire
            time.sleep(0.5)

    reviews = team.stores.queues.reviews(queue.id)
    by_item: dict[str, list[str]] = {}
    for review in reviews:
        by_item.setdefault(str(review["generation_id"]), []).append(str(review["reviewer"]))
    assert sorted(by_item) == sorted(ids)
    assert all(len(who) == OVERLAP and len(set(who)) == OVERLAP for who in by_item.values()), by_item
    for reviewer, items in completed.items():
        assert len(items) == len(set(items)), f"{reviewer} got an item twice"
    assert GONE not in {reviewer for who in by_item.values() for reviewer in who}
    assert len(by_item[abandoned]) == OVERLAP  # its abandoned slot went to someone else
    assert team.stores.queues.agreement(queue.id).thumbs.items == ITEMS


def test_a_rating_on_process_a_shows_in_the_log_of_process_b_within_five_seconds(team: Team) -> None:
    from playwright.sync_api import expect, sync_playwright

    reviewer = "rev-log"
    [generation_id] = _seed(team, reviewer, 1, "live log")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            log_page = browser.new_context(viewport={"width": 3000, "height": 1000}).new_page()
            log_page.set_default_timeout(30_000)
            open_app(log_page, f"{team.urls[1]}/session_log?reviewer={reviewer}")
            log_page.get_by_text("1 of 1 generations match · 0 rated.").wait_for()
            table = log_page.get_by_test_id("stDataFrame").first
            # The grid draws on a canvas and keeps an accessible copy of the cells in view only: a wide
            # window keeps the Rating column in view.
            headers = table.locator("[role=columnheader]")
            headers.filter(has_text="Rating").first.wait_for(state="attached")
            rating_cell = table.locator("td").nth(headers.all_inner_texts().index("Rating"))  # one row
            expect(rating_cell).to_have_text("")

            rater = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            rater.set_default_timeout(30_000)
            open_app(rater, f"{team.urls[0]}/review_queue?reviewer={reviewer}")
            rater.get_by_text("Item 1 of 1").wait_for()
            assert _shown_id(rater) == generation_id
            rater.get_by_text("Keys active").wait_for()
            for key in ("u", "4", "enter"):
                rater.keyboard.press("Control+Enter" if key == "enter" else key)
            rater.get_by_text("1 done").wait_for()  # committed on process A
            committed = time.monotonic()
            assert team.stores.log.get_entry(generation_id)["rating"] == 4

            # No click on B: its table refreshes on its own.
            expect(rating_cell).to_have_text("4", timeout=5_000)  # the copy holds the value, unformatted
            log_page.get_by_text("1 of 1 generations match · 1 rated.").wait_for(timeout=1_000)
            assert time.monotonic() - committed < 5
        finally:
            browser.close()
