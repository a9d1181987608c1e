"""Training data from agreement only, on a seeded scenario (``training_scenario``) in real stores on a
SQLite file and a PostgreSQL server: which blind pairs and shared items are taken and which are left
out (split, tie, both bad, too few), an adjudicated item with its final verdict, and the rows in the
shapes TRL reads with the metadata every row carries."""

from __future__ import annotations

import json

import pytest
from training_scenario import (
    IDEAL_ADJUDICATED,
    IDEAL_DOWN,
    IDEAL_UP,
    SUPPORT_RUBRIC,
    TASK,
    VERDICTS,
    completion,
    seed_training,
)

from hive_review.stores import open_stores
from hive_review.training.export import TrainingSelection, select_training_data
from hive_review.training.prompts import INPUTS, TEMPLATE, VOTE, PromptTexts
from hive_review.training.rows import rubric_of
from hive_review.training.selection import AgreementRule, ItemDecision, pair_item_key
from hive_review.training.sources import LogRow, ReviewRecord, load_votes
from hive_review.training.writers import read_jsonl
from honeyhive_api import Prompt, ServerError

METADATA = ("reviewers", "rubric", "rubric_version", "comparison_id", "decided_by", "agreement", "inputs_json")


@pytest.fixture
def seeded(database_url):
    seed_training(database_url)
    stores = open_stores(database_url)
    yield stores
    stores.close()


def _select(stores, threshold=0.8, min_reviewers=2, verdicts=VERDICTS) -> TrainingSelection:
    return select_training_data(stores.database, AgreementRule(threshold, min_reviewers), verdicts)


def _pair_statuses(selection: TrainingSelection) -> dict[str, str]:
    """Each blind item's status, by its question (and v2's version when it is not 2)."""
    found = {}
    for decision in selection.pairs:
        vote = decision.votes[0]
        versions = {side.variant: side.version for side in (vote.left, vote.right)}
        name = vote.inputs["ticket"] + ("" if versions["v2"] == "2" else f"@v2={versions['v2']}")
        found[name] = decision.status
    return found


def test_blind_pairs_are_taken_only_where_the_reviewers_agree_on_a_winner(seeded):
    selection = _select(seeded)
    assert _pair_statuses(selection) == {
        "one": "agreed",
        "two": "split",  # 2 of 3 is under 80%
        "three": "tie",
        "four": "both_bad",
        "five": "too_few",
        "six": "split",
        "seven": "agreed",  # a's second vote replaces the first
        "one@v2=3": "too_few",  # another item: v2 at another version
    }
    counts = selection.dpo_counts
    assert counts.rows == 5 and counts.disagreement == 2
    assert counts.items == {"agreed": 2, "adjudicated": 0, "split": 2, "too_few": 2, "tie": 1, "both_bad": 1}

    rows = read_jsonl(selection.dpo_jsonl())
    assert [row["comparison_id"] for row in rows] == ["one-a", "one-b", "one-c", "seven-a2", "seven-b"]
    for row in rows:
        question, reviewer = json.loads(row["inputs_json"])["ticket"], row["reviewer"]
        assert row["chosen"] == completion("v2", "2", question, reviewer)
        assert row["rejected"] == completion("v1", "1", question, reviewer)
        assert row["prompt"] == f"v2 template on {question}" and row["rejected_prompt"] == f"v1 template on {question}"
        assert (row["chosen_variant"], row["chosen_version"], row["rejected_variant"], row["rejected_version"]) == (
            "v2", "2", "v1", "1"
        )  # fmt: skip
        assert (row["rubric"], row["rubric_version"]) == ("default", 1)  # blind votes: the default rubric
        assert row["decided_by"] == "agreement" and row["task"] == TASK
        assert row["chosen_generation_id"].startswith(row["comparison_id"])
    assert rows[0]["reviewers"] == ["a", "b", "c"] and rows[0]["votes"] == 3 and rows[0]["agreement"] == 1.0
    assert rows[3]["reviewers"] == ["a", "b"]  # a counted once, with the latest vote


def test_the_threshold_and_the_reviewers_needed_decide_which_pairs_pass(seeded):
    looser = _select(seeded, threshold=0.6)
    assert _pair_statuses(looser)["two"] == "agreed"
    assert [row["comparison_id"] for row in looser.dpo_rows() if "two" in row["comparison_id"]] == ["two-a", "two-b"]
    assert _pair_statuses(_select(seeded, threshold=0.5))["six"] == "split"  # 1–1 is never a winner
    alone = _select(seeded, min_reviewers=1)
    assert _pair_statuses(alone)["five"] == "agreed" and alone.dpo_counts.rows == 7
    stricter = _select(seeded, min_reviewers=3)
    assert _pair_statuses(stricter)["seven"] == "too_few" and stricter.dpo_counts.rows == 3


