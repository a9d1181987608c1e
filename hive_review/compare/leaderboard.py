"""A task's blind A/B votes as a leaderboard: Bradley–Terry strengths of every variant with bootstrap 95%
intervals and ranks, the win matrix, and for each pair how many more votes would tell it apart. Pure
functions over ``VoteStore.frame``, no Streamlit.

What counts: a vote for a side is a win, a tie half a win for each side (``bradley_terry``). A "both bad"
vote says nothing about which variant is better, so it is left out of the strengths, but counted and shown:
many of them say the pair is not worth choosing between yet.

Ranks follow the intervals: a variant is placed below only the variants whose whole interval lies above its
own, and above only those wholly below, so overlapping intervals share a span of ranks ("1–2"). Intervals
need ``MIN_VOTES`` counted votes (a percentile bootstrap of fewer cannot see past the few votes drawn, see
``intervals.BOOTSTRAP_MIN``); a variant with fewer spans every rank. Strengths are only comparable among
variants linked by votes, directly or through others: when the pairs voted on fall into separate groups, the
group with the most votes is ranked and the others are listed without a strength.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from hive_review.compare import bradley_terry as bt
from hive_review.compare.intervals import BOOTSTRAP_MIN, BOOTSTRAP_SEED, one_proportion_sample_size
from hive_review.compare.number_text import about
from hive_review.compare.stats import wilson_interval
from hive_review.compare.votes import OUTCOMES

MIN_VOTES: Final = BOOTSTRAP_MIN
CELL_COLUMNS: Final = ["variant", "opponent", "votes", "wins", "losses", "ties", "both_bad", "share"]


@dataclass(frozen=True)
class Standing:
    variant: str
    votes: int  # counted in the strengths: decided and tied (both-bad votes are not)
    wins: int
    losses: int
    ties: int
    both_bad: int
    strength: float | None = None  # θ̂, centred over the ranked variants; None outside them
    low: float | None = None  # its 95% bootstrap interval; None under MIN_VOTES counted votes
    high: float | None = None
    best_rank: int | None = None
    worst_rank: int | None = None

    @property
    def rank(self) -> str:
        """``2``, or ``1–3`` when overlapping intervals leave the place open; "—" outside the ranking."""
        if self.best_rank is None or self.worst_rank is None:
            return "—"
        return str(self.best_rank) if self.best_rank == self.worst_rank else f"{self.best_rank}–{self.worst_rank}"


@dataclass(frozen=True)
class PairOutlook:
    """One pair voted on: ``leader`` has at least as many decided wins as ``other``."""

    leader: str
    other: str
    leader_wins: int
    other_wins: int
    ties: int
    both_bad: int
    told_apart: bool
    more_votes: int | None  # the N of "about N more votes"; None when told apart or nothing to plan from
    outlook: str

    @property
    def decided(self) -> int:
        return self.leader_wins + self.other_wins

    @property
    def votes(self) -> int:
        return self.decided + self.ties + self.both_bad


@dataclass(frozen=True)
class Leaderboard:
    standings: list[Standing]  # ranked variants by strength, then the rest
    pairs: list[PairOutlook]
    cells: pd.DataFrame  # the win matrix, one row per ordered pair (CELL_COLUMNS)
    votes: int  # every vote, both-bad ones included
    ties: int
    both_bad: int
    separate: list[str] = field(default_factory=list)  # counted votes, but none linking them to the ranked

    @property
    def ranked(self) -> list[Standing]:
        return [standing for standing in self.standings if standing.strength is not None]


@dataclass(frozen=True)
class ReviewerBias:
    """How often one reviewer picked the left side among their decided votes, with its Wilson interval."""

    reviewer: str
    decided: int
    left_picks: int
    low: float
    high: float

    @property
    def share(self) -> float | None:
        return self.left_picks / self.decided if self.decided else None

    @property
    def leaning(self) -> Literal["left", "right"] | None:
        """The side favoured beyond chance (the interval excludes 50%); None when no sign of it."""
        if self.low > 0.5:
            return "left"
        return "right" if self.high < 0.5 else None


def _checked(raw: pd.DataFrame) -> pd.DataFrame:
    absent = [name for name in ("left_variant", "right_variant", "winner") if name not in raw.columns]
    if absent:
        raise ValueError(f"votes have no column(s) {absent}; columns are {list(raw.columns)}")
    if (raw["left_variant"] == raw["right_variant"]).any():
        raise ValueError("a vote compares a variant with itself (left_variant == right_variant)")
    unknown = raw.loc[~raw["winner"].isin(OUTCOMES), "winner"]
    if not unknown.empty:
        raise ValueError(f"a vote's winner is {unknown.iloc[0]!r}, not one of {', '.join(OUTCOMES)}")
    return raw


def _tally(raw: pd.DataFrame) -> dict[tuple[str, str], list[int]]:
    """Per unordered pair (names sorted): [first's wins, second's wins, ties, both bad]."""
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for left, right, winner in raw[["left_variant", "right_variant", "winner"]].itertuples(index=False):
        first, second = sorted((str(left), str(right)))
        counts = tally[(first, second)]
        if winner in ("left", "right"):
            counts[0 if (left if winner == "left" else right) == first else 1] += 1
        else:
            counts[2 if winner == "tie" else 3] += 1
    return tally


def _groups(tally: dict[tuple[str, str], list[int]]) -> list[set[str]]:
    """The variants linked by counted votes, directly or through others; the most-voted group first."""
    groups: list[set[str]] = []
    weights: list[int] = []
    for (first, second), counts in tally.items():
        if sum(counts[:3]) == 0:
            continue
        joined = [index for index, group in enumerate(groups) if first in group or second in group]
        merged, weight = {first, second}, sum(counts[:3])
        for index in reversed(joined):
            merged |= groups.pop(index)
            weight += weights.pop(index)
        groups.append(merged)
        weights.append(weight)
    order = sorted(range(len(groups)), key=lambda index: (-weights[index], sorted(groups[index])))
    return [groups[index] for index in order]


def _ranks(lows: np.ndarray, highs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best and worst place of each variant: above it only those wholly above its interval, below it
    only those wholly below."""
    above = (lows[None, :] > highs[:, None]).sum(axis=1)
    below = (highs[None, :] < lows[:, None]).sum(axis=1)
    return 1 + above, len(lows) - below


