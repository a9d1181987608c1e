"""hive_review.compare.stats, agreement between raters (Cohen's and Fleiss' kappa, Krippendorff's alpha, the
agreement table) against published worked examples, plus small cases worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hive_review.compare.stats import (
    agreement_table,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
)

N = None

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the worked example with 4 observers
# (A-D) and 12 units with missing values. Published: nominal .743, ordinal .815, interval .849.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories; kappa = 0.210.
FLEISS_WIKIPEDIA = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def two_rater_lists(both_yes: int, a_yes_b_no: int, a_no_b_yes: int, both_no: int) -> tuple[list[str], list[str]]:
    """Expand a 2x2 agreement table into the two raters' item-by-item ratings."""
    a = ["yes"] * (both_yes + a_yes_b_no) + ["no"] * (a_no_b_yes + both_no)
    b = ["yes"] * both_yes + ["no"] * a_yes_b_no + ["yes"] * a_no_b_yes + ["no"] * both_no
    return a, b


# --- Cohen's kappa --------------------------------------------------------------------------------------


def test_cohen_kappa_wikipedia_example() -> None:
    # Wikipedia, "Cohen's kappa", simple example: 50 proposals, both yes 20, A yes/B no 5, A no/B yes 10,
    # both no 15: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    a, b = two_rater_lists(20, 5, 10, 15)
    assert cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-3)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        # Wikipedia, "Cohen's kappa", "Same percentages but different numbers": both tables agree on 60 of
        # 100 items, yet kappa is 0.1304 for the first and 0.2593 for the second.
        ((45, 15, 25, 15), 0.1304),
        ((25, 35, 5, 35), 0.2593),
    ],
)
def test_cohen_kappa_wikipedia_same_agreement_different_kappa(
    table: tuple[int, int, int, int], expected: float
) -> None:
    a, b = two_rater_lists(*table)
    assert cohen_kappa(a, b) == pytest.approx(expected, abs=1e-4)


def test_cohen_kappa_complete_disagreement_is_minus_one() -> None:
    # Hand: p_o = 0, p_e = 0.5 * 0.5 + 0.5 * 0.5 = 0.5, kappa = -0.5 / 0.5 = -1.
    assert cohen_kappa(["yes", "no"], ["no", "yes"]) == pytest.approx(-1.0)


def test_cohen_kappa_single_shared_category_is_perfect_agreement() -> None:
    # p_e = 1 makes the formula 0/0; the documented rule returns 1.0 when observed agreement is 1.
    assert cohen_kappa(["good"] * 4, ["good"] * 4) == 1.0


def test_cohen_kappa_rejects_different_lengths() -> None:
    with pytest.raises(ValueError, match="same items: got 3 and 2"):
        cohen_kappa([1, 2, 3], [1, 2])


def test_cohen_kappa_rejects_empty_input() -> None:
    with pytest.raises(ValueError, match="at least one item"):
        cohen_kappa([], [])


# --- Fleiss' kappa --------------------------------------------------------------------------------------


def test_fleiss_kappa_wikipedia_example() -> None:
    assert fleiss_kappa(FLEISS_WIKIPEDIA) == pytest.approx(0.210, abs=1e-3)
    assert fleiss_kappa(np.array(FLEISS_WIKIPEDIA)) == pytest.approx(0.210, abs=1e-3)


def test_fleiss_kappa_hand_example() -> None:
    # 3 raters, 4 subjects, counts (a, b): (3,0), (2,1), (0,3), (1,2). P_i = 1, 1/3, 1, 1/3 so P̄ = 2/3;
    # p_a = p_b = 1/2 so P̄_e = 1/2; kappa = (2/3 - 1/2) / (1/2) = 1/3.
    assert fleiss_kappa([[3, 0], [2, 1], [0, 3], [1, 2]]) == pytest.approx(1 / 3)


