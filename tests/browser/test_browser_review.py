"""A reviewer's whole flow in Debian's chromium against ``streamlit run app.py``: run, rate, check
what HoneyHive (the emulator) stored, then download the log and find the rating in it."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import requests
from browser_support import choose_option, chromium_page, live_studio, open_app, wait_for_app_run

from hive_review.log.import_files import read_export

pytestmark = pytest.mark.browser
TASK = "Sandbox - Email Writer"


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    with live_studio(tmp_path_factory.mktemp("browser"), reviewer="qa-bob", api_key="browser-test-key") as running:
        yield running


def _stored_feedback(emulator, generation_id: str) -> dict:
    answer = requests.get(
        f"{emulator.url}/generations",
        params={"task": TASK},
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=5,
    )
    answer.raise_for_status()
    row = next(g for g in answer.json() if g["generation_id"] == generation_id)
    return row.get("feedback") or {}


def test_run_rate_and_find_the_rating_in_the_downloaded_log(studio, tmp_path):
    url, emulator = studio
    with chromium_page() as page:
        open_app(page, url)
        choose_option(page, "Task", TASK)
        page.get_by_role("textbox", name="topic").fill("quarterly planning offsite")
        page.get_by_role("textbox", name="tone").fill("upbeat")
        page.get_by_role("button", name="Run").click()
        wait_for_app_run(page)
        completion = page.get_by_test_id("stCode").filter(has_text="quarterly planning offsite")
        completion.first.wait_for()

        page.get_by_role("radio", name="Thumbs up").click()
        wait_for_app_run(page)
        page.get_by_role("radio", name="4 out of 5 stars").click()
        wait_for_app_run(page)
        page.get_by_role("textbox", name="Comment").fill("Good energy; trim the last paragraph.")
        page.get_by_role("textbox", name="Comment").press("Tab")  # commit the text area
        wait_for_app_run(page)
        page.get_by_role("button", name="Submit rating").click()
        wait_for_app_run(page)
        page.get_by_text("Rating delivered to HoneyHive").wait_for(timeout=20_000)

        generation_id = page.get_by_text("Generation id").first.inner_text().split()[-1]
        stored = _stored_feedback(emulator, generation_id)
        assert stored["accepted"] is True
        assert stored["rating"] == 4
        assert stored["comment"] == "Good energy; trim the last paragraph."
        assert stored["reviewer"] == "qa-bob"
        assert stored["labels"] == []

        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Session log").click()
        wait_for_app_run(page)
        # The key came from the environment: it never reaches the browser.
        assert emulator.api_key not in page.content() and emulator.api_key not in page.url
        downloaded = {}
        for name in ("CSV", "JSONL", "Parquet", "Excel"):
            button = page.get_by_test_id("stDownloadButton").filter(has_text=name).get_by_role("button")
            with page.expect_download() as download_info:
                button.click()
            path = tmp_path / download_info.value.suggested_filename
            download_info.value.save_as(path)
            downloaded[name] = read_export(path.read_bytes(), path.name)

    csv_rows = pd.read_csv(io.BytesIO((tmp_path / "hive-review-log.csv").read_bytes()))
    row = csv_rows[csv_rows["generation_id"] == generation_id]
    assert len(row) == 1
    assert int(row["rating"].iloc[0]) == 4
    assert row["thumbs"].iloc[0] == "up"
    assert row["reviewer"].iloc[0] == "qa-bob"
    for name, frame in downloaded.items():
        match = frame[frame["generation_id"] == generation_id]
        assert int(match["rating"].iloc[0]) == 4, name
