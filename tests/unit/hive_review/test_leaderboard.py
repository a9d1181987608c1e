"""The blind-vote leaderboard: Bradley–Terry strengths against a published example and against the choix
package, bootstrap intervals that cover known strengths at about their stated rate, shared ranks, what a pair
needs to be told apart, position bias per reviewer, and the "both bad" vote from the store to the strengths."""

from __future__ import annotations

import json
import math

import choix  # only the tests use it: the studio fits Bradley–Terry itself (hive_review.compare.bradley_terry)
import numpy as np
import pandas as pd
import pytest

from hive_review.compare import bradley_terry as bt
from hive_review.compare.intervals import one_proportion_sample_size
from hive_review.compare.leaderboard import MIN_VOTES, _tally, leaderboard, pair_outlook, reviewer_bias
from hive_review.compare.votes import BlindVote, Side, preference_pairs, votes_frame
from hive_review.log.entries import LogEntry
from hive_review.stores import open_stores

# Agresti, Categorical Data Analysis (2nd ed., 2002), Table 10.10: the 1987 American League East, 13 games
# per pair. WINS[i][j] = games team i won against team j.
TEAMS = ["Milwaukee", "Detroit", "Toronto", "New York", "Boston", "Cleveland", "Baltimore"]
WINS = [
    [0, 7, 9, 7, 7, 9, 11],
    [6, 0, 7, 5, 11, 9, 9],
    [4, 6, 0, 7, 7, 8, 12],
    [6, 8, 6, 0, 6, 7, 10],
    [6, 2, 6, 7, 0, 7, 12],
    [4, 4, 5, 6, 6, 0, 6],
    [2, 4, 1, 3, 1, 7, 0],
]
# Table 10.11: the fitted Bradley–Terry parameters with Baltimore's set to 0, to two decimals; and the same
# fit to four decimals as R's BradleyTerry2 prints it for Agresti's data (its tests/baseball.Rout.save).
AGRESTI = {"Milwaukee": 1.58, "Detroit": 1.44, "Toronto": 1.29, "New York": 1.25, "Boston": 1.11, "Cleveland": 0.68}
BRADLEY_TERRY_2 = {"Milwaukee": 1.5814, "Detroit": 1.4364, "Toronto": 1.2945, "New York": 1.2476,
                   "Boston": 1.1077, "Cleveland": 0.6839}  # fmt: skip


def test_agresti_baseball_example_is_reproduced() -> None:
    theta = bt.fit_strengths(np.array(WINS, dtype=float), prior=0.0)  # the maximum-likelihood fit
    relative = {team: theta[i] - theta[TEAMS.index("Baltimore")] for i, team in enumerate(TEAMS)}
    for team, published in AGRESTI.items():
        assert round(relative[team], 2) == published, team
    for team, printed in BRADLEY_TERRY_2.items():
        assert relative[team] == pytest.approx(printed, abs=1e-4), team
    # The default's weak prior moves these by about a thousandth: under one point on the page's Elo scale.
    shift = np.abs(bt.fit_strengths(np.array(WINS, dtype=float)) - theta).max()
    assert shift < 0.002 and bt.ELO_POINTS * shift < 1.0


def _random_votes(rng: np.random.Generator, variants: int, votes: int) -> pd.DataFrame:
    """Votes as ``VoteStore.frame`` gives them: random pairs and sides, outcomes from random strengths,
    with ties and both-bad votes among them."""
    strengths = rng.normal(0.0, 0.8, variants)
    rows = []
    for _ in range(votes):
        left, right = rng.choice(variants, 2, replace=False)
        draw = rng.random()
        if draw < 0.1:
            winner = "tie"
        elif draw < 0.15:
            winner = "both_bad"
        else:
            winner = "left" if rng.random() < 1 / (1 + math.exp(strengths[right] - strengths[left])) else "right"
        rows.append({"left_variant": f"v{left}", "right_variant": f"v{right}", "winner": winner, "reviewer": "r"})
    return pd.DataFrame(rows)