def _items(selection: TrainingSelection) -> dict[str, str]:
    return {decision.generation_id: decision.status for decision in selection.items}


def test_shared_items_are_taken_when_thumbs_agree_or_an_adjudicator_settled_them(seeded):
    selection = _select(seeded)
    assert _items(selection) == {
        "q-up": "agreed",
        "q-down": "agreed",
        "q-plain": "agreed",
        "q-split": "split",
        "q-few": "too_few",
        "q-stars": "too_few",  # stars but no thumbs
        "q-adjudicated": "adjudicated",
    }
    kto = selection.kto_counts
    assert (kto.rows, kto.disagreement, kto.unusable) == (4, 1, 0)
    rows = {row["generation_id"]: row for row in read_jsonl(selection.kto_jsonl())}
    assert set(rows) == {"q-up", "q-down", "q-plain", "q-adjudicated"}
    assert {gid: row["label"] for gid, row in rows.items()} == {
        "q-up": True, "q-down": False, "q-plain": True, "q-adjudicated": False
    }  # fmt: skip
    up = rows["q-up"]
    assert (up["prompt"], up["completion"], up["prompt_source"]) == ("ticket of q-up", "answer q-up", INPUTS)
    assert up["reviewers"] == ["a", "b", "c"] and up["agreement"] == 1.0 and up["stars"] == 4.0
    assert (up["prompt_name"], up["prompt_version"], up["rubric"], up["rubric_version"]) == ("v2", "2", "default", 1)
    assert (rows["q-down"]["rubric"], rows["q-down"]["rubric_version"]) == SUPPORT_RUBRIC  # rated under it
    assert up["comparison_id"] is None and rows["q-down"]["comparison_id"] == "cmp-down"
    assert len(up["queue_ids"]) == 1 and up["decided_by"] == "agreement" and up["adjudicator"] is None
    # The adjudicated item: its reviews split, the final verdict decides (thumbs and stars), the reviews stay listed.
    settled = rows["q-adjudicated"]
    assert (settled["decided_by"], settled["adjudicator"], settled["thumbs"], settled["stars"]) == (
        "adjudication", "lead", "down", 2.0
    )  # fmt: skip
    assert settled["reviewers"] == ["a", "b"] and settled["agreement"] == 0.5
    for row in rows.values():
        assert all(name in row for name in METADATA)


def test_without_its_final_verdict_the_split_item_is_left_out(seeded):
    selection = _select(seeded, verdicts=None)
    assert _items(selection)["q-adjudicated"] == "split"
    assert selection.kto_counts.rows == 3 and selection.kto_counts.disagreement == 2
    assert "q-adjudicated" not in {row["generation_id"] for row in selection.kto_rows()}


def test_sft_rows_are_the_ideal_answers_of_agreed_and_adjudicated_items(seeded):
    selection = _select(seeded)
    sft = selection.sft_counts
    assert (sft.rows, sft.disagreement, sft.unusable) == (3, 1, 1)  # q-plain: agreed, no ideal answer
    rows = {row["generation_id"]: row for row in read_jsonl(selection.sft_jsonl())}
    assert {gid: (row["completion"], row["ideal_by"]) for gid, row in rows.items()} == {
        "q-up": (IDEAL_UP, "c"),
        "q-down": (IDEAL_DOWN, "b"),
        "q-adjudicated": (IDEAL_ADJUDICATED, "lead"),
    }
    assert rows["q-up"]["prompt"] == "ticket of q-up" and rows["q-up"]["rubric_version"] == 1
    assert (rows["q-down"]["rubric"], rows["q-down"]["rubric_version"]) == SUPPORT_RUBRIC
    messages = {row["generation_id"]: row for row in selection.sft_rows(style="messages")}
    assert messages["q-down"]["messages"] == [
        {"role": "user", "content": "ticket of q-down"},
        {"role": "assistant", "content": IDEAL_DOWN},
    ]
    assert "prompt" not in messages["q-down"] and messages["q-down"]["comparison_id"] == "cmp-down"
    with pytest.raises(ValueError, match="SFT style"):
        selection.sft_rows(style="chat")  # type: ignore[arg-type]
    # Without the final verdict the split item has no SFT row either (a split ideal answer is not taken).
    assert "q-adjudicated" not in {row["generation_id"] for row in _select(seeded, verdicts=None).sft_rows()}


