"""Small truths of the log in a real browser (1440×900): an ingested completion without a latency or
token count keeps them missing; an import of rows the session holds says so; a refused import names
each missing column once; the log table reads time, task, variant, inputs, completion, rating and
ends with the ids; and its toolbar offers no CSV download that would skip the export's safeguards."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import chromium_page, live_studio, open_app, wait_for_app_run
from playwright.sync_api import Page, expect

from honeyhive_api.emulator import EmulatorServer

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1440, "height": 900}
IMPORT_EXPANDER = "Import a previous export to continue it"


@pytest.fixture(scope="module")
def studio(tmp_path_factory) -> Iterator[tuple[str, EmulatorServer]]:
    tmp = tmp_path_factory.mktemp("session-log")
    with live_studio(tmp, reviewer="qa-log", api_key="session-log-browser-key") as running:
        yield running


@pytest.fixture
def page() -> Iterator[Page]:
    with chromium_page() as opened:
        opened.set_viewport_size(LAPTOP)
        yield opened  # type: ignore[misc]


def _ingest(page: Page, url: str, path: Path, text: str) -> None:
    """Log the completions of a CSV file through the Ingest page."""
    path.write_text(text)
    open_app(page, f"{url}/ingest")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_for_app_run(page)
    page.get_by_role("button", name=re.compile(r"^Log \d+ completions$")).click()
    wait_for_app_run(page)
    page.get_by_text(re.compile(r"Logged \d+ completions to HoneyHive")).wait_for()


def _ingest_two(page: Page, url: str, tmp: Path, marker: str) -> None:
    rows = "".join(f"{marker} {n},local-model,{100 * n},{marker} topic {n},calm\n" for n in (1, 2))
    _ingest(page, url, tmp / f"{marker}.csv", "completion,model,latency_ms,input.topic,input.tone\n" + rows)


def _download_csv(page: Page) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV", exact=True).click()
    return Path(download.value.path()).read_bytes()


def _import(page: Page, path: Path) -> None:
    page.get_by_text(IMPORT_EXPANDER).click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_for_app_run(page)


def test_an_ingested_completion_without_latency_or_tokens_keeps_them_missing(studio, page, tmp_path):
    url, _ = studio
    _ingest(
        page,
        url,
        tmp_path / "made-elsewhere.csv",
        "completion,model,latency_ms,prompt_tokens,completion_tokens,input.topic\n"
        "timed answer one,local-model,430,12,30,a\n"
        "timed answer two,local-model,812,12,31,b\n"
        "timed answer three,local-model,1200,12,32,c\n"
        "untimed answer,local-model,,,,d\n",
    )
    # What the statistics are made of: the log itself, as its export holds it (an empty cell, not 0).
    open_app(page, f"{url}/session_log")
    exported = {row["completion"]: row for row in csv.DictReader(io.StringIO(_download_csv(page).decode("utf-8")))}
    untimed_row = exported["untimed answer"]
    assert untimed_row["latency_ms"] == "" and untimed_row["total_tokens"] == "", untimed_row
    assert float(exported["timed answer one"]["latency_ms"]) == 430
    assert exported["timed answer one"]["total_tokens"] == "42"


def test_importing_an_export_already_in_the_session_says_why_nothing_was_added(studio, page, tmp_path):
    url, _ = studio
    _ingest_two(page, url, tmp_path, "already here")
    open_app(page, f"{url}/session_log")
    export = tmp_path / "this-session.csv"
    export.write_bytes(_download_csv(page))
    _import(page, export)
    page.get_by_role("button", name="Import into this session").click()
    wait_for_app_run(page)
    message = page.get_by_test_id("stAlert").filter(has_text="Nothing imported")
    expect(message).to_contain_text(re.compile(r"all \d+ rows are already in this session"))


def test_an_import_lacking_columns_names_each_missing_column_once(studio, page, tmp_path):
    url, _ = studio
    partial = tmp_path / "partial.csv"
    partial.write_text("task,prompt_version,completion,generation_id\nSandbox,v1,hello,g-1\n")
    open_app(page, f"{url}/session_log")
    _import(page, partial)
    refusal = page.get_by_test_id("stAlert").filter(has_text="lacks the columns").inner_text()
    assert "reviewer, inputs_json" in refusal
    assert refusal.count("inputs_json") == 1 and refusal.count("reviewer") == 1, refusal


def test_the_log_table_reads_time_task_variant_inputs_completion_rating_with_ids_last(studio, page, tmp_path):
    url, _ = studio
    _ingest_two(page, url, tmp_path, "reading order")
    open_app(page, f"{url}/session_log")
    table = page.get_by_test_id("stDataFrame").first
    table.hover()
    table.get_by_role("button", name="Show/hide columns").click()
    # The toolbar lists the table's columns in the table's order, by their labels.
    menu = page.get_by_test_id("stDataFrameColumnVisibilityMenu").get_by_role("checkbox")
    expect(menu.first).to_be_attached()
    labels = [box.get_attribute("aria-label") for box in menu.all()]
    labels = [label for label in labels if label not in ("Select all", "(index)")]  # the menu's own
    assert labels[:9] == ["Time (UTC)", "Task", "Variant", "Version", "topic", "tone", "Completion", "Thumbs", "Rating"]
    assert labels[9] == "Comment"
    assert labels[-4:] == ["Generation id", "Batch id", "Comparison id", "Session id"]


def test_the_log_table_offers_no_csv_download_of_its_own(studio, page, tmp_path):
    url, _ = studio
    _ingest_two(page, url, tmp_path, "=HYPERLINK(1)")
    open_app(page, f"{url}/session_log")
    table = page.get_by_test_id("stDataFrame").first
    table.hover()
    expect(table.get_by_role("button", name=re.compile(r"^Search"))).to_be_visible()  # the toolbar is drawn
    assert table.get_by_role("button", name=re.compile(r"^Download as CSV")).count() == 0
    # The page's own exports stay, and neutralise a formula-looking cell.
    exported = _download_csv(page).decode("utf-8")
    assert "'=HYPERLINK(1) 1" in exported


SUMMARY_TASK = "Summary check"


def _seed_summary(emulator: EmulatorServer) -> None:
    """A new review session of the studio's reviewer (the page opens the newest) with two variants:
    three rated runs of email-writer-v1 with costs, two unrated ones of email-writer-v2-concise without."""
    from hive_review.feedback.ratings import Rating
    from hive_review.log.entries import LogEntry
    from hive_review.stores import open_stores

    stores = open_stores(f"sqlite:///{Path(emulator.config.db_path).parent / 'sessions.sqlite3'}")
    try:
        session = stores.log.create_session("qa-log")
        runs = [("email-writer-v1", "1", 3), ("email-writer-v2-concise", "2", 2)]
        for name, version, count in runs:
            for n in range(count):
                stores.log.add_entry(
                    LogEntry(f"summary-{version}-{n}", session.id, "qa-log", SUMMARY_TASK, version, f"answer {n}",
                             prompt_name=name, latency_ms=1000.0 + 123.4567 * n, total_tokens=10 + n,
                             cost=0.0012345 if version == "1" else None)
                )  # fmt: skip
        for n, (thumbs, stars) in enumerate([("up", 5), ("down", 4), ("up", 4)]):
            stores.feedback.save_rating(
                f"summary-1-{n}", Rating(thumbs=thumbs, stars=stars), reviewer="qa-log", connection_id="summary-test"
            )
    finally:
        stores.close()


def _summary_cells(page: Page) -> list[list[str]]:
    """The summary table's rows of text, as the grid keeps them in its accessible table."""
    table = page.get_by_test_id("stDataFrame").filter(
        has=page.get_by_role("columnheader", name="Thumbs-up rate", include_hidden=True)
    )
    table.get_by_test_id(re.compile(r"^glide-cell-1-\d+$")).first.wait_for(state="attached")
    rows: dict[int, dict[int, str]] = {}
    for cell in table.get_by_test_id(re.compile(r"^glide-cell-\d+-\d+$")).all():
        _, _, column, row = (cell.get_attribute("data-testid") or "").split("-")
        rows.setdefault(int(row), {})[int(column)] = cell.text_content() or ""
    return [[cells[column] for column in sorted(cells)] for _, cells in sorted(rows.items())]


