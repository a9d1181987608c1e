"""The Batch page in a real browser on a laptop screen (1440×900): after Start the progress is in
view and Start waits while those runs go on; a finished batch leads to its results in the review
queue; a second batch shows its own progress; batch runs reach HoneyHive with their own source."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from browser_support import chromium_page, live_studio, open_app, wait_for_app_run
from playwright.sync_api import Page, expect

from honeyhive_api.emulator import EmulatorServer

pytestmark = pytest.mark.browser
TASK = "Sandbox - Email Writer"
LAPTOP = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def studio(tmp_path_factory) -> Iterator[tuple[str, EmulatorServer]]:
    tmp = tmp_path_factory.mktemp("batch")
    with live_studio(tmp, reviewer="qa-batch", api_key="batch-browser-key") as running:
        yield running


def _emulator(emulator: EmulatorServer, method: str, path: str, **kwargs) -> requests.Response:
    answer = requests.request(
        method, f"{emulator.url}{path}", headers={"Authorization": f"Bearer {emulator.api_key}"}, timeout=10, **kwargs
    )
    answer.raise_for_status()
    return answer


def _slow(emulator: EmulatorServer, latency_ms: int) -> None:
    _emulator(emulator, "PUT", "/_emulator/faults", json={"latency_ms": latency_ms})


def _generations_about(emulator: EmulatorServer, marker: str) -> list[dict]:
    rows = _emulator(emulator, "GET", "/generations", params={"task": TASK}).json()
    return [row for row in rows if marker in row["generation"]]


def _sources_once_logged(emulator: EmulatorServer, marker: str, count: int) -> set[str]:
    """The sources of the ``count`` generations about ``marker``, once HoneyHive holds them all
    (read from HoneyHive, not from the page: this is about what was sent)."""
    deadline = time.monotonic() + 60
    while len(found := _generations_about(emulator, marker)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(found) == count, found
    return {generation["source"] for generation in found}


def _open_batch_page(page: Page, url: str) -> None:
    page.set_viewport_size(LAPTOP)
    open_app(page, f"{url}/batch")


def _prepare(page: Page, tmp: Path, marker: str, rows: int, *, concurrency: int | None = None) -> None:
    """Upload ``rows`` rows of inputs mentioning ``marker``, and set the concurrency."""
    inputs = tmp / f"{marker}.csv"
    inputs.write_text("topic,tone\n" + "".join(f"{marker} {n},brisk\n" for n in range(1, rows + 1)))
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(inputs))
    wait_for_app_run(page)
    if concurrency is not None:
        field = page.get_by_role("spinbutton", name="Concurrency")
        field.fill(str(concurrency))
        field.press("Enter")
        wait_for_app_run(page)


def _progress(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stProgress").first


def test_after_start_progress_is_in_view_start_waits_and_the_results_open_in_the_review_queue(studio, tmp_path):
    url, emulator = studio
    with chromium_page() as page:
        _open_batch_page(page, url)
        _prepare(page, tmp_path, "in-view", 4, concurrency=1)
        _slow(emulator, 1000)  # one run at a time, a second each: the batch runs for about 4 s
        try:
            start = page.get_by_role("button", name="Start 4 runs")
            start.click()
            expect(_progress(page)).to_contain_text("/4 finished")
            box = _progress(page).bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= LAPTOP["height"], box
            # The same inputs cannot be started twice while they run.
            expect(start).to_be_disabled(timeout=3_000)
            expect(_progress(page)).to_contain_text("4/4 finished", timeout=60_000)
        finally:
            _slow(emulator, 0)
        expect(start).to_be_enabled()  # done: the same inputs may be run again
        batch_id = page.get_by_role("combobox", name="Batch").input_value().split(" · ")[-1]
        review = page.get_by_role("button", name="Review these 4 results")
        review.click(timeout=10_000)
        page.wait_for_url(re.compile(r"/review_queue(\?|$)"))
        wait_for_app_run(page)
        page.get_by_text("Item 1 of 4").wait_for()
        # The queue works through this batch, not through every unrated generation of the session.
        assert batch_id in page.get_by_role("combobox", name="Work through").input_value()
        shown = page.get_by_test_id("stCode").first.inner_text()
        assert "in-view" in shown  # a completion of this batch


def test_a_second_batch_shows_its_own_progress_not_the_previous_ones(studio, tmp_path):
    url, emulator = studio
    with chromium_page() as page:
        _open_batch_page(page, url)
        _prepare(page, tmp_path, "first-of-two", 2)
        page.get_by_role("button", name="Start 2 runs").click()
        expect(_progress(page)).to_contain_text("2/2 finished", timeout=60_000)

        _prepare(page, tmp_path, "second-of-two", 3, concurrency=1)
        _slow(emulator, 700)
        try:
            page.get_by_role("button", name="Start 3 runs").click()
            wait_for_app_run(page)
            expect(_progress(page)).to_have_text(re.compile(r"^[0-3]/3 finished$"), timeout=15_000)
            assert page.get_by_text("2/2 finished").count() == 0
            expect(_progress(page)).to_contain_text("3/3 finished", timeout=60_000)
        finally:
            _slow(emulator, 0)


def test_batch_runs_are_sent_with_the_source_batch_unless_the_reviewer_set_one(studio, tmp_path):
    url, emulator = studio
    with chromium_page() as page:
        _open_batch_page(page, url)
        _prepare(page, tmp_path, "source-default", 5)
        page.get_by_role("button", name="Start 5 runs").click()
        assert _sources_once_logged(emulator, "source-default", 5) == {"batch"}

        source = page.get_by_role("textbox", name="Source")
        source.fill("nightly-eval")
        source.press("Enter")
        wait_for_app_run(page)
        _prepare(page, tmp_path, "source-chosen", 6)
        page.get_by_role("button", name="Start 6 runs").click()
        assert _sources_once_logged(emulator, "source-chosen", 6) == {"nightly-eval"}
