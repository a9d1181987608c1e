"""Stability of repeated runs, and blind votes as preference data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from hive_review.compare.comparisons import blind_sides, preference_feedback
from hive_review.compare.votes import (
    AlreadyVoted,
    BlindVote,
    Side,
    preference_pairs,
    preference_pairs_jsonl,
    votes_frame,
)
from hive_review.log.entries import LogEntry
from hive_review.runs.stability import normalized, output_groups, stability_table
from hive_review.stores import open_stores


def test_near_identical_outputs_are_grouped_with_counts() -> None:
    groups = output_groups(["Hello, team!", "hello team", "HELLO   TEAM.", "Goodbye"])
    assert list(groups["count"]) == [3, 1]
    assert groups["share"].iloc[0] == 0.75
    assert groups["example"].iloc[0] == "Hello, team!"
    assert normalized("Ｈｅｌｌｏ,  World!") == "hello world"


def test_stability_table_per_row_and_variant() -> None:
    items = pd.DataFrame(
        {
            "row_number": [1, 1, 1, 2, 2],
            "variant": ["", "", "", "", ""],
            "completion": ["Yes.", "yes", "No", "A", "B"],
        }
    )
    table = stability_table(items)
    first = table[table["row"] == 1].iloc[0]
    assert (first["runs"], first["distinct_outputs"]) == (3, 2)
    assert abs(first["top_share"] - 2 / 3) < 1e-9 and first["variant"] == "deployed"
    assert table[table["row"] == 2].iloc[0]["distinct_outputs"] == 2


def test_blind_sides_are_reproducible_from_the_seed_and_fair() -> None:
    assert blind_sides(7, "ab-1") == blind_sides(7, "ab-1")
    swaps = sum(blind_sides(42, f"ab-{n}") for n in range(2000))
    assert 900 < swaps < 1100  # about half the pairs are swapped
    assert preference_feedback("left", "left") == "win"
    assert preference_feedback("left", "right") == "loss"
    assert preference_feedback("tie", "right") == "tie"


def _logged_side(stores, variant: str, text: str) -> Side:
    """A side whose generation is in the session log, as the Compare page leaves it."""
    session = stores.log.list_sessions()[0]
    generation_id = f"g-{variant}-{text}"
    stores.log.add_entry(
        LogEntry(generation_id=generation_id, session_id=session.id, reviewer="r", task="t",
                 prompt_version=variant, completion=text)
    )  # fmt: skip
    return Side(variant=variant, generation_id=generation_id, prompt=f"{variant} prompt", completion=text)


def _vote(comparison_id: str, left: Side, right: Side, inputs: dict[str, str]) -> BlindVote:
    return BlindVote(comparison_id=comparison_id, session_id="s", task="t", reviewer="r", seed=1, inputs=inputs,
                     left=left, right=right, left_version=left.variant, right_version=right.variant)  # fmt: skip


def test_votes_become_summaries_and_dpo_pairs(database_url) -> None:
    stores = open_stores(database_url)
    stores.log.create_session("r")
    side = lambda variant, text: _logged_side(stores, variant, text)  # noqa: E731
    stores.votes.record(_vote("ab-1", side("v1", "a"), side("v2", "b"), {"x": "1"}), "right", connection_id="c")
    stores.votes.record(_vote("ab-2", side("v2", "c"), side("v1", "d"), {"x": "2"}), "tie", connection_id="c")
    raw = stores.votes.frame()
    frame = votes_frame(raw)
    assert list(frame["winner"]) == ["v2", "tie"]
    pairs = preference_pairs(raw)
    assert len(pairs) == 1  # ties give no pair
    assert pairs[0]["prompt"] == "v2 prompt" and pairs[0]["chosen"] == "b" and pairs[0]["rejected"] == "a"
    lines = preference_pairs_jsonl(raw).decode().splitlines()
    assert {"prompt", "chosen", "rejected"} <= set(json.loads(lines[0]))
    # Each vote queued feedback on both of its generations: win / loss, tie / tie.
    preferences = {
        d["generation_id"]: json.loads(d["feedback_json"])["preference"] for d in stores.feedback.deliveries()
    }
    assert preferences == {"g-v1-a": "loss", "g-v2-b": "win", "g-v2-c": "tie", "g-v1-d": "tie"}
    assert stores.log.get_entry("g-v2-b")["ab_position"] == "right"


def test_a_second_vote_on_a_comparison_is_refused_and_the_first_stands(database_url) -> None:
    stores = open_stores(database_url)
    stores.log.create_session("r")
    left, right = _logged_side(stores, "v1", "a"), _logged_side(stores, "v2", "b")
    stores.votes.record(_vote("ab-1", left, right, {"x": "1"}), "left", connection_id="c")
    with pytest.raises(AlreadyVoted):  # another tab voted first: the page keeps that vote
        stores.votes.record(_vote("ab-1", left, right, {"x": "1"}), "right", connection_id="c")
    assert list(stores.votes.frame()["winner"]) == ["left"]
    assert len(stores.feedback.deliveries()) == 2  # the refused vote queued nothing


def test_a_vote_and_its_two_feedback_items_are_one_transaction(database_url) -> None:
    stores = open_stores(database_url)
    stores.log.create_session("r")
    left = _logged_side(stores, "v1", "a")
    # The right side's generation is not in the log: queueing its feedback fails after the vote
    # row and the left side's feedback were written in the same transaction.
    right = Side(variant="v2", generation_id="not-logged", prompt="v2 prompt", completion="b")
    with pytest.raises(KeyError):
        stores.votes.record(_vote("ab-1", left, right, {"x": "1"}), "left", connection_id="c")
    assert stores.votes.frame().empty
    assert stores.feedback.deliveries() == []
    assert stores.log.get_entry(left.generation_id)["feedback_status"] == "unrated"