def test_the_summary_names_variants_rounds_numbers_and_shows_a_dash_for_what_is_missing(studio, page):
    url, emulator = studio
    _seed_summary(emulator)
    page.set_viewport_size({"width": 2560, "height": 900})  # the grid draws (and lists) only columns in view
    open_app(page, f"{url}/session_log")
    page.get_by_role("heading", name="Per variant").wait_for()
    rows = _summary_cells(page)
    # task, variant, runs, rated, thumbs-up rate, mean stars, model time p50 and p95 (ms), mean tokens,
    # cost ($), waited p50 and longest wait (ms): rounded, "—" for what is missing, whole counts.
    assert rows == [
        [SUMMARY_TASK, "email-writer-v1 (v1)", "3", "3", "67%", "4.33", "1,123", "1,235", "11", "0.0037", "—", "—"],
        [SUMMARY_TASK, "email-writer-v2-concise (v2)", "2", "0", "—", "—", "1,062", "1,117", "10", "—", "—", "—"],
    ], rows
    cells = [cell for row in rows for cell in row]
    assert not any(word in cell for cell in cells for word in ("None", "nan", "NaN", "<NA>")), rows
    # The charts name variants, not versions.
    page.get_by_label(re.compile(r"^X-axis titled 'Variant'")).first.wait_for()
