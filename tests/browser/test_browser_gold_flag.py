"""A flagged reviewer on Numbers, in a real browser: the seeded quality scenario (3 reviewers, 60 items, 6 of
them gold) in the studio's SQLite database, and the Reviewers table showing each reviewer's gold accuracy with
the weak one flagged under the threshold, and the warning naming them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import chromium_page, live_studio, open_app
from quality_scenario import ANA, BEN, CY, EXPECTED_ACCURACY, WEAK, build

from hive_review.stores import open_stores
from ui.reviewer_quality import FLAGGED

pytestmark = pytest.mark.browser


def _reviewer_rows(page) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The Reviewers table's rows of text by reviewer: Streamlit's data grid draws on a canvas and keeps its
    cells, by column and row, in an accessible table beside it."""
    table = page.get_by_test_id("stDataFrame").filter(
        has=page.get_by_role("columnheader", name="Gold accuracy", include_hidden=True)
    )
    table.get_by_test_id(re.compile(r"^glide-cell-4-\d+$")).first.wait_for(state="attached")
    rows: dict[int, dict[int, str]] = {}
    for cell in table.get_by_test_id(re.compile(r"^glide-cell-\d+-\d+$")).all():
        _, _, column, row = (cell.get_attribute("data-testid") or "").split("-")
        rows.setdefault(int(row), {})[int(column)] = cell.text_content() or ""
    listed = [[cells[column] for column in sorted(cells)] for _, cells in sorted(rows.items())]
    return {row[0]: row[1:] for row in listed}


def test_a_flagged_reviewer_appears_on_numbers_with_their_gold_accuracy(tmp_path: Path) -> None:
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")  # the database live_studio's studio opens
    try:
        build(stores)
    finally:
        stores.close()
    with live_studio(tmp_path, reviewer="lead-lee", api_key="gold-flag-test-key") as (url, _), chromium_page() as page:
        page.set_viewport_size({"width": 2560, "height": 1200})  # the grid draws (and lists) only columns in view
        open_app(page, f"{url}/numbers")
        page.get_by_role("heading", name="Reviewers", exact=True).wait_for()
        warning = page.get_by_test_id("stAlert").filter(has_text="on gold items")
        warning.wait_for()
        said = warning.get_by_test_id("stMarkdownContainer").inner_text().strip()  # the text, not the icon's name
        assert said == f"Under 80% on gold items: {WEAK}."

        rows = _reviewer_rows(page)
        assert list(rows) == [ANA, BEN, CY]
        # gold reviewed, gold right, gold accuracy, flagged: only the weak reviewer (3 of 6 right) is flagged.
        for reviewer, (reviewed, right) in EXPECTED_ACCURACY.items():
            assert rows[reviewer][:2] == [str(reviewed), str(right)], rows
        # The accessible table keeps the accuracy as its number (the canvas draws it as a percent).
        accuracy = {reviewer: rows[reviewer][2] for reviewer in rows}
        assert [round(float(accuracy[r]), 3) for r in (ANA, BEN, CY)] == [1.0, 0.833, 0.5], accuracy
        assert {reviewer: rows[reviewer][3] for reviewer in rows} == {ANA: "", BEN: "", CY: FLAGGED}