def _choix_data(raw: pd.DataFrame, names: list[str]) -> list[tuple[int, int]]:
    """The same votes as choix reads them, (winner, loser), each counted twice so that a tie is one win
    each way: half a win each, as the studio counts it. Both-bad votes are left out, as the studio does."""
    index = {name: position for position, name in enumerate(names)}
    data = []
    for vote in raw.itertuples(index=False):
        left, right = index[vote.left_variant], index[vote.right_variant]
        if vote.winner == "left":
            data += [(left, right)] * 2
        elif vote.winner == "right":
            data += [(right, left)] * 2
        elif vote.winner == "tie":
            data += [(left, right), (right, left)]
    return data


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_strengths_equal_choix_on_the_same_votes(seed: int) -> None:
    raw = _random_votes(np.random.default_rng(seed), variants=5, votes=400)
    board = leaderboard(raw, resamples=50)
    names = sorted(standing.variant for standing in board.standings)
    ours = np.array([next(s.strength for s in board.standings if s.variant == name) for name in names])
    data = _choix_data(raw, names)
    # The page's estimate: choix's penalised fit with the same prior (doubled, as the data are).
    theirs = choix.opt_pairwise(len(names), data, alpha=2 * bt.PRIOR, tol=1e-10)
    assert np.abs(ours - (theirs - theirs.mean())).max() < 1e-3
    # Without the prior, the maximum-likelihood fit (from the counts the page fits), which choix finds three ways.
    index = {name: position for position, name in enumerate(names)}
    pairs = [bt.PairCounts(index[a], index[b], *counts[:3]) for (a, b), counts in _tally(raw).items()]
    mle = bt.fit_strengths(bt.win_matrix(pairs, len(names)), prior=0.0)
    for fitted in (
        choix.mm_pairwise(len(names), data, tol=1e-12, max_iter=100_000),
        choix.ilsr_pairwise(len(names), data, alpha=0.0, tol=1e-12, max_iter=100_000),
        choix.opt_pairwise(len(names), data, alpha=0.0, tol=1e-10),
    ):
        assert np.abs(mle - (fitted - fitted.mean())).max() < 1e-3


def test_a_variant_that_never_lost_has_no_maximum_likelihood_strength_but_a_finite_page_estimate() -> None:
    wins = np.array([[0.0, 10.0, 6.0], [0.0, 0.0, 5.0], [0.0, 4.0, 0.0]])  # the first never lost
    with pytest.raises(bt.NoEstimate):
        bt.fit_strengths(wins, prior=0.0)
    theta = bt.fit_strengths(wins)
    assert np.isfinite(theta).all() and theta[0] == theta.max() and abs(theta.sum()) < 1e-9
    data = [(i, j) for i in range(3) for j in range(3) for _ in range(int(wins[i, j]))]
    assert np.abs(theta - choix.opt_pairwise(3, data, alpha=bt.PRIOR, tol=1e-10)).max() < 1e-3


def test_bootstrap_intervals_cover_known_strengths_at_about_95_percent() -> None:
    """200 vote sets drawn from known strengths (4 variants, 25 votes per pair; a fifth of the votes tied,
    drawn so that a tie's half win keeps each pair's expected score at the model's; plus both-bad votes,
    which must change nothing): the share of intervals holding the true centred strength."""
    rng = np.random.default_rng(20_240_601)
    truth = np.array([-0.6, -0.2, 0.2, 0.6])
    names = [f"variant-{i}" for i in range(len(truth))]
    covered = []
    for _ in range(200):
        rows = []
        for i in range(len(truth)):
            for j in range(i + 1, len(truth)):
                expected = 1 / (1 + math.exp(truth[j] - truth[i]))
                tie = 0.2
                decided_win = (expected - tie / 2) / (1 - tie)
                counts = rng.multinomial(25, [(1 - tie) * decided_win, (1 - tie) * (1 - decided_win), tie])
                outcomes = ["left"] * counts[0] + ["right"] * counts[1] + ["tie"] * counts[2] + ["both_bad"] * 3
                rows += [{"left_variant": names[i], "right_variant": names[j], "winner": w} for w in outcomes]
        board = leaderboard(pd.DataFrame(rows), seed=int(rng.integers(2**31)))
        for standing in board.standings:
            true = truth[names.index(standing.variant)]
            covered.append(standing.low <= true <= standing.high)
    coverage = float(np.mean(covered))
    assert 0.90 <= coverage <= 0.99, coverage


def test_overlapping_intervals_share_ranks() -> None:
    rows = []
    for winner, loser, count in (("a", "b", 18), ("b", "a", 2), ("a", "c", 18), ("c", "a", 2),
                                 ("b", "c", 11), ("c", "b", 9)):  # fmt: skip
        rows += [{"left_variant": winner, "right_variant": loser, "winner": "left"}] * count
    board = leaderboard(pd.DataFrame(rows))
    assert [(s.variant, s.rank) for s in board.standings] == [("a", "1"), ("b", "2–3"), ("c", "2–3")]
    assert all(s.low < s.strength < s.high for s in board.standings)
    # The same votes one tenth as many: no interval under MIN_VOTES, so every place stays open.
    few = leaderboard(pd.DataFrame(rows[::10]))
    assert all(s.votes < MIN_VOTES and s.low is None and s.rank == "1–3" for s in few.standings)