def _standings(
    tally: dict[tuple[str, str], list[int]], group: set[str], *, resamples: int, seed: int, prior: float
) -> dict[str, dict[str, Any]]:
    """Strength, interval and ranks of each variant of ``group``."""
    names = sorted(group)
    index = {name: position for position, name in enumerate(names)}
    pairs = [
        bt.PairCounts(index[first], index[second], *counts[:3])
        for (first, second), counts in tally.items()
        if first in index and second in index and sum(counts[:3])
    ]
    theta = bt.fit_strengths(bt.win_matrix(pairs, len(names)), prior)
    resampled = bt.bootstrap_strengths(pairs, len(names), resamples=resamples, seed=seed, prior=prior)
    lows, highs = bt.percentile_interval(resampled)
    votes = np.zeros(len(names), dtype=int)
    for pair in pairs:
        votes[[pair.first, pair.second]] += pair.votes
    enough = votes >= MIN_VOTES
    best, worst = _ranks(np.where(enough, lows, -np.inf), np.where(enough, highs, np.inf))
    return {
        name: {
            "strength": float(theta[i]),
            "low": float(lows[i]) if enough[i] else None,
            "high": float(highs[i]) if enough[i] else None,
            "best_rank": int(best[i]),
            "worst_rank": int(worst[i]),
        }
        for name, i in index.items()
    }


def pair_outlook(leader_wins: int, other_wins: int, ties: int = 0, both_bad: int = 0) -> tuple[bool, int | None, str]:
    """Whether a pair is told apart at 95% (the Wilson interval of the leader's share of decided votes
    excludes an even split), and if not about how many more votes would do it: the normal-approximation
    sample size for a proportion against 50% at 95% with 80% power (``intervals.one_proportion_sample_size``)
    from the current split, less the decided votes there are, scaled up by the share of votes that were
    decided so far (ties and both-bad votes decide nothing)."""
    decided = leader_wins + other_wins
    if decided == 0:
        return False, None, "no decided vote yet"
    low, high = wilson_interval(leader_wins, decided)
    if low > 0.5 or high < 0.5:
        return True, None, "told apart at 95%"
    needed = one_proportion_sample_size(leader_wins / decided, 0.5)
    if not math.isfinite(needed):
        return False, None, "evenly split so far: no lead to plan more votes on"
    more_decided = max(1, math.ceil(needed) - decided)  # the interval may still hold 50% where n suffices
    more = math.ceil(more_decided * (decided + ties + both_bad) / decided)
    return False, more, f"about {about(more)} more votes to tell them apart at 95%"


