"""Intervals for means and for differences, and how many more ratings would settle a question.

Pure functions, no Streamlit. ``stats.wilson_interval`` covers a single proportion; this module adds
what comparing two variants needs. Each formula names its source so the arithmetic can be checked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import Final

import numpy as np

from hive_review.compare.stats import wilson_interval

CONFIDENCE: Final = 0.95
POWER: Final = 0.80
BOOTSTRAP_RESAMPLES: Final = 2000
BOOTSTRAP_SEED: Final = 20_240_601  # fixed: the same log shows the same interval on every rerun
# Below this many values a percentile bootstrap is too narrow (it cannot see beyond the few values
# drawn); above the upper bound the mean is normal enough (central limit theorem) that the t interval
# agrees with the bootstrap, and resampling would only cost time on every rerun of the page.
BOOTSTRAP_MIN: Final = 10
BOOTSTRAP_MAX: Final = 1000
BOOTSTRAP: Final = "bootstrap"
STUDENT_T: Final = "t"


def z_quantile(probability: float) -> float:
    return NormalDist().inv_cdf(probability)


def _two_sided_z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    return z_quantile(0.5 + confidence / 2.0)


# ---- Student's t ----------------------------------------------------------------------------------


def _continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function, by the modified Lentz method
    (Press et al., Numerical Recipes, 3rd ed., §6.4 "betacf")."""
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 10_000):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):  # fmt: skip
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return result


