"""hive_review.compare.intervals and number_text: intervals against published worked examples and tables,
the bootstrap against the analytic interval on seeded normal data, and sample sizes worked by hand."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from hive_review.compare import intervals
from hive_review.compare.intervals import (
    bootstrap_mean_interval,
    mean_difference_interval,
    mean_interval,
    newcombe_difference_interval,
    one_proportion_sample_size,
    t_mean_interval,
    t_quantile,
    two_means_sample_size,
    two_proportions_sample_size,
)
from hive_review.compare.number_text import about, count_of, money_decimals, percent, signed

Z = NormalDist().inv_cdf(0.975)
Z80 = NormalDist().inv_cdf(0.80)

# --- Newcombe's hybrid score interval for p1 - p2 ------------------------------------------------------


@pytest.mark.parametrize(
    ("s1", "n1", "s2", "n2", "low", "high"),
    [
        # Newcombe (1998), "Interval estimation for the difference between independent proportions: comparison
        # of eleven methods", Statistics in Medicine 17:873-890, Table II, method 10 (score, no continuity
        # correction). Examples (a) and (b) as the propint package's tests quote them, (d) as ratesci's
        # tests/testthat/test3.R quotes it ("Newcombe RD example (d)").
        (56, 70, 48, 80, 0.0524, 0.3339),  # (a)
        (9, 10, 3, 10, 0.1705, 0.8090),  # (b)
        (5, 56, 0, 29, -0.0381, 0.1926),  # (d)
    ],
)
def test_newcombe_method_10_matches_the_paper(s1: int, n1: int, s2: int, n2: int, low: float, high: float) -> None:
    assert newcombe_difference_interval(s1, n1, s2, n2) == pytest.approx((low, high), abs=1e-4)


def test_newcombe_with_no_successes_on_either_side_is_bounded_by_the_wilson_limits() -> None:
    # p1 = p2 = 0: low = -u2 and high = u1, the Wilson upper limits of 0/20 (0.1611, Newcombe 1998a Table I)
    # and 0/10 (0.2775): Newcombe's examples (e) and (f).
    assert newcombe_difference_interval(0, 10, 0, 20) == pytest.approx((-0.1611, 0.2775), abs=1e-4)
    assert newcombe_difference_interval(0, 10, 0, 10) == pytest.approx((-0.2775, 0.2775), abs=1e-4)


def test_newcombe_swapping_the_groups_mirrors_the_interval() -> None:
    low, high = newcombe_difference_interval(56, 70, 48, 80)
    assert newcombe_difference_interval(48, 80, 56, 70) == pytest.approx((-high, -low), abs=1e-12)


def test_newcombe_needs_trials_on_both_sides() -> None:
    with pytest.raises(ValueError, match="need trials"):
        newcombe_difference_interval(0, 0, 1, 2)


# --- Student's t ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("df", "quantile"),
    # Two-sided 95% critical values of any t table (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
    [(1, 12.706), (2, 4.303), (5, 2.571), (10, 2.228), (30, 2.042), (100, 1.984)],
)
def test_t_quantile_matches_the_table(df: int, quantile: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(quantile, abs=1e-3)


def test_t_quantile_tends_to_the_normal_and_is_symmetric() -> None:
    assert t_quantile(0.975, 1e6) == pytest.approx(Z, abs=1e-5)
    assert t_quantile(0.025, 7) == pytest.approx(-t_quantile(0.975, 7), abs=1e-9)


def test_t_interval_worked_by_hand() -> None:
    # 2, 4, 4, 4, 5, 5, 7, 9: mean 5, s = sqrt(32/7), t(7) = 2.364624: 5 ± 2.364624 * sqrt(32/7) / sqrt(8).
    half = 2.364624 * math.sqrt(32 / 7) / math.sqrt(8)
    assert t_mean_interval([2, 4, 4, 4, 5, 5, 7, 9]) == pytest.approx((5 - half, 5 + half), abs=1e-5)


# --- bootstrap -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bootstrap_is_within_a_hundredth_of_the_t_interval_on_normal_data(seed: int) -> None:
    data = np.random.default_rng(seed).normal(loc=3.0, scale=1.0, size=500)
    boot = bootstrap_mean_interval(data, rng=np.random.default_rng(seed + 100))
    assert boot == pytest.approx(t_mean_interval(data), abs=0.01)


def test_bootstrap_of_few_distinct_values_also_agrees_with_t() -> None:
    # Stars take five values: resampling draws how often each is picked (multinomial), the same distribution.
    stars = np.clip(np.round(np.random.default_rng(5).normal(3.4, 1.0, size=400)), 1, 5)
    assert bootstrap_mean_interval(stars) == pytest.approx(t_mean_interval(stars), abs=0.01)


def test_bootstrap_is_reproducible_with_the_fixed_seed() -> None:
    data = np.random.default_rng(9).lognormal(5, 1, size=300)
    assert bootstrap_mean_interval(data) == bootstrap_mean_interval(data)


def test_mean_interval_uses_the_bootstrap_from_10_to_1000_values() -> None:
    rng = np.random.default_rng(4)
    assert mean_interval(rng.normal(size=9))[2] == intervals.STUDENT_T
    assert mean_interval(rng.normal(size=10))[2] == intervals.BOOTSTRAP
    assert mean_interval(rng.normal(size=1000))[2] == intervals.BOOTSTRAP
    assert mean_interval(rng.normal(size=1001))[2] == intervals.STUDENT_T


def test_difference_of_means_welch_worked_by_hand() -> None:
    # a: 1..5 (mean 3, var 2.5), b: 2, 4, 6 (mean 4, var 4): se² = 2.5/5 + 4/3 = 11/6,
    # Welch df = (11/6)² / (0.5²/4 + (4/3)²/2) = 3.361..., t(0.975, 3.361) from the same t function.
    low, high, method = mean_difference_interval([1, 2, 3, 4, 5], [2, 4, 6])
    df = (11 / 6) ** 2 / (0.25 / 4 + (16 / 9) / 2)
    half = t_quantile(0.975, df) * math.sqrt(11 / 6)
    assert method == intervals.STUDENT_T
    assert (low, high) == pytest.approx((-1 - half, -1 + half), abs=1e-9)


def test_bootstrap_difference_of_means_agrees_with_welch_on_normal_data() -> None:
    rng = np.random.default_rng(11)
    a, b = rng.normal(3.5, 1.0, size=400), rng.normal(3.2, 1.2, size=300)
    low, high, method = mean_difference_interval(a, b)
    assert method == intervals.BOOTSTRAP
    se = math.sqrt(a.var(ddof=1) / 400 + b.var(ddof=1) / 300)
    centre = a.mean() - b.mean()
    assert (low, high) == pytest.approx((centre - Z * se, centre + Z * se), abs=0.01)


# --- how many more ratings -----------------------------------------------------------------------------


def _power_two_proportions(n: float, p1: float, p2: float) -> float:
    """The normal-approximation power of the two-sided test, the equation R's power.prop.test solves."""
    mean = (p1 + p2) / 2
    spread = math.sqrt(n) * abs(p1 - p2) - Z * math.sqrt(2 * mean * (1 - mean))
    return NormalDist().cdf(spread / math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)))