def test_groups_of_variants_never_compared_are_not_ranked_together() -> None:
    rows = [{"left_variant": "a", "right_variant": "b", "winner": "left"}] * 12
    rows += [{"left_variant": "c", "right_variant": "d", "winner": w} for w in ["left", "right", "both_bad"]]
    board = leaderboard(pd.DataFrame(rows))
    assert {s.variant for s in board.ranked} == {"a", "b"} and board.separate == ["c", "d"]
    assert next(s for s in board.standings if s.variant == "d").both_bad == 1


def test_a_pair_says_how_many_more_votes_would_tell_it_apart() -> None:
    assert pair_outlook(18, 2) == (True, None, "told apart at 95%")
    assert pair_outlook(5, 5)[:2] == (False, None)
    assert pair_outlook(0, 0, ties=3)[2] == "no decided vote yet"
    # 12 of 20 decided: n = (1.96·0.5 + 0.8416·√(0.6·0.4))² / 0.1² ≈ 193.8, so 174 more decided votes; with
    # 5 of every 25 votes a tie or both bad, about 174 · 25/20 = 217.5, shown to two digits.
    told, more, outlook = pair_outlook(12, 8, ties=3, both_bad=2)
    assert math.ceil(one_proportion_sample_size(0.6, 0.5)) == 194
    assert (told, more, outlook) == (False, 218, "about 220 more votes to tell them apart at 95%")


def test_position_bias_is_measured_per_reviewer() -> None:
    vote = {"left_variant": "a", "right_variant": "b"}
    rows = [{**vote, "reviewer": "lefty", "winner": "left"}] * 20
    rows += [{**vote, "reviewer": "even", "winner": winner} for winner in ["left", "right"] * 10 + ["both_bad"] * 5]
    even, lefty = reviewer_bias(pd.DataFrame(rows))  # as many decided votes each: by name
    assert (lefty.reviewer, lefty.decided, lefty.leaning) == ("lefty", 20, "left")
    assert (even.reviewer, even.decided, even.share, even.leaning) == ("even", 20, 0.5, None)
    assert even.low < 0.5 < even.high


def test_a_vote_of_an_unknown_outcome_or_a_variant_against_itself_is_refused() -> None:
    with pytest.raises(ValueError, match="left, right, tie, both_bad"):
        leaderboard(pd.DataFrame([{"left_variant": "a", "right_variant": "b", "winner": "neither"}]))
    with pytest.raises(ValueError, match="with itself"):
        leaderboard(pd.DataFrame([{"left_variant": "a", "right_variant": "a", "winner": "left"}]))


def _side(stores, session_id: str, variant: str) -> Side:
    generation_id = f"g-{variant}"
    stores.log.add_entry(LogEntry(generation_id=generation_id, session_id=session_id, reviewer="r", task="t",
                                  prompt_version=variant, completion=f"answer of {variant}"))  # fmt: skip
    return Side(variant=variant, generation_id=generation_id, prompt=f"{variant} prompt", completion="x")


def test_a_both_bad_vote_is_stored_sent_on_both_generations_and_kept_out_of_the_strengths(database_url) -> None:
    stores = open_stores(database_url)
    session = stores.log.create_session("r")
    left, right = _side(stores, session.id, "v1"), _side(stores, session.id, "v2")
    vote = BlindVote("ab-1", session.id, "t", "r", 1, {"x": "1"}, left, right, "1", "2")
    stores.votes.record(vote, "both_bad", connection_id="c")
    with pytest.raises(ValueError, match="both_bad"):
        stores.votes.record(BlindVote("ab-2", session.id, "t", "r", 1, {}, left, right, "1", "2"), "neither",
                            connection_id="c")  # type: ignore[arg-type]  # fmt: skip
    raw = stores.votes.frame("t")
    assert list(raw["winner"]) == ["both_bad"]
    feedback = {d["generation_id"]: json.loads(d["feedback_json"]) for d in stores.feedback.deliveries()}
    assert {fb["preference"] for fb in feedback.values()} == {"both_bad"} and len(feedback) == 2
    assert stores.log.get_entry("g-v1")["preference"] == "both_bad"
    assert votes_frame(raw).empty and preference_pairs(raw) == []  # no side preferred: no result, no DPO pair
    board = leaderboard(raw)
    assert board.both_bad == 1 and board.ranked == [] and [s.both_bad for s in board.standings] == [1, 1]
