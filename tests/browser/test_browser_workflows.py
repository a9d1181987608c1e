"""Issue 4 in a real browser: a blind A/B vote end to end, and a 20-row batch reaching 20/20."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from browser_support import chromium_page, live_studio, open_app, wait_for_app_run

from honeyhive_api.emulator import EmulatorServer

pytestmark = pytest.mark.browser
TASK = "Sandbox - Email Writer"


@pytest.fixture(scope="module")
def studio(tmp_path_factory) -> Iterator[tuple[str, EmulatorServer]]:
    tmp = tmp_path_factory.mktemp("workflows")
    with live_studio(tmp, reviewer="qa-pm", api_key="workflow-test-key", latency_ms=50) as running:
        yield running


def _generations(emulator: EmulatorServer) -> list[dict]:
    return requests.get(
        f"{emulator.url}/generations",
        params={"task": TASK},
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=5,
    ).json()


def test_a_blind_ab_vote_end_to_end(studio):
    url, emulator = studio
    with chromium_page() as page:
        # The first view of this fresh server is a deep link: Streamlit's first run after a start goes
        # through its legacy pages/ discovery, and the page must still open cleanly (ui/entry.py).
        open_app(page, f"{url}/compare")
        assert page.get_by_role("heading", name="Compare variants").count() == 1
        assert page.get_by_text("Page not found").count() == 0
        page.get_by_role("radio", name="Blind A/B").click()
        wait_for_app_run(page)
        page.get_by_role("button", name="Run the pair").wait_for()  # the blind form is drawn
        page.get_by_role("textbox", name="topic").fill("the coffee machine is fixed")
        page.get_by_role("textbox", name="tone").fill("playful")
        page.get_by_role("button", name="Run the pair").click()
        wait_for_app_run(page)
        page.get_by_role("heading", name="Response A").wait_for()
        # Which variant wrote which side is hidden before the vote (the pair itself was chosen above).
        for heading in page.get_by_role("heading").filter(has_text="Response").all():
            assert "email-writer" not in heading.inner_text()
        page.keyboard.press("b")  # the documented key for "B is better"
        wait_for_app_run(page)
        page.get_by_role("heading", name="preferred").first.wait_for()
        revealed = page.get_by_role("heading").filter(has_text="Response B").inner_text()
        assert "email-writer" in revealed and "preferred" in revealed and "not preferred" not in revealed

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        voted = [g for g in _generations(emulator) if (g["feedback"] or {}).get("preference")]
        if len(voted) == 2:
            break
        time.sleep(0.2)
    assert sorted(g["feedback"]["preference"] for g in voted) == ["loss", "win"]
    winner = next(g for g in voted if g["feedback"]["preference"] == "win")
    assert winner["feedback"]["position"] == "right"
    assert len({g["feedback"]["comparison_id"] for g in voted}) == 1


def test_a_20_row_batch_progress_reaches_20_of_20(studio, tmp_path):
    url, emulator = studio
    inputs = tmp_path / "inputs.csv"
    inputs.write_text("Topic,Tone\n" + "".join(f"agenda item {n},brisk\n" for n in range(1, 21)))
    with chromium_page() as page:
        open_app(page, f"{url}/batch")
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(inputs))
        wait_for_app_run(page)
        page.get_by_role("button", name="Start 20 runs").click()
        page.get_by_text("20/20 finished").wait_for(timeout=60_000)
        done = page.get_by_test_id("stMetric").filter(has_text="Done").get_by_test_id("stMetricValue")
        assert done.inner_text() == "20"
    batch_rows = [g for g in _generations(emulator) if g["generation"].count("agenda item") == 1]
    assert len(batch_rows) >= 20


def test_the_review_queue_is_worked_from_the_keyboard(studio):
    url, emulator = studio  # the 20 runs of the batch test above are unrated
    with chromium_page() as page:
        open_app(page, f"{url}/review_queue")
        page.get_by_text("Item 1 of 20").wait_for()
        page.get_by_text("Keys active").wait_for()  # the key listener has loaded
        comment = page.get_by_role("textbox", name="Comment")
        comment.click()
        page.keyboard.type("no 5 stars, but brisk")  # keys typed into a field are text, not shortcuts
        comment.evaluate("element => element.blur()")
        wait_for_app_run(page)
        assert page.get_by_text("Item 1 of 20").count() == 1
        generation_id = page.get_by_text("Generation id").first.inner_text().split()[-1]
        for key in ("u", "4", "n"):  # thumbs up, four stars, complete and next: no pause between
            page.keyboard.press(key)
        page.get_by_text("Item 2 of 20").wait_for()
        page.get_by_text("1 done").wait_for()
        page.keyboard.press("b")
        page.get_by_text("Item 1 of 20").wait_for()
        page.get_by_text("Your rating: 👍 up · ★★★★☆ · comment").wait_for()  # what was sent, shown

    deadline = time.monotonic() + 20
    feedback: dict = {}
    while time.monotonic() < deadline and not feedback.get("rating"):
        feedback = next(g for g in _generations(emulator) if g["generation_id"] == generation_id)["feedback"] or {}
        time.sleep(0.2)
    assert feedback["accepted"] is True and feedback["rating"] == 4
    assert feedback["comment"] == "no 5 stars, but brisk"
