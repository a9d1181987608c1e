"""The reviewer's day in a real browser: the review queue and Ingest show what produced a completion,
one form with one clear state, messages beside their action, light pages, every key applied however
slow the server, and an annotation queue of production events worked from the keyboard.

Each studio is started here (not with ``live_studio``) so that the same file also runs against an
older checkout of the studio, where these tests fail: that is how each is known to test something.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
import requests
from browser_support import chromium_page, open_app, streamlit_server, wait_for_app_run

from hive_review.log.entries import LogEntry
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient
from honeyhive_api.emulator import EmulatorConfig, EmulatorServer

pytestmark = pytest.mark.browser
TASK = "Sandbox - Email Writer"
REVIEWER = "qa-keys"
MAX_TOKENS = 160  # email-writer-v1's max_tokens in the emulator's seed
EMAIL_QUEUE = "Email writer - production sample"


@contextmanager
def studio(tmp: Path, *, api: str) -> Iterator[tuple[str, EmulatorServer]]:
    config = EmulatorConfig(api_key="queue-test-key", db_path=str(tmp / "emulator.sqlite3"), provider="offline")
    with EmulatorServer(config) as emulator:
        env = {
            "HONEYHIVE_API_KEY": emulator.api_key,
            "HONEYHIVE_API": api,
            "HONEYHIVE_BASE_URL": emulator.url,
            "HIVE_REVIEW_DATABASE_URL": f"sqlite:///{tmp / 'sessions.sqlite3'}",
            "HIVE_REVIEW_REVIEWER": REVIEWER,
        }
        with streamlit_server(env, tmp / "streamlit.log") as url:
            yield url, emulator


def _api(emulator: EmulatorServer, method: str, path: str, **kwargs) -> requests.Response:
    answer = requests.request(
        method, f"{emulator.url}{path}", headers={"Authorization": f"Bearer {emulator.api_key}"}, timeout=10, **kwargs
    )
    answer.raise_for_status()
    return answer


def _seed(tmp: Path, emulator: EmulatorServer, count: int, *, cut_off_first: bool = False) -> list[str]:
    """``count`` generations of the task API in a review session of the studio's reviewer."""
    client = HoneyHiveClient(emulator.api_key, emulator.url)
    stores = open_stores(f"sqlite:///{tmp / 'sessions.sqlite3'}")
    try:
        session = stores.log.create_session(REVIEWER)
        ids = []
        for number in range(count):
            inputs = {"topic": f"agenda item {number + 1}", "tone": "brisk"}
            generation = client.generate(TASK, inputs)
            tokens = MAX_TOKENS if cut_off_first and number == 0 else 12
            stores.log.add_entry(
                LogEntry(generation_id=generation.generation_id, session_id=session.id, reviewer=REVIEWER, task=TASK,
                         prompt_name="email-writer-v1", prompt_version=generation.version, model=generation.model or "",
                         completion=generation.generation, inputs=inputs, completion_tokens=tokens)
            )  # fmt: skip
            ids.append(generation.generation_id)
        return ids
    finally:
        stores.close()