def test_every_row_carries_the_rubric_its_ratings_were_given_under(seeded):
    selection = _select(seeded)
    rows = [*selection.dpo_rows(), *selection.kto_rows(), *selection.sft_rows()]
    by_rubric: dict[tuple[str, int], set[str]] = {}
    for row in rows:
        by_rubric.setdefault((row["rubric"], row["rubric_version"]), set()).add(row.get("generation_id", "pair"))
    # q-down was rated under the custom rubric's version 2 (its KTO and SFT rows); the rest under the default.
    assert by_rubric == {SUPPORT_RUBRIC: {"q-down"}, ("default", 1): {"pair", "q-up", "q-plain", "q-adjudicated"}}


def test_an_items_rubric_is_its_latest_reviews_else_its_log_rows_else_the_default():
    def review(reviewer: str, at: str, rubric: tuple[str, int] | None) -> ReviewRecord:
        return ReviewRecord("q", "g-1", reviewer, "up", None, at, rubric)

    def decision(*reviews: ReviewRecord) -> ItemDecision:
        return ItemDecision("g-1", "agreed", 1.0, "up", None, reviews)

    both = decision(review("a", "2026-01-02", ("support", 3)), review("b", "2026-01-01", ("support", 2)))
    assert rubric_of(both, _row()) == ("support", 3)  # the latest review that says
    unsaid = decision(review("a", "2026-01-01", None))  # a review saved before reviews kept their rubric
    assert rubric_of(unsaid, _row(rubric=("support", 1))) == ("support", 1)
    assert rubric_of(unsaid, _row()) == rubric_of(unsaid, None) == ("default", 1)


def test_a_blind_item_is_its_task_inputs_and_variant_pair_whatever_the_sides(seeded):
    by_id = {vote.comparison_id: vote for vote in load_votes(seeded.database)}
    assert by_id["one-a"].left.key == ("v1", "1") and by_id["one-b"].left.key == ("v2", "2")
    assert pair_item_key(by_id["one-a"]) == pair_item_key(by_id["one-b"]) != pair_item_key(by_id["one-v3"])
    assert pair_item_key(by_id["one-a"]) != pair_item_key(by_id["two-a"])


def _row(generation_id: str = "g-1", **fields) -> LogRow:
    values = dict(task=TASK, prompt_name="v2", prompt_version="2", completion="c", ideal_answer="", reviewer="a",
                  comparison_id=None, origin="batch", inputs={"ticket": "T", "tone": "dry"})  # fmt: skip
    return LogRow(generation_id, **{**values, **fields})


def test_the_prompt_is_the_votes_else_the_template_at_its_version_else_the_inputs():
    asked: list[str] = []

    def lookup(task: str) -> list[Prompt]:
        asked.append(task)
        if task != TASK:
            raise ServerError("busy", status_code=503)
        template = "Summarise {{ticket}}, {{tone}}."
        return [Prompt(name="v2", version="2", task=task, text=template, model="m"),
                Prompt(name="v9", version="2", task=task, text="{{missing}}", model="m")]  # fmt: skip

    texts = PromptTexts({"g-voted": "the voted prompt"}, lookup)
    assert texts.prompt_for(_row("g-voted")) == ("the voted prompt", VOTE)
    assert texts.prompt_for(_row()) == ("Summarise T, dry.", TEMPLATE)
    assert texts.prompt_for(_row(prompt_version="1")) == ("ticket: T\ntone: dry", INPUTS)  # another version
    assert texts.prompt_for(_row(prompt_name="v9")) == ("ticket: T\ntone: dry", INPUTS)  # a variable missing
    assert texts.prompt_for(_row(task="down", inputs={"ticket": "T"})) == ("T", INPUTS)  # HoneyHive failed
    assert asked == [TASK, "down"]  # once per task
    assert PromptTexts({}).prompt_for(_row()) == ("ticket: T\ntone: dry", INPUTS)


@pytest.mark.parametrize(("threshold", "reviewers"), [(0, 2), (1.2, 2), (0.8, 0)])
def test_a_rule_refuses_what_cannot_be_a_share_or_a_count(threshold, reviewers):
    with pytest.raises(ValueError):
        AgreementRule(threshold, reviewers)
