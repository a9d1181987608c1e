"""The Numbers page and Compare's results through AppTest, on seeded logs: every figure with its interval
and count, and the verdict sentence for a clear winner, too few ratings and a tie."""

from __future__ import annotations

import json

from apptest_support import open_page, studio_app
from numbers_scenarios import EMAIL, SUPPORT, TIE, TOO_FEW, WINNER, seed_numbers, seed_votes
from page_checks import shown

from ui.state import NUMBERS


def _database(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'sessions.sqlite3'}"


def _said(at) -> str:
    return "\n".join(shown(str(element.value)) for element in [*at.markdown, *at.caption])


def _frame(at, column: str):
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def _numbers_page(tmp_path):
    seed_numbers(_database(tmp_path))
    at = open_page(studio_app(), "numbers")
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_numbers_page_says_which_variant_wins_and_how_sure(studio_env, tmp_path):
    at = _numbers_page(tmp_path)
    assert at.selectbox(key=NUMBERS.task).value == EMAIL
    said = _said(at)
    assert WINNER in said
    assert TOO_FEW in said and "more ratings of email-writer-v3-bullets would" in said
    # The method is named where the verdict is, for a reviewer to check.
    [heading] = [m for m in at.markdown if shown(m.value) == "Which variant does better?"]
    assert "Newcombe" in heading.proto.help and "80% power" in heading.proto.help

    table = _frame(at, "thumbs_up_rate")  # the per-variant table: text cells with interval and count
    by_variant = table.set_index("Variant")
    assert list(by_variant.index) == [
        "email-writer-v1 (v1) · deployed", "email-writer-v2-concise (v2)", "email-writer-v3-bullets (v3)",
    ]  # fmt: skip
    assert by_variant.loc["email-writer-v1 (v1) · deployed", "thumbs_up_rate"] == "40% (31%–50%) · 40 of 100 thumbs"
    assert by_variant.loc["email-writer-v3-bullets (v3)", "thumbs_up_rate"] == "0% (0%–79%) · 0 of 1 thumb"
    assert by_variant.loc["email-writer-v3-bullets (v3)", "mean_stars"] == "— · no star ratings"
    assert by_variant["mean_stars"].iloc[0].endswith("· 50 star ratings")
    assert by_variant["p95_latency_ms"].iloc[0].endswith(" ms · 100 timed runs")
    summary = next(frame for frame in at.dataframe if "thumbs_up_rate" in frame.value.columns)
    columns = json.loads(summary.proto.columns)  # each column's title, and the tooltip naming its method
    assert "Wilson score interval" in columns["thumbs_up_rate"]["help"]
    assert "bootstrap" in columns["mean_stars"]["help"]

    verdicts = _frame(at, "Difference")
    winner = verdicts[(verdicts["Variant"] == "email-writer-v2-concise") & (verdicts["Figure"] == "Thumbs-up rate")]
    shown_difference = winner.iloc[0][["Difference", "95% interval", "Ratings"]].tolist()
    assert shown_difference == ["+40 pts", "+27 to +51 pts", "100 vs 100"]
    charts = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    titles = [chart["title"] for chart in charts]
    assert "Thumbs-up rate with 95% interval" in titles and "Ratings per variant" in titles
    thumbs_chart = charts[titles.index("Thumbs-up rate with 95% interval")]
    assert [layer["mark"]["type"] for layer in thumbs_chart["layer"]] == ["errorbar", "point"]
    assert "Download this summary (CSV)" in [button.label for button in at.get("download_button")]


def test_a_tie_with_200_ratings_each_says_no_difference_found(studio_env, tmp_path):
    at = _numbers_page(tmp_path)
    at.selectbox(key=NUMBERS.task).set_value(SUPPORT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert TIE in _said(at)


def test_another_baseline_is_compared_against_without_calling_it_deployed(studio_env, tmp_path):
    at = _numbers_page(tmp_path)
    at.selectbox(key=NUMBERS("baseline", EMAIL)).set_value("2").run()
    assert not at.exception, [e.value for e in at.exception]
    said = _said(at)
    assert "email-writer-v1 gets thumbs up less often than email-writer-v2-concise (95% sure)" in said
    assert "deployed email-writer-v2" not in said


def test_compare_results_say_which_variant_wins_the_blind_votes(studio_env, tmp_path):
    seed_numbers(_database(tmp_path))
    seed_votes(_database(tmp_path), wins=18, losses=2, ties=2)
    at = open_page(studio_app(), "compare")
    assert not at.exception, [e.value for e in at.exception]
    said = _said(at)
    assert "email-writer-v2-concise wins blind votes more often than the deployed email-writer-v1 (95% sure)" in said
    assert "Left side won" in said and "95% interval" in said
    results = _frame(at, "votes")
    assert int(results["votes"].sum()) == 22 and int(results["ties"].sum()) == 2
    assert results["share"].iloc[0] == "90% (70%–97%) · 18 of 20 decided votes"
    assert "Blind A/B results (CSV)" in [button.label for button in at.get("download_button")]
