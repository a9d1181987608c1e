"""Agreement and preference statistics for ratings and A/B votes: pure functions, no Streamlit.

Each formula names its source so a reader can check the arithmetic against the paper.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd

from hive_review.missing import is_missing

PREFERENCE_COLUMNS = [
    *("variant_1", "variant_2", "votes", "wins_1", "wins_2", "ties"),
    *("win_rate_1", "win_rate_1_low", "win_rate_1_high"),
]


def _chance_corrected(observed: float, expected: float) -> float:
    """(p_o - p_e) / (1 - p_e), the shared form of Cohen's and Fleiss' kappa.

    When chance agreement is already 1 (every rating falls in one category) the ratio is 0/0. We return
    1.0 if the raters agreed perfectly and 0.0 otherwise, so a unanimous panel does not show as NaN."""
    if math.isclose(expected, 1.0):
        return 1.0 if math.isclose(observed, 1.0) else 0.0
    return (observed - expected) / (1.0 - expected)


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Wilson (1927), "Probable inference, the law of succession, and statistical inference", JASA 22:209-212;
    method 3 in Newcombe (1998), Statistics in Medicine 17:857-872:
    (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), with z the two-sided normal quantile.
    With no trials nothing is known, so the interval is the whole range (0.0, 1.0).
    """
    if trials < 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials, got successes={successes}, trials={trials}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    if trials == 0:
        return (0.0, 1.0)
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    p = successes / trials
    denominator = 1.0 + z * z / trials
    centre = (p + z * z / (2.0 * trials)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / trials + z * z / (4.0 * trials * trials)) / denominator
    # The bounds are exactly 0 and 1 at the extremes; pin them so rounding cannot leave them a hair off.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return (low, high)


def cohen_kappa(rater_a: Sequence[Hashable], rater_b: Sequence[Hashable]) -> float:
    """Unweighted Cohen's kappa for two raters who rated the same items, position by position.

    Cohen (1960), "A coefficient of agreement for nominal scales", Educational and Psychological
    Measurement 20:37-46: kappa = (p_o - p_e) / (1 - p_e), p_e = sum over categories of p_a(c) * p_b(c).
    Degenerate case: if both raters used one and the same category throughout, p_e = 1 and the formula is
    0/0; we return 1.0 when observed agreement is also 1, else 0.0.
    """
    if len(rater_a) != len(rater_b):
        raise ValueError(f"the two raters must rate the same items: got {len(rater_a)} and {len(rater_b)} ratings")
    if len(rater_a) == 0:
        raise ValueError("cohen_kappa needs at least one item rated by both raters; got none")
    n = len(rater_a)
    observed = sum(a == b for a, b in zip(rater_a, rater_b, strict=True)) / n
    counts_a, counts_b = Counter(rater_a), Counter(rater_b)
    expected = sum(counts_a[c] * counts_b[c] for c in counts_a) / (n * n)
    return _chance_corrected(observed, expected)


def fleiss_kappa(counts: np.ndarray | Sequence[Sequence[int]]) -> float:
    """Fleiss' kappa from a subjects x categories matrix of how many raters chose each category.

    Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological Bulletin
    76(5):378-382: P_i = (sum_j n_ij² - n) / (n(n-1)), P̄ = mean P_i, p_j = sum_i n_ij / (N n),
    P̄_e = sum_j p_j², kappa = (P̄ - P̄_e) / (1 - P̄_e). Same degenerate rule as `cohen_kappa`.
    """
    table = np.asarray(counts, dtype=float)
    if table.ndim != 2 or table.shape[0] == 0 or table.shape[1] == 0:
        raise ValueError(f"counts must be a non-empty subjects x categories matrix, got shape {table.shape}")
    if (table < 0).any() or not np.array_equal(table, np.round(table)):
        raise ValueError("counts must be non-negative whole numbers of raters")
    per_subject = table.sum(axis=1)
    if not np.all(per_subject == per_subject[0]):
        raise ValueError(f"every subject must be rated by the same number of raters; row sums are {per_subject}")
    n = per_subject[0]
    if n < 2:
        raise ValueError(f"Fleiss' kappa needs at least 2 raters per subject, got {n:g}")
    agreement = ((table * table).sum(axis=1) - n) / (n * (n - 1))
    shares = table.sum(axis=0) / table.sum()
    return _chance_corrected(float(agreement.mean()), float((shares * shares).sum()))


