"""The Numbers page in a real browser on seeded logs: the verdict sentences (a clear winner, too few ratings,
a tie), the method named in a tooltip, the charts, and the summary downloaded as CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from browser_support import chromium_page, live_studio, open_app, wait_for_app_run
from numbers_scenarios import SUPPORT, TIE, TOO_FEW, WINNER, seed_numbers

from honeyhive_api.emulator import EmulatorServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def studio(tmp_path_factory) -> Iterator[tuple[str, EmulatorServer]]:
    tmp = tmp_path_factory.mktemp("numbers")
    seed_numbers(f"sqlite:///{tmp / 'sessions.sqlite3'}")  # before the server starts: it reads what is there
    with live_studio(tmp, reviewer="pm-dana", api_key="numbers-test-key") as running:
        yield running


def _choose_task(page, task: str) -> None:  # type: ignore[no-untyped-def]
    """Pick ``task`` by typing it, as a user may: the typed text opens the list whatever the focus was."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Task", exact=True))
    box.get_by_role("combobox").fill(task)
    page.get_by_role("option", name=task, exact=True).click()
    wait_for_app_run(page)


def test_the_numbers_page_says_which_variant_to_deploy_and_how_sure(studio, tmp_path):
    url, _ = studio
    with chromium_page() as page:
        open_app(page, f"{url}/numbers")
        page.get_by_role("heading", name="Numbers").wait_for()
        page.get_by_text(WINNER).wait_for()
        assert page.get_by_text(TOO_FEW).count() == 1

        # Dot-and-error-bar charts (and the counts), drawn by Vega: its axes carry ARIA labels. Waiting for the
        # last chart also lets the page settle before the hover and the pick below.
        page.get_by_label(re.compile(r"^X-axis titled 'Mean cost per generation \(\$\)'")).wait_for()
        page.get_by_label(re.compile(r"^X-axis titled 'Thumbs-up rate \(%\)'")).wait_for()
        assert page.get_by_test_id("stVegaLiteChart").count() >= 5
        variants = page.get_by_label(re.compile(r"^Y-axis for a discrete scale with 3 values")).first
        assert "email-writer-v2-concise (v2)" in variants.get_attribute("aria-label")

        # The method behind the verdicts, one hover away.
        verdicts = page.get_by_test_id("stMarkdown").filter(has_text="Which variant does better?")
        verdicts.get_by_test_id("stTooltipHoverTarget").hover()
        tooltip = page.get_by_test_id("stTooltipContent")
        tooltip.wait_for()
        assert "Newcombe" in tooltip.inner_text() and "80% power" in tooltip.inner_text()
        page.mouse.move(0, 0)

        _choose_task(page, SUPPORT)
        page.get_by_text(TIE).wait_for()
        assert page.get_by_text(WINNER).count() == 0

        # The page's summary as CSV: every figure with its interval and count, and every verdict.
        with page.expect_download() as download:
            page.get_by_role("button", name="Download this summary (CSV)").click()
        target = tmp_path / "summary.csv"
        download.value.save_as(target)
        rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
        assert any(TIE in row["verdict"] for row in rows if row["section"] == "against baseline")
        thumbs = next(r for r in rows if r["metric"] == "Thumbs-up rate (%)" and r["variant"] == "ticket-summary-v1")
        assert (thumbs["value"], thumbs["count"], thumbs["of_which"], thumbs["method"]) == (
            "80.0", "200", "160", "Wilson score",
        )  # fmt: skip
