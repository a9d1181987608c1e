"""The leaderboard of blind votes in a real browser: the ranks and scores of the seeded votes among three
variants (a shared "2–3"), the charts read through Vega's ARIA labels, the method one hover away, what a close
pair needs, the lefty reviewer's position bias; then a "Both bad" vote from the keyboard (X) on Compare,
counted apart on the leaderboard."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browser_support import chromium_page, live_studio, open_app, wait_for_app_run
from numbers_scenarios import LEFTY, V1, V2, V3, seed_leaderboard, seed_numbers

from honeyhive_api.emulator import EmulatorServer

pytestmark = pytest.mark.browser
HEADING = "Leaderboard from blind votes"


@pytest.fixture(scope="module")
def studio(tmp_path_factory) -> Iterator[tuple[str, EmulatorServer]]:
    tmp = tmp_path_factory.mktemp("leaderboard")
    database = f"sqlite:///{tmp / 'sessions.sqlite3'}"
    seed_numbers(database)  # before the server starts: it reads what is there
    seed_leaderboard(database)
    with live_studio(tmp, reviewer="pm-dana", api_key="leaderboard-test-key") as running:
        yield running


def _column(page, header: str, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    """The text of one column of the table whose header row has ``header``: Streamlit's data grid draws on a
    canvas and keeps its cells, by row and column, in an accessible table beside it."""
    table = page.get_by_test_id("stDataFrame").filter(has=page.get_by_role("columnheader", name=header,
                                                                            include_hidden=True))  # fmt: skip
    cells = table.get_by_test_id(re.compile(rf"^glide-cell-{column}-\d+$"))
    cells.first.wait_for(state="attached")  # the grid fills its cells after the table is drawn
    return [cell.text_content() or "" for cell in cells.all()]


def _summary(page) -> str:  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stCaptionContainer").filter(has_text="blind votes among").inner_text()


def test_the_leaderboard_ranks_scores_and_explains(studio):
    url, _ = studio
    with chromium_page() as page:
        open_app(page, f"{url}/numbers")
        page.get_by_role("heading", name=HEADING).wait_for()
        assert "96 blind votes among 3 variants · 7 ties (half a win each) · 6 both bad" in _summary(page)
        assert _column(page, "Rank", 0) == ["1", "2–3", "2–3"]
        assert _column(page, "Rank", 1) == [V2, V1, V3]
        assert all(re.fullmatch(r"[\d,]+ \([\d,]+–[\d,]+\)", score) for score in _column(page, "Rank", 2))

        # Vega's ARIA labels: the score chart lists the variants best first; each heat-map cell says its share.
        page.get_by_label(re.compile(r"^X-axis titled 'Score \(Elo scale\)'")).wait_for()
        ranked = page.get_by_label(re.compile(r"^Y-axis for a discrete scale with 3 values: email-writer-v2-concise,"))
        assert f"{V2}, {V1}, {V3}" in (ranked.first.get_attribute("aria-label") or "")
        cell = page.get_by_label(re.compile(rf"^Against: {V3}; variant: {V1}; Won: 55%;"))  # the cell's text mark
        assert "15 won · 12 lost · 3 tied · 2 both bad" in (cell.get_attribute("aria-label") or "")

        # The method behind the scores, one hover away.
        page.get_by_role("heading", name=HEADING).get_by_test_id("stTooltipHoverTarget").hover()
        tooltip = page.get_by_test_id("stTooltipContent")
        tooltip.wait_for()
        assert "Bradley–Terry" in tooltip.inner_text() and "bootstrap" in tooltip.inner_text()
        page.mouse.move(0, 0)

        outlooks = dict(zip(_column(page, "To tell them apart", 0), _column(page, "To tell them apart", 1),
                            strict=True))  # fmt: skip
        assert outlooks[f"{V2} vs {V1}"] == "told apart at 95%"
        assert outlooks[f"{V1} vs {V3}"] == "about 720 more votes to tell them apart at 95%"
        verdicts = dict(zip(_column(page, "Position bias", 0), _column(page, "Position bias", 3), strict=True))
        assert verdicts == {"qa-seed": "no sign of position bias", LEFTY: "favours the left side (95% sure)"}


def test_a_both_bad_vote_from_the_keyboard_is_counted_apart(studio):
    url, _ = studio
    with chromium_page() as page:
        open_app(page, f"{url}/compare")
        page.get_by_role("radio", name="Blind A/B").click()
        wait_for_app_run(page)
        page.get_by_role("textbox", name="topic").fill("the lift is out of order")
        page.get_by_role("textbox", name="tone").fill("apologetic")
        page.get_by_role("button", name="Run the pair").click()
        wait_for_app_run(page)
        page.get_by_role("heading", name="Response B", exact=True).wait_for()
        assert page.get_by_role("button", name=re.compile(r"^Both bad")).count() == 1
        page.keyboard.press("x")  # the key of "Both bad"
        page.get_by_role("heading", name=re.compile(r"^Response A: email-writer.* · both bad$")).wait_for()
        assert page.get_by_role("heading", name=re.compile(r" · both bad$")).count() == 2
        wait_for_app_run(page)

        open_app(page, f"{url}/numbers")
        page.get_by_role("heading", name=HEADING).wait_for()
        assert "97 blind votes among 3 variants · 7 ties (half a win each) · 7 both bad" in _summary(page)
        assert sum(int(count) for count in _column(page, "Rank", 7)) == 2 * 7  # each both-bad vote, on both
