"""The leaderboard of blind votes through AppTest: on the Numbers page over seeded votes among three variants
(scores with intervals, shared ranks, the win matrix, what each pair needs, position bias per reviewer), and
the Compare page's "Both bad" vote, from the button to HoneyHive's feedback and the leaderboard."""

from __future__ import annotations

import json

from apptest_support import open_page, studio_app, texts
from numbers_scenarios import EMAIL, LEADERBOARD_PAIRS, LEFTY, V1, V2, V3, seed_leaderboard, seed_numbers
from page_checks import feedback_of, shown

from hive_review.compare.leaderboard import leaderboard
from hive_review.stores import open_stores
from ui.state import COMPARE

BOTH_BAD = COMPARE("blind", "vote", "both_bad")


def _database(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'sessions.sqlite3'}"


def _said(at) -> str:
    return "\n".join(shown(line) for line in texts(at).splitlines())


def _frame(at, column: str):
    """The table with ``column``: st.dataframe's key does not reach AppTest unless the table is selectable."""
    return next(frame for frame in at.dataframe if column in frame.value.columns)


def _votes(tmp_path):
    stores = open_stores(_database(tmp_path))
    try:
        return stores.votes.frame(EMAIL)
    finally:
        stores.close()


def test_the_leaderboard_ranks_the_variants_with_intervals_and_says_what_each_pair_needs(studio_env, tmp_path):
    seed_numbers(_database(tmp_path))
    seed_leaderboard(_database(tmp_path))
    at = open_page(studio_app(), "numbers")
    assert not at.exception, [e.value for e in at.exception]

    [heading] = [s for s in at.subheader if shown(s.value) == "Leaderboard from blind votes"]
    assert "Bradley–Terry" in heading.proto.help and "bootstrap" in heading.proto.help
    votes = sum(sum(pair[2:]) for pair in LEADERBOARD_PAIRS)
    both_bad = sum(pair[5] for pair in LEADERBOARD_PAIRS)
    assert f"{votes} blind votes among 3 variants · 7 ties (half a win each) · {both_bad} both bad" in _said(at)

    table = _frame(at, "rank").value
    assert list(table["variant"]) == [V2, V1, V3]
    assert list(table["rank"]) == ["1", "2–3", "2–3"]  # v1 and v3: overlapping intervals, a shared rank
    assert list(table["votes"]) == [60, 60, 60] and list(table["both_bad"]) == [4, 5, 3]
    assert list(table["wins"]) == [47, 19, 17]
    # The figures are the leaderboard's own (fixed bootstrap seed: the same on every run), shown as text.
    board = leaderboard(_votes(tmp_path))
    assert list(table["strength"]) == [standing.strength for standing in board.standings]
    assert list(table["strength_low"]) == [standing.low for standing in board.standings]
    assert table["score"].str.fullmatch(r"[\d,]+ \([\d,]+–[\d,]+\)").all()
    columns = json.loads(_frame(at, "rank").proto.columns)
    assert "strength" not in columns or columns["strength"].get("hidden")  # θ itself stays out of view

    pairs = _frame(at, "outlook").value.set_index("pair")
    assert pairs.loc[f"{V2} vs {V1}", "outlook"] == "told apart at 95%"
    assert pairs.loc[f"{V2} vs {V3}", "outlook"] == "told apart at 95%"
    assert pairs.loc[f"{V1} vs {V3}", "outlook"] == "about 720 more votes to tell them apart at 95%"
    assert pairs.loc[f"{V1} vs {V3}", "split"] == "56% (37%–72%) · 15 of 27 decided votes"
    outlook_help = json.loads(_frame(at, "outlook").proto.columns)["outlook"]["help"]
    assert "80% power" in outlook_help and "against 50%" in outlook_help

    bias = _frame(at, "verdict").value.set_index("reviewer")
    assert bias.loc[LEFTY, "verdict"] == "favours the left side (95% sure)"
    assert bias.loc[LEFTY, "left"] == "100% (88%–100%) · 29 of 29"
    assert bias.loc["qa-seed", "verdict"] == "no sign of position bias"

    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    charts = {spec.get("title"): spec for spec in specs}
    assert "Score with 95% interval" in charts
    heat = charts["Win matrix: how often the row beat the column"]
    assert [layer["mark"]["type"] for layer in heat["layer"]] == ["rect", "text"]


def test_both_bad_is_a_fourth_vote_sent_on_both_generations_and_kept_apart_in_the_leaderboard(studio_env, tmp_path):
    at = open_page(studio_app(), "compare")
    at.segmented_control(key=COMPARE.mode).set_value("Blind A/B").run()
    for name, value in {"topic": "the new coffee machine", "tone": "dry"}.items():
        at.text_area(key=COMPARE.input(COMPARE.BLIND_FORM, EMAIL, name)).set_value(value)
    next(b for b in at.button if b.label == "Run the pair").click().run()
    assert not at.exception, [e.value for e in at.exception]
    button = at.button(key=BOTH_BAD)
    assert button.label == "Both bad" and "**X** (both bad)" in texts(at)
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    headings = [shown(s.value) for s in at.subheader]
    assert sum(heading.endswith("· both bad") for heading in headings) == 2  # the reveal says it of both

    raw = _votes(tmp_path)
    assert list(raw["winner"]) == ["both_bad"]
    for generation_id in (raw["left_generation_id"].iloc[0], raw["right_generation_id"].iloc[0]):
        feedback = feedback_of(studio_env, EMAIL, generation_id, until=lambda fb: "preference" in fb)
        assert feedback["preference"] == "both_bad"

    at.switch_page("pages/numbers.py").run()
    assert not at.exception, [e.value for e in at.exception]
    said = _said(at)
    assert "1 blind vote among 2 variants · no ties · 1 both bad (left out of the scores)" in said
    assert "Every vote so far found both answers bad" in said