def test_two_proportions_sample_size_by_hand_and_by_its_power() -> None:
    # 0.65 vs 0.85: (1.959964 * sqrt(2 * 0.75 * 0.25) + 0.841621 * sqrt(0.2275 + 0.1275))² / 0.2² = 72.39
    assert two_proportions_sample_size(0.65, 0.85) == pytest.approx(72.393, abs=1e-3)
    for p1, p2 in ((0.5, 0.75), (0.4, 0.8), (0.8, 0.85)):
        assert _power_two_proportions(two_proportions_sample_size(p1, p2), p1, p2) == pytest.approx(0.80, abs=1e-9)
    assert two_proportions_sample_size(0.3, 0.3) == math.inf


def test_two_means_sample_size_for_half_a_standard_deviation_is_63() -> None:
    # 2 * (1.959964 + 0.841621)² / 0.5² = 62.79: the normal-approximation figure for a "medium" effect.
    assert two_means_sample_size(1.0, 0.5) == pytest.approx(62.79, abs=0.01)
    assert two_means_sample_size(1.0, 0.0) == math.inf


def test_one_proportion_sample_size_by_hand() -> None:
    # 0.6 against 0.5: (1.959964 * 0.5 + 0.841621 * sqrt(0.24))² / 0.1² = 193.85
    expected = (Z * 0.5 + Z80 * math.sqrt(0.24)) ** 2 / 0.01
    assert one_proportion_sample_size(0.6) == pytest.approx(expected, abs=1e-9)
    assert expected == pytest.approx(193.85, abs=0.01)


# --- numbers as text -----------------------------------------------------------------------------------


def test_numbers_read_with_sensible_rounding_and_a_dash_for_nothing() -> None:
    assert [about(n) for n in (7, 48, 100, 147, 1234)] == ["7", "48", "100", "150", "1,300"]
    assert [count_of(n, "rating") for n in (0, 1, 1204)] == ["no ratings", "1 rating", "1,204 ratings"]
    assert percent(0.804) == "80%" and percent(None) == "—" and percent(float("nan")) == "—"
    assert signed(0.2 * 100, 0, "pts") == "+20 pts" and signed(-0.001, 0, "pts") == "0 pts"
    assert [money_decimals(v) for v in (0.000214, 0.0123, 1.5)] == [5, 3, 2]
