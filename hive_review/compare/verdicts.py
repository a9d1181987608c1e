"""A variant against the deployed one: the difference, its 95% interval, and one sentence a PM can act on.

Every comparison ends in one of four outcomes:

* **better / worse**: the 95% interval of the difference excludes 0 ("… more often than … (95% sure)").
* **tie**: the interval includes 0 but lies within the smallest difference that matters (``MARGINS``):
  whatever difference there is, it is too small to choose on ("no difference found with N ratings each").
* **too few**: the interval is wider than that. The sentence says roughly how many more ratings would settle
  it (per variant, or of the variant alone when the baseline already has enough): the normal-approximation
  sample size for a two-sided test at 95% with 80% power, from the current split (the observed rates or
  means; when they differ by less than the margin, from a difference of the margin itself, since a smaller
  one would not change the decision).
* **no data**: one side has nothing to compare yet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd

from hive_review.compare import intervals
from hive_review.compare.number_text import about, count_of
from hive_review.compare.stats import wilson_interval

Outcome = Literal["better", "worse", "tie", "too_few", "no_data"]

THUMBS: Final = "Thumbs-up rate"
STARS: Final = "Mean stars"
VOTES: Final = "Blind A/B wins"
# The smallest difference worth choosing a variant on: 10 percentage points of thumbs-up rate, half a star,
# or a 60/40 split of decided blind votes.
MARGINS: Final[dict[str, float]] = {THUMBS: 0.10, STARS: 0.5, VOTES: 0.10}
PLANNING_STAR_SD: Final = 1.0  # the spread assumed for stars until the ratings themselves vary


@dataclass(frozen=True)
class Variant:
    name: str  # as the sentence names it
    deployed: bool = False

    @property
    def as_baseline(self) -> str:
        return f"the deployed {self.name}" if self.deployed else self.name


@dataclass(frozen=True)
class Verdict:
    metric: str
    variant: str
    baseline: str
    difference: float | None  # variant minus baseline (rates as shares, stars as stars)
    low: float | None
    high: float | None
    count: int  # the variant's ratings (votes: decided votes of the pair)
    baseline_count: int
    outcome: Outcome
    more_needed: int | None  # the N of "about N more … would" (too_few only)
    method: str
    sentence: str


def _outcome(low: float, high: float, margin: float) -> Outcome:
    if low > 0:
        return "better"
    if high < 0:
        return "worse"
    return "tie" if -margin < low and high < margin else "too_few"


def _more(needed: float, count: int, baseline_count: int, variant: str, noun: str) -> tuple[int, str]:
    """How many more ratings, and the end of the sentence that says so. "Per variant" when both sides
    need more; only the variant's when the baseline already has enough (the usual case for a deployed
    prompt with a long history against a new variant)."""
    short = [max(0, math.ceil(needed) - n) for n in (count, baseline_count)]
    if short[0] > 0 and short[1] > 0:
        return max(short), f"about {about(max(short))} more per variant would"
    if short[0] > 0 or short[1] > 0:
        return max(short), f"about {about(max(short))} more {noun} of {variant} would"
    # The current split asks for no more, yet the interval still spans both a gain and a loss: the formula's
    # normal approximation and the score interval disagree at the edge of significance. A rule of thumb, not a
    # formula: a quarter more on each side narrows the interval by about a tenth, usually enough there.
    more = max(1, math.ceil(min(count, baseline_count) / 4))
    return more, f"about {about(more)} more per variant would"


def _planned(observed: float, reference: float, margin: float, low: float = 0.0, high: float = 1.0) -> float:
    """The value the sample size is planned for: the observed one, or ``reference`` ± ``margin`` when the
    observed difference is smaller than the margin (kept inside [low, high])."""
    if abs(observed - reference) >= margin:
        return observed
    shifted = reference + margin if observed >= reference else reference - margin
    return shifted if low <= shifted <= high else reference - (shifted - reference)


def thumbs_verdict(
    variant: Variant, baseline: Variant, ups: int, thumbs: int, baseline_ups: int, baseline_thumbs: int
) -> Verdict:
    """Thumbs-up rate of ``variant`` against ``baseline``: Newcombe's hybrid score interval (method 10)."""
    base = (THUMBS, variant.name, baseline.name)
    method = "Newcombe hybrid score (method 10)"
    if thumbs == 0 or baseline_thumbs == 0:
        empty = variant.name if thumbs == 0 else baseline.as_baseline
        sentence = f"Not enough ratings to tell {variant.name} from {baseline.as_baseline}: {empty} has no thumbs yet"
        return Verdict(*base, None, None, None, thumbs, baseline_thumbs, "no_data", None, method, sentence)
    p, q = ups / thumbs, baseline_ups / baseline_thumbs
    low, high = intervals.newcombe_difference_interval(ups, thumbs, baseline_ups, baseline_thumbs)
    outcome = _outcome(low, high, MARGINS[THUMBS])
    needed = intervals.two_proportions_sample_size(_planned(p, q, MARGINS[THUMBS]), q)
    more, would = _more(needed, thumbs, baseline_thumbs, variant.name, "ratings")
    sentence = {
        "better": f"{variant.name} gets thumbs up more often than {baseline.as_baseline} (95% sure)",
        "worse": f"{variant.name} gets thumbs up less often than {baseline.as_baseline} (95% sure)",
        "tie": f"{variant.name} against {baseline.as_baseline}: no difference found with "
        f"{_each(thumbs, baseline_thumbs)} (thumbs-up rates within {MARGINS[THUMBS] * 100:.0f} points)",
        "too_few": f"Not enough ratings to tell {variant.name} from {baseline.as_baseline}: {would}",
    }[outcome]
    more_needed = more if outcome == "too_few" else None
    return Verdict(*base, p - q, low, high, thumbs, baseline_thumbs, outcome, more_needed, method, sentence)