def krippendorff_alpha(
    data: Sequence[Sequence[Hashable | None]],
    level: Literal["nominal", "interval", "ordinal"] = "nominal",
) -> float:
    """Krippendorff's alpha from reliability data laid out raters x units, None (or NaN) for missing.

    Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School for Communication,
    University of Pennsylvania, section on the general form: build the coincidence matrix o_ck, where each
    unit u with m_u >= 2 values adds 1/(m_u - 1) for every ordered pair of its values; n_c = sum_k o_ck;
    alpha = 1 - (n - 1) * sum o_ck δ²_ck / sum n_c n_k δ²_ck. Units with fewer than 2 values are not
    pairable and are skipped. Metrics from the same paper: nominal δ² = [c != k]; interval δ² = (c - k)²;
    ordinal δ² = (sum of n_g for g from c to k - (n_c + n_k) / 2)², ranks taken from the values' sort order.
    Raises ValueError when no unit has two values; returns NaN when all values are one and the same,
    since alpha is then 0/0 (Krippendorff: such data cannot show reliability).
    """
    if level not in ("nominal", "interval", "ordinal"):
        raise ValueError(f"level must be 'nominal', 'interval' or 'ordinal', got {level!r}")
    if len({len(row) for row in data}) > 1:
        raise ValueError("every rater's row must have one entry per unit (use None for missing)")
    units = [[v for v in column if not is_missing(v)] for column in zip(*data, strict=True)]
    units = [values for values in units if len(values) >= 2]
    if not units:
        raise ValueError("Krippendorff's alpha needs at least one unit with values from two or more raters")
    try:
        categories = sorted(set().union(*units)) if level != "nominal" else list(set().union(*units))
    except TypeError as error:
        raise ValueError(f"{level} alpha needs values that can be ordered: {error}") from error
    index = {c: i for i, c in enumerate(categories)}
    coincidences = np.zeros((len(categories), len(categories)))
    for values in units:
        tally = np.zeros(len(categories))
        for v in values:
            tally[index[v]] += 1
        # Ordered pairs of distinct positions: outer product minus the pairs of a value with itself.
        coincidences += (np.outer(tally, tally) - np.diag(tally)) / (len(values) - 1)
    marginals = coincidences.sum(axis=1)
    total = marginals.sum()
    if level == "nominal":
        delta = 1.0 - np.eye(len(categories))
    elif level == "interval":
        try:
            points = np.array(categories, dtype=float)
        except (TypeError, ValueError) as error:
            raise ValueError(f"interval alpha needs numeric values: {error}") from error
        delta = np.subtract.outer(points, points) ** 2
    else:
        cumulative = np.concatenate(([0.0], np.cumsum(marginals)))
        ranks = np.arange(len(categories))
        low, high = np.minimum.outer(ranks, ranks), np.maximum.outer(ranks, ranks)
        between = cumulative[high + 1] - cumulative[low]  # sum of n_g for g from c to k inclusive
        delta = (between - np.add.outer(marginals, marginals) / 2.0) ** 2
    expected = float((np.outer(marginals, marginals) * delta).sum())
    if expected == 0.0:
        return float("nan")
    return 1.0 - (total - 1.0) * float((coincidences * delta).sum()) / expected


