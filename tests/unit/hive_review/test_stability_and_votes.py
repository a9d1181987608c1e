"""Stability of repeated runs, and blind votes as preference data."""

from __future__ import annotations

import json

import pandas as pd

from hive_review.comparisons import blind_sides, preference_feedback
from hive_review.stability import normalized, output_groups, stability_table
from hive_review.store import SessionStore
from hive_review.vote_store import Side, VoteStore, preference_pairs, preference_pairs_jsonl, votes_frame


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


def test_votes_become_summaries_and_dpo_pairs(tmp_path) -> None:
    votes = VoteStore(SessionStore(f"sqlite:///{tmp_path / 's.sqlite3'}").engine)

    def side(variant: str, text: str) -> Side:
        return Side(variant=variant, generation_id=f"g-{variant}-{text}", prompt=f"{variant} prompt", completion=text)

    votes.record(
        comparison_id="ab-1",
        session_id="s",
        task="t",
        reviewer="r",
        seed=1,
        inputs={"x": "1"},
        left=side("v1", "a"),
        right=side("v2", "b"),
        winner="right",
    )
    votes.record(comparison_id="ab-2", session_id="s", task="t", reviewer="r", seed=1, inputs={"x": "2"},
                 left=side("v2", "c"), right=side("v1", "d"), winner="tie")  # fmt: skip
    raw = votes.frame()
    frame = votes_frame(raw)
    assert list(frame["winner"]) == ["v2", "tie"]
    pairs = preference_pairs(raw)
    assert len(pairs) == 1  # ties give no pair
    assert pairs[0]["prompt"] == "v2 prompt" and pairs[0]["chosen"] == "b" and pairs[0]["rejected"] == "a"
    lines = preference_pairs_jsonl(raw).decode().splitlines()
    assert {"prompt", "chosen", "rejected"} <= set(json.loads(lines[0]))