def stars_verdict(variant: Variant, baseline: Variant, stars: np.ndarray, baseline_stars: np.ndarray) -> Verdict:
    """Mean stars of ``variant`` against ``baseline``: bootstrap or Welch interval of the difference."""
    stars, baseline_stars = np.asarray(stars, dtype=float), np.asarray(baseline_stars, dtype=float)
    n, m = len(stars), len(baseline_stars)
    base = (STARS, variant.name, baseline.name)
    if n < 2 or m < 2:
        few, count = (variant.name, n) if n < 2 else (baseline.as_baseline, m)
        sentence = (
            f"Not enough star ratings to tell {variant.name} from {baseline.as_baseline}: "
            f"{few} has {count_of(count, 'star rating')}"
        )
        return Verdict(*base, None, None, None, n, m, "no_data", None, "", sentence)
    low, high, method = intervals.mean_difference_interval(stars, baseline_stars)
    difference = float(stars.mean() - baseline_stars.mean())
    outcome = _outcome(low, high, MARGINS[STARS])
    pooled = float(np.concatenate([stars - stars.mean(), baseline_stars - baseline_stars.mean()]).std())
    planned = max(abs(difference), MARGINS[STARS])
    needed = intervals.two_means_sample_size(pooled if pooled > 0 else PLANNING_STAR_SD, planned)
    more, would = _more(needed, n, m, variant.name, "star ratings")
    sentence = {
        "better": f"{variant.name} gets higher star ratings than {baseline.as_baseline} (95% sure)",
        "worse": f"{variant.name} gets lower star ratings than {baseline.as_baseline} (95% sure)",
        "tie": f"{variant.name} against {baseline.as_baseline}: no difference in stars found with {_each(n, m)} "
        f"(means within {MARGINS[STARS]:g} stars)",
        "too_few": f"Not enough star ratings to tell {variant.name} from {baseline.as_baseline}: {would}",
    }[outcome]
    method_name = "bootstrap (percentile)" if method == intervals.BOOTSTRAP else "Welch's t"
    more_needed = more if outcome == "too_few" else None
    return Verdict(*base, difference, low, high, n, m, outcome, more_needed, method_name, sentence)


def votes_verdict(variant: Variant, baseline: Variant, wins: int, baseline_wins: int) -> Verdict:
    """Blind A/B votes of a pair: ``variant``'s share of the decided votes (ties left out) against an even
    split, with its Wilson interval. The difference reported is that share minus 50%."""
    decided = wins + baseline_wins
    base = (VOTES, variant.name, baseline.name)
    method = "Wilson score, against 50%"
    if decided == 0:
        sentence = f"Not enough votes to tell {variant.name} from {baseline.as_baseline}: no decided blind vote yet"
        return Verdict(*base, None, None, None, decided, decided, "no_data", None, method, sentence)
    share = wins / decided
    low, high = (bound - 0.5 for bound in wilson_interval(wins, decided))
    outcome = _outcome(low, high, MARGINS[VOTES])
    needed = intervals.one_proportion_sample_size(_planned(share, 0.5, MARGINS[VOTES]), 0.5)
    more = max(1, math.ceil(needed) - decided) if math.isfinite(needed) else 1
    sentence = {
        "better": f"{variant.name} wins blind votes more often than {baseline.as_baseline} (95% sure)",
        "worse": f"{variant.name} wins blind votes less often than {baseline.as_baseline} (95% sure)",
        "tie": f"{variant.name} against {baseline.as_baseline}: no preference found with "
        f"{count_of(decided, 'decided vote')} (shares within {50 - MARGINS[VOTES] * 100:.0f}-"
        f"{50 + MARGINS[VOTES] * 100:.0f}%)",
        "too_few": f"Not enough votes to tell {variant.name} from {baseline.as_baseline}: "
        f"about {about(more)} more decided votes would",
    }[outcome]
    more_needed = more if outcome == "too_few" else None
    return Verdict(*base, share - 0.5, low, high, decided, decided, outcome, more_needed, method, sentence)


def _each(n: int, m: int) -> str:
    return f"{n:,} ratings each" if n == m else f"{n:,} and {m:,} ratings"


def pair_verdicts(summary: pd.DataFrame, deployed: str | None) -> list[Verdict]:
    """One verdict per pair of ``stats.preference_summary``: the deployed variant is the baseline when it is
    in the pair, else the first of the two (alphabetically, as the summary orders them)."""
    verdicts = []
    for pair in summary.itertuples(index=False):
        first, second = Variant(str(pair.variant_1)), Variant(str(pair.variant_2))
        wins_first, wins_second = int(pair.wins_1), int(pair.wins_2)
        if second.name == deployed:
            verdicts.append(votes_verdict(first, Variant(second.name, deployed=True), wins_first, wins_second))
        else:
            baseline = Variant(first.name, deployed=first.name == deployed)
            verdicts.append(votes_verdict(second, baseline, wins_second, wins_first))
    return verdicts
