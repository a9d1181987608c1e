"""Bradley–Terry strengths from pairwise votes, and their bootstrap intervals: pure numpy, no Streamlit.

The model (Zermelo 1929; Bradley & Terry 1952): P(i beats j) = π_i / (π_i + π_j) = σ(θ_i − θ_j), with
θ = log π the log-strength. A tie counts as half a win for each side, as Zermelo counted drawn chess games,
so the data are a matrix W with W[i, j] = i's wins over j plus half their ties (fractions allowed).

Estimate: θ̂ maximises Σ_ij W_ij·log σ(θ_i − θ_j) − α·Σ_i θ_i², found by Newton's method with a backtracking
line search. That is the objective of ``choix.opt_pairwise`` (choix solves it with scipy's Newton-CG), so the
two agree on the same votes; the tests check it. With α = 0 it is the maximum-likelihood estimate, the one the
MM algorithm of Hunter (2004, Annals of Statistics 32:384-406) finds, which exists only when every split of the
variants into two groups has a win (or tie) of each group over the other (Ford 1957); ``fit_strengths`` then
refuses data without it.

Why α = ``PRIOR`` = 0.01 by default (a Gaussian prior of standard deviation 7 on each θ): a variant that won
every one of its votes has no finite maximum-likelihood strength, and early on in a comparison that is common.
The prior keeps it finite and barely moves what the votes do decide: on Agresti's baseball data (13 games per
pair) it shifts θ̂ by 0.0014, under one point of the page's Elo scale. The penalty's gradient also centres θ
(Σθ̂ = 0), the normalisation choix uses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

PRIOR: Final = 0.01
RESAMPLES: Final = 1000
ELO_POINTS: Final = 400.0 / math.log(10.0)  # Elo's scale: 400 points = 10-to-1 odds
ELO_CENTRE: Final = 1000.0  # the score of an average variant (θ = 0)
MAX_ITERATIONS: Final = 200
MAX_HALVINGS: Final = 60
STEP_TOLERANCE: Final = 1e-10


class NoEstimate(ValueError):
    """The maximum-likelihood strengths do not exist (or do not converge) for these votes."""


@dataclass(frozen=True)
class PairCounts:
    """The counted votes of one pair of variants, by index: ``first`` won, ``second`` won, or a tie."""

    first: int
    second: int
    first_wins: int
    second_wins: int
    ties: int

    @property
    def votes(self) -> int:
        return self.first_wins + self.second_wins + self.ties


def win_matrix(pairs: Sequence[PairCounts], size: int) -> np.ndarray:
    """W[i, j] = i's wins over j plus half their ties."""
    wins = np.zeros((size, size))
    for pair in pairs:
        wins[pair.first, pair.second] += pair.first_wins + pair.ties / 2.0
        wins[pair.second, pair.first] += pair.second_wins + pair.ties / 2.0
    return wins


def _objective(wins: np.ndarray, theta: np.ndarray, prior: float) -> np.ndarray:
    """−(penalised log-likelihood) per matrix of the batch; logaddexp keeps lopsided pairs finite."""
    gaps = theta[:, :, None] - theta[:, None, :]
    return (wins * np.logaddexp(0.0, -gaps)).sum(axis=(1, 2)) + prior * (theta * theta).sum(axis=1)


def _strongly_connected(wins: np.ndarray) -> np.ndarray:
    """Per matrix: can every variant reach every other through "won or tied against" (Ford's condition)."""
    size = wins.shape[-1]
    reach = (wins > 0) | np.eye(size, dtype=bool)
    for _ in range(max(1, math.ceil(math.log2(size)))):
        reach = (reach.astype(np.int64) @ reach.astype(np.int64)) > 0  # paths twice as long each round
    return reach.all(axis=(1, 2))