def _pairs(tally: dict[tuple[str, str], list[int]], order: dict[str, int]) -> list[PairOutlook]:
    outlooks = []
    for (first, second), (first_wins, second_wins, ties, both_bad) in tally.items():
        # The leader has more decided wins; on an even split, the better placed variant.
        if (second_wins, -order[second]) > (first_wins, -order[first]):
            first, second, first_wins, second_wins = second, first, second_wins, first_wins
        told, more, outlook = pair_outlook(first_wins, second_wins, ties, both_bad)
        outlooks.append(PairOutlook(first, second, first_wins, second_wins, ties, both_bad, told, more, outlook))
    return sorted(outlooks, key=lambda pair: (order[pair.leader], order[pair.other]))


def _cells(tally: dict[tuple[str, str], list[int]]) -> pd.DataFrame:
    rows = []
    for (first, second), (first_wins, second_wins, ties, both_bad) in tally.items():
        counted = first_wins + second_wins + ties
        for variant, opponent, wins, losses in ((first, second, first_wins, second_wins),
                                                (second, first, second_wins, first_wins)):  # fmt: skip
            share = (wins + ties / 2.0) / counted if counted else None
            rows.append([variant, opponent, counted, wins, losses, ties, both_bad, share])
    return pd.DataFrame(rows, columns=CELL_COLUMNS)


def leaderboard(
    raw: pd.DataFrame, *, resamples: int = bt.RESAMPLES, seed: int = BOOTSTRAP_SEED, prior: float = bt.PRIOR
) -> Leaderboard:
    """The leaderboard of the votes ``raw`` (``VoteStore.frame``'s columns). The bootstrap's ``seed`` is
    fixed so the same votes show the same intervals on every rerun of the page."""
    raw = _checked(raw)
    tally = _tally(raw)
    groups = _groups(tally)
    fitted = _standings(tally, groups[0], resamples=resamples, seed=seed, prior=prior) if groups else {}
    per_variant: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(4, dtype=int))  # won, lost, tied, both bad
    for (first, second), (first_wins, second_wins, ties, both_bad) in tally.items():
        per_variant[first] += (first_wins, second_wins, ties, both_bad)
        per_variant[second] += (second_wins, first_wins, ties, both_bad)
    standings = []
    for name, counts in per_variant.items():
        wins, losses, ties, both_bad = (int(count) for count in counts)
        standings.append(Standing(name, wins + losses + ties, wins, losses, ties, both_bad, **fitted.get(name, {})))
    standings.sort(key=lambda s: (s.strength is None, -(s.strength or 0.0), -s.votes, s.variant))
    order = {standing.variant: position for position, standing in enumerate(standings)}
    separate = sorted(name for group in groups[1:] for name in group)
    winners = raw["winner"]
    return Leaderboard(
        standings=standings,
        pairs=_pairs(tally, order),
        cells=_cells(tally),
        votes=len(raw),
        ties=int((winners == "tie").sum()),
        both_bad=int((winners == "both_bad").sum()),
        separate=separate,
    )


def reviewer_bias(raw: pd.DataFrame) -> list[ReviewerBias]:
    """Per reviewer, the share of their decided votes that went to the left side (ties and both-bad votes
    pick no side), with its Wilson 95% interval: without a position effect it is about half. Sorted by the
    number of decided votes, most first."""
    raw = _checked(raw)
    decided = raw[raw["winner"].isin(["left", "right"])]
    biases = []
    for reviewer, votes in decided.groupby("reviewer", sort=True):
        left = int((votes["winner"] == "left").sum())
        biases.append(ReviewerBias(str(reviewer), len(votes), left, *wilson_interval(left, len(votes))))
    return sorted(biases, key=lambda bias: (-bias.decided, bias.reviewer))
