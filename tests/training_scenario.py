"""A seeded scenario for the training export, written as the studio writes it: blind votes through
``VoteStore.record`` (on generations in the session log) and shared-queue reviews through
``SharedQueues.submit_review``, on a connection no outbox serves (nothing is sent anywhere).

Blind pairs on task ``TASK`` between ``v1`` (version 1) and ``v2`` (version 2), one item per question:

* ``one``: a, b and c all prefer v2 (on alternating sides): agreed, three DPO pairs.
* ``two``: a and b prefer v2, c prefers v1: 2/3, a split at 80%, agreed at 60% (two pairs).
* ``three``: a and b vote a tie: agreed, but a tie makes no pair.
* ``four``: a, b and c find both bad: agreed, no pair either.
* ``five``: a alone prefers v1: too few reviewers.
* ``six``: a prefers v1, b prefers v2: a split at any threshold.
* ``seven``: a prefers v1, then votes again for v2; b prefers v2: a's latest vote counts, agreed (two pairs).
* ``one`` again, but against v2 at version 3: another item (its versions differ), a alone: too few.

A shared queue (3 reviews per item) of generations ``q-*``, reviewed by a, b and c:

* ``q-up``: up, up, up, c's review (the last) with an ideal answer: agreed, desirable; an SFT row.
* ``q-down``: down, down, b's with an ideal answer: agreed, undesirable; an SFT row. Made by a comparison.
  Both reviews are given under the custom rubric ``support`` at version 2 (``SUPPORT_RUBRIC``); every
  other rating under the default rubric (version 1).
* ``q-plain``: up, up, no ideal answer: agreed, a KTO row, no SFT row.
* ``q-split``: up, down, up: 2/3, a split at 80%.
* ``q-few``: one review: too few.
* ``q-stars``: stars only, from two reviewers: no thumbs, too few.
* ``q-adjudicated``: up, down (split), settled by ``lead`` as down with an ideal answer (``VERDICTS``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hive_review.compare.votes import BlindVote, Side
from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.rubrics.models import rubric_from_yaml
from hive_review.stores import Stores, open_stores
from hive_review.training.verdicts import AdjudicatedVerdict

TASK = "Support - Ticket Summarizer"
CONNECTION = "seeded-elsewhere"
T0 = datetime(2025, 6, 20, 9, 0, tzinfo=UTC)
VERSIONS = {"v1": "1", "v2": "2"}
# A rubric saved twice (its second version adds a dimension): q-down is rated under version 2.
SUPPORT_V1 = "name: support\ndimensions:\n  - name: thumbs\n    kind: pass_fail\n"
SUPPORT_V2 = SUPPORT_V1 + "  - name: tone\n    kind: categorical\n    values: {calm: Calm, curt: Curt}\n"
SUPPORT_RUBRIC = ("support", 2)
IDEAL_UP = "The ideal summary, by c."
IDEAL_DOWN = "A better summary, by b."
IDEAL_ADJUDICATED = "The lead's ideal summary."
VERDICTS = {"q-adjudicated": AdjudicatedVerdict(thumbs="down", stars=2, adjudicator="lead", ideal=IDEAL_ADJUDICATED)}

# (comparison id, reviewer, question, outcome: the preferred variant, "tie" or "both_bad", v2 on the left)
VOTES = (
    ("one-a", "a", "one", "v2", False),
    ("one-b", "b", "one", "v2", True),
    ("one-c", "c", "one", "v2", False),
    ("two-a", "a", "two", "v2", False),
    ("two-b", "b", "two", "v2", True),
    ("two-c", "c", "two", "v1", False),
    ("three-a", "a", "three", "tie", False),
    ("three-b", "b", "three", "tie", True),
    ("four-a", "a", "four", "both_bad", False),
    ("four-b", "b", "four", "both_bad", True),
    ("four-c", "c", "four", "both_bad", False),
    ("five-a", "a", "five", "v1", False),
    ("six-a", "a", "six", "v1", False),
    ("six-b", "b", "six", "v2", True),
    ("seven-a1", "a", "seven", "v1", False),
    ("seven-b", "b", "seven", "v2", False),
    ("seven-a2", "a", "seven", "v2", True),
)

# (generation id, comparison id, [(reviewer, rating)])
REVIEWS = (
    ("q-up", None, [("a", Rating("up", 5)), ("b", Rating("up", 4)), ("c", Rating("up", 4, ideal_answer=IDEAL_UP))]),
    (
        "q-down",
        "cmp-down",
        [
            ("a", Rating("down", 2, rubric_name="support", rubric_version=2, dimensions={"tone": "curt"})),
            (
                "b",
                Rating(
                    "down",
                    ideal_answer=IDEAL_DOWN,
                    rubric_name="support",
                    rubric_version=2,
                    dimensions={"tone": "curt"},
                ),
            ),
        ],
    ),
    ("q-plain", None, [("a", Rating("up")), ("c", Rating("up"))]),
    ("q-split", None, [("a", Rating("up")), ("b", Rating("down")), ("c", Rating("up"))]),
    ("q-few", None, [("b", Rating("up"))]),
    ("q-stars", None, [("a", Rating(stars=3)), ("b", Rating(stars=4))]),
    ("q-adjudicated", None, [("a", Rating("up")), ("b", Rating("down"))]),
)


def completion(variant: str, version: str, question: str, reviewer: str) -> str:
    return f"{variant}@{version} answers {question} for {reviewer}"


def _vote(stores: Stores, session_id: str, cid: str, reviewer: str, question: str, outcome: str, v2_left: bool,
          v2_version: str = "2") -> None:  # fmt: skip
    versions = {**VERSIONS, "v2": v2_version}
    order = ("v2", "v1") if v2_left else ("v1", "v2")
    sides = []
    for place, variant in zip(("L", "R"), order, strict=True):
        generation_id = f"{cid}-{place}"
        text = completion(variant, versions[variant], question, reviewer)
        stores.log.add_entry(
            LogEntry(generation_id=generation_id, session_id=session_id, reviewer=reviewer, task=TASK,
                     prompt_version=versions[variant], prompt_name=variant, completion=text, origin="blind",
                     comparison_id=cid, inputs={"ticket": question})
        )  # fmt: skip
        sides.append(Side(variant, generation_id, f"{variant} template on {question}", text))
    left, right = sides
    winner = outcome if outcome in ("tie", "both_bad") else ("left" if left.variant == outcome else "right")
    vote = BlindVote(cid, session_id, TASK, reviewer, 1, {"ticket": question}, left, right,
                     versions[left.variant], versions[right.variant])  # fmt: skip
    stores.votes.record(vote, winner, connection_id=CONNECTION)


def seed_training(database_url: str) -> None:
    stores = open_stores(database_url)
    try:
        session = stores.log.create_session("lead")
        saved = [stores.rubrics.save(rubric_from_yaml(text)) for text in (SUPPORT_V1, SUPPORT_V2)]
        assert (saved[-1].name, saved[-1].version) == SUPPORT_RUBRIC
        for cid, reviewer, question, outcome, v2_left in VOTES:
            _vote(stores, session.id, cid, reviewer, question, outcome, v2_left)
        _vote(stores, session.id, "one-v3", "a", "one", "v2", False, v2_version="3")
        stores.log.add_entries(
            [LogEntry(generation_id=gid, session_id=session.id, reviewer="lead", task=TASK, prompt_version="2",
                      prompt_name="v2", completion=f"answer {gid}", origin="batch", comparison_id=cid,
                      inputs={"ticket": f"ticket of {gid}"})
             for gid, cid, _ in REVIEWS]
        )  # fmt: skip
        queue = stores.queues.create("Training QA", [gid for gid, _, _ in REVIEWS], overlap=3, created_by="lead",
                                     source="batch b-1")  # fmt: skip
        moment = T0
        for generation_id, _, ratings in REVIEWS:
            for reviewer, rating in ratings:
                moment += timedelta(seconds=1)
                stores.queues.submit_review(queue.id, generation_id, reviewer, rating, connection_id=CONNECTION,
                                            now=moment)  # fmt: skip
    finally:
        stores.close()