def agreement_table(ratings: pd.DataFrame, *, item: str, rater: str, value: str) -> dict[str, Any]:
    """Agreement for one rating dimension given a long table (one row per rater per item).

    Returns {"raters", "items", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha"}. ``items`` counts the
    items every rater rated. Cohen's kappa appears with exactly 2 raters, Fleiss' kappa with 3 or more (on
    the items all raters rated), nominal Krippendorff's alpha whenever it is defined, since it tolerates
    gaps. A statistic that does not apply or is undefined is None. Missing values are dropped first.
    """
    absent = [name for name in (item, rater, value) if name not in ratings.columns]
    if absent:
        raise ValueError(f"ratings has no column(s) {absent}; columns are {list(ratings.columns)}")
    rows = ratings.loc[ratings[value].map(lambda v: not is_missing(v)), [item, rater, value]]
    repeated = rows.duplicated(subset=[item, rater])
    if repeated.any():
        first = rows.loc[repeated].iloc[0]
        raise ValueError(f"rater {first[rater]!r} rated item {first[item]!r} more than once")
    wide = rows.pivot(index=item, columns=rater, values=value)
    shared = wide.dropna(how="any")
    result: dict[str, Any] = {"raters": wide.shape[1], "items": len(shared), "cohen_kappa": None}
    result |= {"fleiss_kappa": None, "krippendorff_alpha": None}
    if wide.shape[1] == 2 and len(shared):
        result["cohen_kappa"] = cohen_kappa(list(shared.iloc[:, 0]), list(shared.iloc[:, 1]))
    if wide.shape[1] > 2 and len(shared):
        counts = shared.apply(lambda row: row.value_counts(), axis=1).fillna(0)
        result["fleiss_kappa"] = fleiss_kappa(counts.to_numpy())
    if (wide.notna().sum(axis=1) >= 2).any():
        alpha = krippendorff_alpha([list(wide[column]) for column in wide.columns])
        result["krippendorff_alpha"] = None if math.isnan(alpha) else alpha
    return result


def _checked_votes(votes: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    absent = [name for name in columns if name not in votes.columns]
    if absent:
        raise ValueError(f"votes has no column(s) {absent}; columns are {list(votes.columns)}")
    if (votes["variant_a"] == votes["variant_b"]).any():
        raise ValueError("a vote compares a variant with itself (variant_a == variant_b)")
    for column, allowed in (("winner", "tie"), ("left_variant", None)):
        if column in columns:
            ok = votes[column].eq(votes["variant_a"]) | votes[column].eq(votes["variant_b"]) | votes[column].eq(allowed)
            if not ok.all():
                bad = votes.loc[~ok, column].iloc[0]
                raise ValueError(
                    f"{column} {bad!r} is neither of the two variants compared" + (" nor 'tie'" * bool(allowed))
                )
    return votes


def preference_summary(votes: pd.DataFrame) -> pd.DataFrame:
    """One row per unordered pair of variants: vote counts, variant_1's win rate and its Wilson 95% interval.

    Ties count as not-wins for either side, so win_rate_1 = wins_1 / votes (interval from `wilson_interval`).
    """
    votes = _checked_votes(votes, ["variant_a", "variant_b", "winner"])
    if votes.empty:
        return pd.DataFrame(columns=PREFERENCE_COLUMNS)
    pairs = pd.DataFrame(
        {
            "variant_1": votes[["variant_a", "variant_b"]].min(axis=1),
            "variant_2": votes[["variant_a", "variant_b"]].max(axis=1),
            "winner": votes["winner"],
        }
    )
    rows = []
    for (first, second), group in pairs.groupby(["variant_1", "variant_2"], sort=True):
        total, wins_1, wins_2 = (
            len(group),
            int((group["winner"] == first).sum()),
            int((group["winner"] == second).sum()),
        )
        ties = total - wins_1 - wins_2
        rows.append([first, second, total, wins_1, wins_2, ties, wins_1 / total, *wilson_interval(wins_1, total)])
    return pd.DataFrame(rows, columns=PREFERENCE_COLUMNS)


def position_bias(votes: pd.DataFrame) -> dict[str, Any]:
    """How often the variant shown on the left won, among votes that were not ties, with a Wilson 95% interval.

    With no position effect the left side wins half the decided votes; ``biased`` is True when the interval
    excludes 0.5. ``left_win_rate`` is None when no vote was decided.
    """
    votes = _checked_votes(votes, ["variant_a", "variant_b", "winner", "left_variant"])
    decided = votes[votes["winner"] != "tie"]
    left_wins = int((decided["winner"] == decided["left_variant"]).sum())
    low, high = wilson_interval(left_wins, len(decided))
    rate = left_wins / len(decided) if len(decided) else None
    return {
        "decided": len(decided),
        "left_wins": left_wins,
        "left_win_rate": rate,
        "low": low,
        "high": high,
        "biased": bool(low > 0.5 or high < 0.5),
    }