def fit_strengths(wins: np.ndarray, prior: float = PRIOR) -> np.ndarray:
    """Log-strengths θ̂ (centred: they sum to 0) for one matrix W (n × n) or a batch of them (B × n × n).

    Raises ``NoEstimate`` when ``prior`` is 0 and a matrix fails Ford's condition, or when Newton's method
    does not converge."""
    matrices = np.asarray(wins, dtype=float)
    single = matrices.ndim == 2
    batch = matrices[None] if single else matrices
    if batch.ndim != 3 or batch.shape[1] != batch.shape[2] or (batch < 0).any():
        raise ValueError(f"wins must be a non-negative n × n matrix or a batch of them, got shape {matrices.shape}")
    if prior < 0:
        raise ValueError(f"prior must be at least 0, got {prior}")
    count, size = batch.shape[0], batch.shape[1]
    if prior == 0 and not _strongly_connected(batch).all():
        raise NoEstimate("no maximum-likelihood strengths: some variants never lost (or never won) to the others")
    games = batch + batch.transpose(0, 2, 1)
    scores = batch.sum(axis=2)
    # Without a prior, θ + c fits as well as θ: the Hessian is singular along (1, …, 1). Adding 11ᵀ/n gives
    # that direction curvature without changing the step, which the gradient keeps orthogonal to it.
    flat = np.full((size, size), 1.0 / size) if prior == 0 else np.zeros((size, size))
    theta = np.zeros((count, size))
    value = _objective(batch, theta, prior)
    for _ in range(MAX_ITERATIONS):
        chance = 1.0 / (1.0 + np.exp(-(theta[:, :, None] - theta[:, None, :])))
        gradient = (games * chance).sum(axis=2) - scores + 2.0 * prior * theta
        curvature = games * chance * (1.0 - chance)
        hessian = -curvature + np.eye(size) * (curvature.sum(axis=2) + 2.0 * prior)[:, :, None] + flat
        step = -np.linalg.solve(hessian, gradient[:, :, None])[:, :, 0]
        if np.abs(step).max() < STEP_TOLERANCE:
            break
        # Backtracking (Armijo): a full Newton step can overshoot on lopsided pairs; halve it until the
        # objective falls. The slack absorbs rounding once the objective no longer changes.
        slope = (gradient * step).sum(axis=1)
        length = np.ones(count)
        for _ in range(MAX_HALVINGS):
            trial = theta + length[:, None] * step
            trial_value = _objective(batch, trial, prior)
            worse = trial_value > value + 1e-4 * length * slope + 1e-12 * np.abs(value)
            if not worse.any():
                break
            length = np.where(worse, length / 2.0, length)
        theta, value = trial, trial_value
    else:
        raise NoEstimate(f"Newton's method did not converge in {MAX_ITERATIONS} iterations")
    return theta[0] if single else theta


def bootstrap_strengths(
    pairs: Sequence[PairCounts], size: int, *, resamples: int = RESAMPLES, seed: int, prior: float = PRIOR
) -> np.ndarray:
    """θ̂ of ``resamples`` bootstrap vote sets (resamples × size): each pair's votes drawn with replacement
    from its own votes, so every pair keeps the number of votes it had (the design the reviewers chose)."""
    rng = np.random.default_rng(seed)
    wins = np.zeros((resamples, size, size))
    for pair in pairs:
        if pair.votes == 0:
            continue
        shares = np.array([pair.first_wins, pair.second_wins, pair.ties]) / pair.votes
        drawn = rng.multinomial(pair.votes, shares, size=resamples)
        wins[:, pair.first, pair.second] += drawn[:, 0] + drawn[:, 2] / 2.0
        wins[:, pair.second, pair.first] += drawn[:, 1] + drawn[:, 2] / 2.0
    return fit_strengths(wins, prior)


def percentile_interval(samples: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The percentile bootstrap interval of each column of ``samples``."""
    low, high = np.quantile(samples, [(1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0], axis=0)
    return low, high


def elo_score(theta: float) -> float:
    """A log-strength on Elo's scale: 1000 for an average variant; 400 points more is 10-to-1 odds of
    winning, 100 points about 64%."""
    return ELO_CENTRE + ELO_POINTS * theta