def test_fleiss_kappa_unanimous_single_category_is_one() -> None:
    assert fleiss_kappa([[3, 0], [3, 0]]) == 1.0


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([[3, 0], [1, 1]], "same number of raters"),
        ([[1, 0], [0, 1]], "at least 2 raters"),
        ([[3, -1], [1, 1]], "non-negative whole numbers"),
        ([[1.5, 0.5], [1, 1]], "non-negative whole numbers"),
        ([3, 0], "subjects x categories matrix"),
        ([], "subjects x categories matrix"),
    ],
)
def test_fleiss_kappa_rejects_bad_tables(counts: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fleiss_kappa(counts)


# --- Krippendorff's alpha -------------------------------------------------------------------------------


@pytest.mark.parametrize(("level", "published"), [("nominal", 0.743), ("interval", 0.849), ("ordinal", 0.815)])
def test_krippendorff_alpha_2011_example(level: str, published: float) -> None:
    assert krippendorff_alpha(KRIPPENDORFF_2011, level) == pytest.approx(published, abs=1e-3)


def test_krippendorff_alpha_wikipedia_example() -> None:
    # Wikipedia, "Krippendorff's alpha", computational example: 3 coders, 15 units, nominal alpha = 0.691.
    data = [
        [N, N, N, N, N, 3, 4, 1, 2, 1, 1, 3, 3, N, 3],
        [1, N, 2, 1, 3, 3, 4, 3, N, N, N, N, N, N, N],
        [N, N, 2, 1, 3, 4, 4, N, 2, 1, 1, 3, 3, N, 4],
    ]
    assert krippendorff_alpha(data) == pytest.approx(0.691, abs=1e-3)


def test_krippendorff_alpha_ignores_units_with_one_value_and_accepts_nan() -> None:
    # Unit 12 of the 2011 example holds a single value; dropping it must not change alpha.
    without_unit_12 = [row[:11] for row in KRIPPENDORFF_2011]
    with_nan = [[math.nan if v is None else v for v in row] for row in KRIPPENDORFF_2011]
    for level in ("nominal", "interval"):
        expected = krippendorff_alpha(KRIPPENDORFF_2011, level)
        assert krippendorff_alpha(without_unit_12, level) == pytest.approx(expected, abs=1e-12)
        assert krippendorff_alpha(with_nan, level) == pytest.approx(expected, abs=1e-12)


def test_krippendorff_alpha_hand_example_with_strings() -> None:
    # Units (a,a,a), (a,a,b), (b,b,b), (a,b,b): coincidences o_aa = 4, o_bb = 4, o_ab = o_ba = 2; n = 12,
    # n_a = n_b = 6; alpha = 1 - 11 * 4 / (2 * 6 * 6) = 28/72.
    data = [["a", "a", "b", "a"], ["a", "a", "b", "b"], ["a", "b", "b", "b"]]
    assert krippendorff_alpha(data) == pytest.approx(28 / 72)


def test_krippendorff_alpha_without_variation_is_nan() -> None:
    assert math.isnan(krippendorff_alpha([[1, 1], [1, 1]]))


@pytest.mark.parametrize(
    ("data", "level", "message"),
    [
        (KRIPPENDORFF_2011, "ratio", "level must be"),
        ([[1, N], [N, 2]], "nominal", "at least one unit with values from two or more raters"),
        ([["x", "y"], ["x", "x"]], "interval", "interval alpha needs numeric values"),
        ([["x", 1], ["x", 2]], "ordinal", "can be ordered"),
        ([[1, 2, 3], [1, 2]], "nominal", "one entry per unit"),
    ],
)
def test_krippendorff_alpha_rejects_bad_input(data: list, level: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        krippendorff_alpha(data, level)  # type: ignore[arg-type]


# --- agreement_table ------------------------------------------------------------------------------------


def long_table(ratings: dict[str, list]) -> pd.DataFrame:
    """{rater: [value per item]} as a long table with columns item, rater, score."""
    rows = [
        {"item": f"item-{i}", "rater": rater, "score": value}
        for rater, values in ratings.items()
        for i, value in enumerate(values)
    ]
    return pd.DataFrame(rows)


def test_agreement_table_two_raters_uses_cohen_and_skips_missing() -> None:
    a, b = two_rater_lists(20, 5, 10, 15)
    table = long_table({"ann": [*a, "yes"], "bob": [*b, None]})  # item-50: bob left it blank
    table.loc[len(table)] = {"item": "item-51", "rater": "ann", "score": "no"}  # only ann rated item-51
    result = agreement_table(table, item="item", rater="rater", value="score")
    # Cohen 0.4 as in the Wikipedia example. Alpha by hand: o_yy = 40, o_nn = 30, o_yn = o_ny = 15, n = 100,
    # n_y = 55, n_n = 45: alpha = 1 - 99 * 30 / (2 * 55 * 45) = 0.4.
    assert result == {
        "raters": 2,
        "items": 50,
        "cohen_kappa": pytest.approx(0.4, abs=1e-9),
        "fleiss_kappa": None,
        "krippendorff_alpha": pytest.approx(0.4, abs=1e-9),
    }


def test_agreement_table_three_raters_uses_fleiss_on_items_all_rated() -> None:
    # The hand example from the Fleiss and alpha tests above, plus item-4 rated a/a by two raters only.
    table = long_table({"r1": ["a", "a", "b", "a", "a"], "r2": ["a", "a", "b", "b", "a"], "r3": ["a", "b", "b", "b"]})
    result = agreement_table(table, item="item", rater="rater", value="score")
    assert result["raters"] == 3
    assert result["items"] == 4
    assert result["cohen_kappa"] is None
    assert result["fleiss_kappa"] == pytest.approx(1 / 3)
    # Alpha uses item-4 too: o_aa = 6, o_bb = 4, o_ab = o_ba = 2, n = 14, n_a = 8, n_b = 6:
    # alpha = 1 - 13 * 4 / (2 * 8 * 6) = 44/96.
    assert result["krippendorff_alpha"] == pytest.approx(44 / 96)


def test_agreement_table_single_rater_has_no_statistics() -> None:
    result = agreement_table(long_table({"ann": [1, 2, 3]}), item="item", rater="rater", value="score")
    assert result == {"raters": 1, "items": 3, "cohen_kappa": None, "fleiss_kappa": None, "krippendorff_alpha": None}


def test_agreement_table_names_missing_columns() -> None:
    with pytest.raises(ValueError, match=r"no column\(s\) \['grade'\]"):
        agreement_table(long_table({"ann": [1]}), item="item", rater="rater", value="grade")


def test_agreement_table_rejects_a_rater_rating_an_item_twice() -> None:
    table = long_table({"ann": [1, 2], "bob": [1, 2]})
    table.loc[len(table)] = {"item": "item-0", "rater": "bob", "score": 3}
    with pytest.raises(ValueError, match="rater 'bob' rated item 'item-0' more than once"):
        agreement_table(table, item="item", rater="rater", value="score")
