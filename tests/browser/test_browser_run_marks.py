"""Where completions are rated as they are made, in a real browser (1440×900): the Playground and
Compare mark an answer that stopped at its prompt's token limit, and Compare's runs reach HoneyHive
with their own source. The emulator's offline echo repeats the prompt, so a long topic uses more
tokens than any Email Writer variant allows (160, 120 and 200) and a short one stays well under."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import requests
from browser_support import chromium_page, live_studio, open_app, wait_for_app_run
from playwright.sync_api import Page, expect

from honeyhive_api.emulator import EmulatorServer

pytestmark = pytest.mark.browser
TASK = "Sandbox - Email Writer"
LAPTOP = {"width": 1440, "height": 900}
LONG_TOPIC = "the quarterly parking rules " * 60
LONG_COMPARE_TOPIC = "the annual garden contest " * 60
MARK = re.compile(r"Cut off at max tokens \((\d+) tokens\)")  # after the badge's icon


@pytest.fixture(scope="module")
def studio(tmp_path_factory) -> Iterator[tuple[str, EmulatorServer]]:
    tmp = tmp_path_factory.mktemp("run-marks")
    with live_studio(tmp, reviewer="qa-marks", api_key="run-marks-browser-key") as running:
        yield running


@pytest.fixture
def page() -> Iterator[Page]:
    with chromium_page() as opened:
        opened.set_viewport_size(LAPTOP)
        yield opened  # type: ignore[misc]


def _marks(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stMain").get_by_text(MARK)


def _fill(page: Page, topic: str, tone: str) -> None:
    page.get_by_role("textbox", name="topic").fill(topic)
    page.get_by_role("textbox", name="tone").fill(tone)


def test_the_playground_marks_an_answer_cut_off_at_max_tokens(studio, page):
    url, _ = studio
    open_app(page, url)  # the Playground is the default page
    _fill(page, "a short note", "calm")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_role("heading", name="Completions").wait_for()
    wait_for_app_run(page)
    expect(_marks(page)).to_have_count(0)  # a short answer is not marked

    _fill(page, LONG_TOPIC, "calm")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(_marks(page)).to_have_count(1, timeout=60_000)
    expect(_marks(page)).to_contain_text("Cut off at max tokens (160 tokens)")  # the deployed v1's limit


def _sources_about(emulator: EmulatorServer, marker: str, count: int) -> list[str]:
    """What HoneyHive (the emulator) was sent, not what the page says."""
    headers = {"Authorization": f"Bearer {emulator.api_key}"}
    deadline = time.monotonic() + 60
    while True:
        answer = requests.get(f"{emulator.url}/generations", params={"task": TASK}, headers=headers, timeout=10)
        answer.raise_for_status()
        found = [row for row in answer.json() if marker in row["generation"]]
        if len(found) >= count or time.monotonic() > deadline:
            return sorted(row["source"] for row in found)
        time.sleep(0.2)


def test_compare_marks_each_variant_cut_off_and_sends_its_runs_as_compare(studio, page):
    url, emulator = studio
    open_app(page, f"{url}/compare")
    _fill(page, LONG_COMPARE_TOPIC, "brisk")
    page.get_by_role("button", name="Run 3 variants").click()
    expect(_marks(page)).to_have_count(3, timeout=60_000)
    limits = sorted(int(MARK.search(text).group(1)) for text in _marks(page).all_inner_texts())  # type: ignore[union-attr]
    assert limits == [120, 160, 200]  # each variant's own limit
    assert _sources_about(emulator, "annual garden contest", 3) == ["compare"] * 3
