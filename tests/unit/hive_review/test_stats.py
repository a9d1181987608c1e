"""hive_review.compare.stats, the Wilson interval and preferences between variants, against published worked
examples plus small cases worked out by hand (agreement between raters: ``test_stats_agreement.py``)."""

from __future__ import annotations

import pandas as pd
import pytest

from hive_review.compare.stats import (
    position_bias,
    preference_summary,
    wilson_interval,
)

# --- Wilson score interval ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score, no correction);
        # 81/263 is also the example in Wikipedia, "Binomial proportion confidence interval".
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_table_1(successes: int, trials: int, low: float, high: float) -> None:
    assert wilson_interval(successes, trials) == pytest.approx((low, high), abs=1e-4)


def test_wilson_zero_successes_has_lower_bound_zero_and_closed_form_upper() -> None:
    # With p = 0 the Wilson upper bound reduces to z² / (n + z²); z = 1.959964 for 95%.
    z2 = 1.959964**2
    low, high = wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(z2 / (10 + z2), abs=1e-6)


def test_wilson_all_successes_mirrors_zero_successes() -> None:
    low, high = wilson_interval(10, 10)
    assert high == 1.0
    assert low == pytest.approx(1 - wilson_interval(0, 10)[1], abs=1e-12)


def test_wilson_no_trials_is_the_whole_range() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_higher_confidence_gives_wider_interval() -> None:
    low_95, high_95 = wilson_interval(81, 263)
    low_99, high_99 = wilson_interval(81, 263, confidence=0.99)
    assert low_99 < low_95 and high_99 > high_95


@pytest.mark.parametrize(
    ("successes", "trials", "confidence", "message"),
    [
        (5, 3, 0.95, "successes <= trials"),
        (-1, 3, 0.95, "successes <= trials"),
        (1, 3, 1.0, "confidence"),
        (1, 3, 0.0, "confidence"),
    ],
)
def test_wilson_rejects_bad_input(successes: int, trials: int, confidence: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        wilson_interval(successes, trials, confidence)


# --- preference_summary and position_bias ---------------------------------------------------------------


def vote_frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["variant_a", "variant_b", "winner", "left_variant"])


VOTES = vote_frame(
    [
        ("A", "B", "A", "A"),
        ("B", "A", "A", "B"),
        ("A", "B", "A", "A"),
        ("B", "A", "B", "B"),
        ("A", "B", "tie", "A"),
        ("C", "B", "C", "C"),
        ("B", "C", "C", "B"),
    ]
)


def test_preference_summary_hand_example() -> None:
    summary = preference_summary(VOTES)
    assert list(summary["variant_1"]) == ["A", "B"]
    assert list(summary["variant_2"]) == ["B", "C"]
    assert list(summary["votes"]) == [5, 2]
    assert list(summary["wins_1"]) == [3, 0]
    assert list(summary["wins_2"]) == [1, 2]
    assert list(summary["ties"]) == [1, 0]
    assert list(summary["win_rate_1"]) == pytest.approx([0.6, 0.0])
    # Wilson 95% by hand for 3/5: centre 0.5566, half-width 0.3258; for 0/2 the upper bound is z²/(2 + z²).
    assert list(summary["win_rate_1_low"]) == pytest.approx([0.2307, 0.0], abs=1e-4)
    assert list(summary["win_rate_1_high"]) == pytest.approx([0.8824, 0.6576], abs=1e-4)


def test_preference_summary_of_no_votes_is_empty_with_columns() -> None:
    summary = preference_summary(vote_frame([]))
    assert summary.empty
    assert list(summary.columns) == [
        "variant_1", "variant_2", "votes", "wins_1", "wins_2", "ties", "win_rate_1", "win_rate_1_low",
        "win_rate_1_high",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("A", "B", "C", "A")], "winner 'C' is neither of the two variants compared nor 'tie'"),
        ([("A", "A", "A", "A")], "compares a variant with itself"),
    ],
)
def test_preference_summary_rejects_bad_votes(rows: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        preference_summary(vote_frame(rows))


def test_preference_summary_names_missing_columns() -> None:
    with pytest.raises(ValueError, match=r"no column\(s\) \['winner'\]"):
        preference_summary(VOTES.drop(columns="winner"))


def test_position_bias_hand_example() -> None:
    # Of the 6 decided votes in VOTES the left variant won rows 1, 3, 4 and 6: 4 of 6.
    result = position_bias(VOTES)
    assert result["decided"] == 6
    assert result["left_wins"] == 4
    assert result["left_win_rate"] == pytest.approx(4 / 6)
    assert result["biased"] is False


def test_position_bias_detects_a_left_side_preference() -> None:
    # 9 of 10 decided votes go left (2 ties are left out). Wilson 95% for 9/10 is 0.5958 to 0.9821 by hand,
    # which excludes 0.5.
    rows = (
        [("A", "B", "A", "A")] * 5 + [("A", "B", "B", "B")] * 4 + [("A", "B", "B", "A")] + [("A", "B", "tie", "A")] * 2
    )
    result = position_bias(vote_frame(rows))
    assert (result["decided"], result["left_wins"]) == (10, 9)
    assert (result["low"], result["high"]) == pytest.approx((0.5958, 0.9821), abs=1e-4)
    assert result["biased"] is True


def test_position_bias_with_only_ties() -> None:
    result = position_bias(vote_frame([("A", "B", "tie", "A")]))
    assert result == {"decided": 0, "left_wins": 0, "left_win_rate": None, "low": 0.0, "high": 1.0, "biased": False}


def test_position_bias_rejects_a_left_variant_not_in_the_pair() -> None:
    with pytest.raises(ValueError, match="left_variant 'C' is neither of the two variants compared"):
        position_bias(vote_frame([("A", "B", "A", "C")]))


def test_position_bias_detects_a_right_side_preference() -> None:
    # 1 of 10 decided votes goes left: Wilson 95% for 1/10 is 0.0179 to 0.4042 by hand, which excludes 0.5.
    rows = [("A", "B", "A", "A")] + [("A", "B", "A", "B")] * 9
    result = position_bias(vote_frame(rows))
    assert (result["low"], result["high"]) == pytest.approx((0.0179, 0.4042), abs=1e-4)
    assert result["biased"] is True
