"""Seeded logs for the Numbers page tests: a clear winner, too few ratings, and a tie.

Rows go in as the studio writes them: generations through ``log.add_entries``, then ratings through
``feedback.save_rating`` (on a connection no outbox here serves, so nothing is sent anywhere). Task and
prompt names are the emulator's seed, so HoneyHive names the deployed variant (v1 of both tasks).
"""

from __future__ import annotations

import numpy as np

from hive_review.compare.votes import BlindVote, Side
from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.stores import open_stores

EMAIL = "Sandbox - Email Writer"
SUPPORT = "Support - Ticket Summarizer"
CONNECTION = "seeded-elsewhere"
# (task, version, prompt name, generations, thumbs up): v2 beats v1 clearly; v3 has one rating; the
# support task's two variants are even, with 200 ratings each.
VARIANTS = (
    (EMAIL, "1", "email-writer-v1", 100, 40),
    (EMAIL, "2", "email-writer-v2-concise", 100, 80),
    (EMAIL, "3", "email-writer-v3-bullets", 1, 0),
    (SUPPORT, "1", "ticket-summary-v1", 200, 160),
    (SUPPORT, "2", "ticket-summary-v2-triage", 200, 160),
)
WINNER = "email-writer-v2-concise gets thumbs up more often than the deployed email-writer-v1 (95% sure)"
TOO_FEW = "Not enough ratings to tell email-writer-v3-bullets from the deployed email-writer-v1: about"
TIE = "ticket-summary-v2-triage against the deployed ticket-summary-v1: no difference found with 200 ratings each"


def seed_numbers(database_url: str, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    stores = open_stores(database_url)
    try:
        entries, ratings = [], []
        for task, version, name, count, ups in VARIANTS:
            for index in range(count):
                generation_id = f"gen-{task[:3]}-{version}-{index}"
                entries.append(
                    LogEntry(
                        generation_id=generation_id,
                        session_id="seeded",
                        reviewer="qa-seed",
                        task=task,
                        prompt_version=version,
                        prompt_name=name,
                        completion=f"answer {index}",
                        origin="batch",
                        latency_ms=float(rng.gamma(4.0, 150.0 + 50 * int(version))),
                        total_tokens=int(rng.integers(60, 220)),
                        cost=float(rng.uniform(1e-4, 4e-4)),
                    )
                )
                # Stars on every other generation: the better variant gets higher ones.
                stars = int(np.clip(rng.normal(2.8 + 0.6 * (ups / count) * 2, 0.8), 1, 5)) if index % 2 else None
                ratings.append((generation_id, Rating(thumbs="up" if index < ups else "down", stars=stars)))
        with stores.database.transaction() as db:
            stores.log.add_entries(entries, db=db)
            for generation_id, rating in ratings:
                stores.feedback.save_rating(generation_id, rating, reviewer="qa-seed", connection_id=CONNECTION, db=db)
    finally:
        stores.close()


def seed_votes(database_url: str, *, wins: int, losses: int, ties: int) -> None:
    """Blind votes on the email task's v2 (the challenger) against v1 (deployed): ``wins`` for v2, ``losses``
    for v1; sides alternate. Each vote pairs two of the generations ``seed_numbers`` logged."""
    stores = open_stores(database_url)
    try:
        outcomes = ["v2"] * wins + ["v1"] * losses + ["tie"] * ties
        for index, outcome in enumerate(outcomes):
            v1 = Side("email-writer-v1", f"gen-{EMAIL[:3]}-1-{index}", "prompt one", f"answer one {index}")
            v2 = Side("email-writer-v2-concise", f"gen-{EMAIL[:3]}-2-{index}", "prompt two", f"answer two {index}")
            left, right = (v1, v2) if index % 2 else (v2, v1)
            versions = {"left_version": "1" if left is v1 else "2", "right_version": "1" if right is v1 else "2"}
            vote = BlindVote(f"ab-{index}", "seeded", EMAIL, "qa-seed", 1, {"topic": "t"}, left, right, **versions)
            winner_side = v2 if outcome == "v2" else v1
            winner = "tie" if outcome == "tie" else ("left" if left is winner_side else "right")
            stores.votes.record(vote, winner, connection_id=CONNECTION)
    finally:
        stores.close()


# The leaderboard scenario on the email task: (variant, opponent, its wins, the opponent's wins, ties, both bad).
# v2 beats both others clearly; v1 and v3 are close, so their ranks are shared ("2–3").
V1, V2, V3 = "email-writer-v1", "email-writer-v2-concise", "email-writer-v3-bullets"
LEADERBOARD_PAIRS = (
    (V2, V1, 24, 4, 2, 3),
    (V2, V3, 23, 5, 2, 1),
    (V1, V3, 15, 12, 3, 2),
)
VERSIONS = {V1: "1", V2: "2", V3: "3"}
LEFTY = "pm-lefty"  # picks the left side of every third vote, whatever the answers


def seed_leaderboard(database_url: str) -> None:
    """Blind votes among the email task's three variants (``LEADERBOARD_PAIRS``), on generations
    ``seed_numbers`` logged. Every third vote is ``LEFTY``'s, who always found the better answer on the left;
    the others are ``qa-seed``'s, with the winner's side alternating."""
    generation = {V1: "gen-San-1-{}", V2: "gen-San-2-{}", V3: "gen-San-3-0"}  # v3 has one generation
    outcomes = []
    for first, second, first_wins, second_wins, ties, both_bad in LEADERBOARD_PAIRS:
        outcomes += [(first, second, "won")] * first_wins + [(second, first, "won")] * second_wins
        outcomes += [(first, second, "tie")] * ties + [(first, second, "both_bad")] * both_bad
    stores = open_stores(database_url)
    try:
        for index, (first, second, outcome) in enumerate(outcomes):
            reviewer = LEFTY if index % 3 == 0 else "qa-seed"
            sides = [Side(name, generation[name].format(index % 100), f"prompt of {name}", f"answer {index}")
                     for name in (first, second)]  # fmt: skip
            on_left = 0 if reviewer == LEFTY or index % 2 else 1  # the lefty always has ``first`` on the left
            left, right = sides[on_left], sides[1 - on_left]
            versions = (VERSIONS[left.variant], VERSIONS[right.variant])
            vote = BlindVote(f"lb-{index}", "seeded", EMAIL, reviewer, 2, {"topic": "t"}, left, right, *versions)
            winner = ("left" if left.variant == first else "right") if outcome == "won" else outcome
            stores.votes.record(vote, winner, connection_id=CONNECTION)
    finally:
        stores.close()