def _wait_until(condition, timeout: float = 60.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def _latest_feedback(emulator: EmulatorServer, key: str = "generation_id") -> dict[str, dict]:
    """Each generation's (or event's) last feedback delivery the emulator processed."""
    latest: dict[str, dict] = {}
    for delivery in _api(emulator, "GET", "/_emulator/feedback-events").json():
        feedback = delivery.get("feedback_json") or delivery.get("feedback") or {}
        latest[str(delivery.get(key) or delivery.get("event_id") or delivery.get("generation_id"))] = feedback
    return latest


def test_twenty_items_rated_u4n_without_a_pause_all_arrive_with_thumbs_and_stars(tmp_path):
    with studio(tmp_path, api="tasks") as (url, emulator):
        ids = _seed(tmp_path, emulator, 20)
        _api(emulator, "PUT", "/_emulator/faults", json={"latency_ms": 300})
        with chromium_page() as page:
            open_app(page, f"{url}/review_queue")
            page.get_by_text("Item 1 of 20").wait_for()
            page.get_by_text("Keys active").wait_for()  # the key listener has loaded
            for _ in ids:
                for key in ("u", "4", "n"):  # no pause, no waiting for the page between keys
                    page.keyboard.press(key)
            page.get_by_text("20 done").wait_for(timeout=120_000)

        def all_arrived() -> dict[str, dict] | None:
            latest = _latest_feedback(emulator)
            return latest if all(latest.get(gid, {}).get("rating") == 4 for gid in ids) else None

        latest = _wait_until(all_arrived) or _latest_feedback(emulator)
        missing = [gid for gid in ids if latest.get(gid, {}).get("rating") != 4]
        assert not missing, f"{len(missing)} of 20 arrived without 4 stars: {[latest.get(g) for g in missing]}"
        assert all(latest[gid]["accepted"] is True for gid in ids)


def test_one_clear_rating_state_and_the_message_beside_its_key(tmp_path):
    with studio(tmp_path, api="tasks") as (url, emulator):
        _seed(tmp_path, emulator, 2)
        with chromium_page() as page:
            open_app(page, f"{url}/review_queue")
            page.get_by_text("Item 1 of 2").wait_for()
            page.get_by_text("Keys active").wait_for()
            assert page.get_by_role("button", name=re.compile("^[1-5]★$")).count() == 0  # one form, no quick buttons
            page.get_by_text("Your rating: none yet").wait_for()
            page.keyboard.press("u")
            page.get_by_text("Your rating: 👍 up · not submitted yet").wait_for()
            page.keyboard.press("4")
            page.get_by_text("Your rating: 👍 up · ★★★★☆ · not submitted yet").wait_for()
            page.keyboard.press("n")
            page.get_by_text("Item 2 of 2").wait_for()
            page.keyboard.press("n")  # nothing given yet on this one
            warning = page.get_by_test_id("stAlert").filter(has_text="Nothing to send yet")
            warning.wait_for()
            button = page.get_by_role("button", name="Complete and next").bounding_box()
            title = page.get_by_role("heading", name="Review queue").bounding_box()
            shown = warning.bounding_box()
            assert 0 <= shown["y"] - button["y"] < 200, (shown, button)  # right under the key's button
            assert shown["y"] - title["y"] > 400  # not at the top of the page
            comment = page.get_by_role("textbox", name="Comment")
            comment.click()
            page.keyboard.type("too formal")
            page.keyboard.press("Control+Enter")  # from the comment: its text is part of what is sent
            page.get_by_text("2 done").wait_for()
            page.get_by_text("Your rating: comment").wait_for()
            wait_for_app_run(page)  # the old message stays on screen until the run that drops it ends
            assert page.get_by_text("Nothing to send yet").count() == 0
            assert page.get_by_text("not submitted yet").count() == 0
            assert page.get_by_text("Item 2 of 2").count() == 1  # Ctrl+Enter submits without moving on


def test_the_queue_shows_inputs_prompt_model_and_a_cut_off_mark(tmp_path):
    with studio(tmp_path, api="tasks") as (url, emulator):
        _seed(tmp_path, emulator, 2, cut_off_first=True)
        with chromium_page() as page:
            open_app(page, f"{url}/review_queue")
            page.get_by_text("Item 1 of 2").wait_for()
            main = page.get_by_test_id("stMain")
            main.get_by_test_id("stText").filter(has_text="agenda item 1").first.wait_for()
            main.get_by_test_id("stText").filter(has_text="brisk").first.wait_for()
            # Blind review first: the inputs and the cut-off mark, nothing of the variant until it is rated.
            page.get_by_text("Variant hidden until you submit").first.wait_for()
            assert main.get_by_text("email-writer-v1").count() == 0
            page.get_by_text(f"Cut off at max tokens ({MAX_TOKENS} tokens)").wait_for()
            main.get_by_test_id("stCheckbox").filter(has_text="Blind review").click()
            context = main.get_by_test_id("stCaptionContainer").filter(has_text="Prompt").first.inner_text()
            assert "email-writer-v1" in context and TASK in context
            numbers = main.get_by_test_id("stCaptionContainer").filter(has_text="Model").first.inner_text()
            assert "offline" in numbers  # the model that answered (the emulator's offline provider)
            page.get_by_text(f"Cut off at max tokens ({MAX_TOKENS} tokens)").wait_for()
            main.get_by_test_id("stExpander").get_by_text("Prompt", exact=True).click()
            page.get_by_text("Write a short email about {{topic}}", exact=False).first.wait_for()
            page.get_by_text("Keys active").wait_for()
            page.keyboard.press("s")
            page.get_by_text("Item 2 of 2").wait_for()
            main.get_by_test_id("stText").filter(has_text="agenda item 2").first.wait_for()
            wait_for_app_run(page)  # item 1's mark stays on screen until the run that drew item 2 ends
            assert page.get_by_text("Cut off at max tokens").count() == 0


def test_ingest_is_light_logs_a_file_once_and_sends_it_to_the_queue(tmp_path):
    rows = [{"input.topic": f"topic {n}", "input.tone": "calm", "completion": f"Answer {n}.\n" * 12, "model": "m-1"}
            for n in range(1, 5)]  # fmt: skip
    upload = tmp_path / "four.csv"
    pd.DataFrame(rows).to_csv(upload, index=False)
    with studio(tmp_path, api="tasks") as (url, _), chromium_page() as page:
        open_app(page, f"{url}/ingest")
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
        wait_for_app_run(page)
        log_them = page.get_by_role("button", name="Log 4 completions")
        log_them.click()
        page.get_by_text("Logged 4 completions").wait_for()
        wait_for_app_run(page)
        assert log_them.is_disabled()  # this file is logged: not twice by a second click
        page.get_by_test_id("stText").filter(has_text="topic 1").first.wait_for()  # the inputs, as text
        assert page.get_by_text("Your rating:").filter(visible=True).count() == 1  # one item open
        height = page.get_by_test_id("stMainBlockContainer").bounding_box()["height"]
        assert height < 2600, f"the page is {height:.0f} px high"  # 4,496 px before
        page.get_by_role("button", name="Review these 4 in the queue").click()
        page.get_by_text("Item 1 of 4").wait_for()
        assert urlsplit(page.url).path == "/review_queue"


def test_an_annotation_queue_of_production_events_is_worked_from_the_keyboard(tmp_path):
    with studio(tmp_path, api="current") as (url, emulator):
        client = HoneyHiveClient(emulator.api_key, emulator.url)
        queue = next(q for q in client.list_queues() if q.name == EMAIL_QUEUE)
        events = list(client.export_events(queue.filters.filterArray, page_size=1000))[:5]
        with chromium_page() as page:
            open_app(page, f"{url}/review_queue")
            box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Work through", exact=True))
            box.get_by_role("combobox").click()
            page.get_by_role("option", name="Production events in HoneyHive", exact=True).click()
            wait_for_app_run(page)
            chosen = page.get_by_role("combobox", name="Annotation queue").input_value()
            assert chosen == EMAIL_QUEUE  # the first queue is chosen
            limit = page.get_by_role("spinbutton", name="At most")
            limit.fill("5")
            limit.press("Tab")
            wait_for_app_run(page)
            page.get_by_role("button", name="Load events").click()
            page.get_by_text("Item 1 of 5").wait_for()
            page.get_by_test_id("stText").filter(has_text=events[0].inputs["topic"]).first.wait_for()
            page.get_by_text("Keys active").wait_for()
            for stars in ("5", "4", "3", "2", "1"):
                for key in ("u", stars, "n"):
                    page.keyboard.press(key)
            page.get_by_text("5 done").wait_for(timeout=60_000)

        for event, stars in zip(events, (5, 4, 3, 2, 1), strict=True):

            def arrived(event_id: str = str(event.event_id), stars: int = stars) -> dict | None:
                feedback = _api(emulator, "GET", f"/v1/events/{event_id}").json()["event"].get("feedback") or {}
                return feedback if feedback.get("rating") == stars else None

            feedback = _wait_until(arrived, timeout=30)
            assert feedback, f"no rating of {stars} stars on event {event.event_id}"
            assert feedback["accepted"] is True and feedback["reviewer"] == REVIEWER