def _regularized_beta(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _continued_fraction(a, b, x) / a
    return 1.0 - front * _continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom (any real df > 0):
    1 - I_x(df/2, 1/2) / 2 with x = df / (df + t²), for t >= 0 (Abramowitz & Stegun 26.7.1 with 26.5)."""
    tail = 0.5 * _regularized_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(probability: float, df: float) -> float:
    """The ``probability`` quantile of Student's t, by bisection on ``t_cdf`` (to 1e-10)."""
    if not 0.0 < probability < 1.0 or df <= 0:
        raise ValueError(f"need 0 < probability < 1 and df > 0, got {probability} and {df}")
    if probability < 0.5:
        return -t_quantile(1.0 - probability, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < probability:
        low, high = high, high * 2.0
    while high - low > 1e-10:
        middle = (low + high) / 2.0
        low, high = (middle, high) if t_cdf(middle, df) < probability else (low, middle)
    return (low + high) / 2.0


# ---- means --------------------------------------------------------------------------------------


def _clean(values: Sequence[float] | np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array[~np.isnan(array)]


def t_mean_interval(values: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """mean ± t(df = n-1) · s / √n: Student's interval, exact for normal data. Needs two values."""
    data = _clean(values)
    if len(data) < 2:
        raise ValueError(f"a t interval needs at least 2 values, got {len(data)}")
    half = t_quantile(0.5 + confidence / 2.0, len(data) - 1) * float(data.std(ddof=1)) / math.sqrt(len(data))
    return (float(data.mean()) - half, float(data.mean()) + half)


def _bootstrap_means(data: np.ndarray, rng: np.random.Generator, resamples: int) -> np.ndarray:
    """The means of ``resamples`` resamples of ``data`` with replacement."""
    levels, counts = np.unique(data, return_counts=True)
    if len(levels) <= 50:
        # Few distinct values (stars are 1-5): drawing how often each value is picked is the same
        # distribution as drawing positions, and costs resamples x levels instead of x n.
        picks = rng.multinomial(len(data), counts / len(data), size=resamples)
        return picks @ levels / len(data)
    means = np.empty(resamples)
    chunk = max(1, 1_000_000 // len(data))  # bounded memory for a long log
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        means[start:stop] = data[rng.integers(0, len(data), size=(stop - start, len(data)))].mean(axis=1)
    return means


def bootstrap_mean_interval(
    values: Sequence[float] | np.ndarray,
    confidence: float = CONFIDENCE,
    *,
    rng: np.random.Generator | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (Efron & Tibshirani 1993, An Introduction to the
    Bootstrap, ch. 13): the (1-c)/2 and (1+c)/2 quantiles of the means of resamples with replacement.
    It assumes no shape of the distribution, so it suits bounded stars and skewed tokens and costs."""
    data = _clean(values)
    if len(data) < 2:
        raise ValueError(f"a bootstrap interval needs at least 2 values, got {len(data)}")
    means = _bootstrap_means(data, rng or np.random.default_rng(BOOTSTRAP_SEED), resamples)
    low, high = np.quantile(means, [(1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0])
    return (float(low), float(high))


def uses_bootstrap(*counts: int) -> bool:
    return all(BOOTSTRAP_MIN <= n <= BOOTSTRAP_MAX for n in counts)


def mean_interval(values: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float, str]:
    """The 95% interval of a mean and the method used: the percentile bootstrap for 10 to 1,000
    values, Student's t otherwise (see BOOTSTRAP_MIN / BOOTSTRAP_MAX for why)."""
    data = _clean(values)
    if uses_bootstrap(len(data)):
        return (*bootstrap_mean_interval(data, confidence), BOOTSTRAP)
    return (*t_mean_interval(data, confidence), STUDENT_T)


def mean_difference_interval(
    first: Sequence[float] | np.ndarray, second: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE
) -> tuple[float, float, str]:
    """Interval of mean(first) - mean(second) for independent samples, and the method used: a percentile
    bootstrap resampling each sample on its own when both have 10 to 1,000 values, else Welch's t
    (Welch 1947, Biometrika 34:28-35; degrees of freedom by the Welch-Satterthwaite equation)."""
    a, b = _clean(first), _clean(second)
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"a difference of means needs at least 2 values on each side, got {len(a)} and {len(b)}")
    if uses_bootstrap(len(a), len(b)):
        rng = np.random.default_rng(BOOTSTRAP_SEED)
        differences = _bootstrap_means(a, rng, BOOTSTRAP_RESAMPLES) - _bootstrap_means(b, rng, BOOTSTRAP_RESAMPLES)
        low, high = np.quantile(differences, [(1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0])
        return (float(low), float(high), BOOTSTRAP)
    va, vb = float(a.var(ddof=1)) / len(a), float(b.var(ddof=1)) / len(b)
    difference = float(a.mean() - b.mean())
    if va + vb == 0.0:
        return (difference, difference, STUDENT_T)  # no spread at all: nothing to be unsure about
    df = (va + vb) ** 2 / (va * va / (len(a) - 1) + vb * vb / (len(b) - 1))
    half = t_quantile(0.5 + confidence / 2.0, df) * math.sqrt(va + vb)
    return (difference - half, difference + half, STUDENT_T)


# ---- proportions ----------------------------------------------------------------------------------


def newcombe_difference_interval(
    successes_1: int, trials_1: int, successes_2: int, trials_2: int, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """Interval of p1 - p2 for two independent proportions: Newcombe's hybrid score interval, method 10 of
    Newcombe (1998), "Interval estimation for the difference between independent proportions: comparison
    of eleven methods", Statistics in Medicine 17:873-890. With (l_i, u_i) the Wilson intervals of p_i:
    low = p1 - p2 - sqrt((p1 - l1)² + (u2 - p2)²), high = p1 - p2 + sqrt((u1 - p1)² + (p2 - l2)²)."""
    if trials_1 <= 0 or trials_2 <= 0:
        raise ValueError(f"both proportions need trials, got {trials_1} and {trials_2}")
    p1, p2 = successes_1 / trials_1, successes_2 / trials_2
    l1, u1 = wilson_interval(successes_1, trials_1, confidence)
    l2, u2 = wilson_interval(successes_2, trials_2, confidence)
    difference = p1 - p2
    return (
        difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


# ---- how many ratings would tell ------------------------------------------------------------------


def two_proportions_sample_size(p1: float, p2: float, confidence: float = CONFIDENCE, power: float = POWER) -> float:
    """Ratings per variant for a two-sided test at ``confidence`` to detect p1 vs p2 with ``power``: the
    normal approximation without continuity correction (Fleiss, Levin & Paik 2003, Statistical Methods for
    Rates and Proportions, 3rd ed., ch. 4; the formula R's power.prop.test solves):
    n = (z_a·sqrt(2·p̄·q̄) + z_b·sqrt(p1·q1 + p2·q2))² / (p1 - p2)², p̄ = (p1 + p2) / 2. Infinite if p1 = p2."""
    if p1 == p2:
        return math.inf
    mean = (p1 + p2) / 2.0
    spread = _two_sided_z(confidence) * math.sqrt(2.0 * mean * (1.0 - mean))
    spread += z_quantile(power) * math.sqrt(p1 * (1.0 - p1) + p2 * (1.0 - p2))
    return spread**2 / (p1 - p2) ** 2


def one_proportion_sample_size(
    p: float, p0: float = 0.5, confidence: float = CONFIDENCE, power: float = POWER
) -> float:
    """Trials for a two-sided test of a proportion against ``p0`` to detect ``p`` with ``power`` (normal
    approximation): n = (z_a·sqrt(p0·q0) + z_b·sqrt(p·q))² / (p - p0)². Infinite if p = p0."""
    if p == p0:
        return math.inf
    spread = _two_sided_z(confidence) * math.sqrt(p0 * (1.0 - p0)) + z_quantile(power) * math.sqrt(p * (1.0 - p))
    return spread**2 / (p - p0) ** 2


def two_means_sample_size(sd: float, difference: float, confidence: float = CONFIDENCE, power: float = POWER) -> float:
    """Values per variant to detect ``difference`` between two means with common spread ``sd`` (normal
    approximation): n = 2·(z_a + z_b)²·sd² / difference². Infinite if the difference is 0."""
    if difference == 0:
        return math.inf
    return 2.0 * (_two_sided_z(confidence) + z_quantile(power)) ** 2 * sd * sd / (difference * difference)
