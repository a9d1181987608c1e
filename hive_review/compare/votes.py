"""Blind A/B votes, kept next to the session log (same database), and their exports.

One row per vote: which variant was on which side (and the seed that chose it), both generations
and completions, the prompt each side answered, and the winner. ``votes_frame`` gives the shape
``hive_review.compare.stats.preference_summary`` reads; ``preference_pairs`` gives DPO training pairs.

A vote's outcome is ``left``, ``right``, ``tie`` or ``both_bad``: the reviewer found neither answer good
enough. That is not a tie (a tie says both are as good): it decides nothing between the two, so the
per-pair results and DPO pairs leave it out, and the leaderboard counts it apart (``compare.leaderboard``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal, get_args

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.compare.comparisons import preference_feedback
from hive_review.db import Database, metadata
from hive_review.feedback.queue import FeedbackQueue

votes = sa.Table(
    "ab_votes",
    metadata,
    sa.Column("comparison_id", sa.String(64), primary_key=True),
    sa.Column("session_id", sa.String(64), nullable=False, index=True),
    sa.Column("task", sa.Text, nullable=False),
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("seed", sa.Integer, nullable=False),
    sa.Column("inputs_json", sa.Text, nullable=False),
    sa.Column("left_variant", sa.Text, nullable=False),
    sa.Column("right_variant", sa.Text, nullable=False),
    sa.Column("left_generation_id", sa.Text, nullable=False),
    sa.Column("right_generation_id", sa.Text, nullable=False),
    sa.Column("left_prompt", sa.Text, nullable=False),
    sa.Column("right_prompt", sa.Text, nullable=False),
    sa.Column("left_completion", sa.Text, nullable=False),
    sa.Column("right_completion", sa.Text, nullable=False),
    sa.Column("winner", sa.String(8), nullable=False),  # left / right / tie / both_bad
    sa.Column("created_at", sa.Text, nullable=False),
)


Outcome = Literal["left", "right", "tie", "both_bad"]
OUTCOMES: Final = get_args(Outcome)


@dataclass(frozen=True)
class Side:
    variant: str
    generation_id: str
    prompt: str  # the variant's template filled with the inputs
    completion: str


@dataclass(frozen=True)
class BlindVote:
    comparison_id: str
    session_id: str
    task: str
    reviewer: str
    seed: int
    inputs: dict[str, str]
    left: Side
    right: Side
    left_version: str
    right_version: str


class AlreadyVoted(Exception):
    """The comparison has a vote already (given in another tab, say): that vote stands."""


class VoteStore:
    def __init__(self, database: Database, feedback: FeedbackQueue) -> None:
        self.database = database
        self.feedback = feedback

    def record(self, vote: BlindVote, winner: Outcome, *, connection_id: str) -> None:
        """Save the vote and queue its feedback on both generations (``preference`` win / loss /
        tie, or ``both_bad`` on both, the shared ``comparison_id``, the side, the opponent's version),
        in one transaction. Raises ``AlreadyVoted`` if the comparison has a vote, and saves nothing."""
        if winner not in OUTCOMES:
            raise ValueError(f"winner is left, right, tie or both_bad, not {winner!r}")
        voted_at = datetime.now(UTC).isoformat()
        with self.database.transaction() as db:
            try:
                self._insert_vote(db, vote, winner, voted_at)
            except sa.exc.IntegrityError as exc:  # the comparison is the key: it has a vote already
                raise AlreadyVoted(f"The comparison {vote.comparison_id!r} has a vote already.") from exc
            sides = (("left", vote.left, vote.right_version), ("right", vote.right, vote.left_version))
            for position, side, opponent_version in sides:
                # "both_bad" is one verdict on both generations; the other outcomes are a win, loss or tie per side.
                preference = winner if winner == "both_bad" else preference_feedback(winner, position)  # type: ignore[arg-type]
                feedback = {
                    "preference": preference,
                    "comparison_id": vote.comparison_id,
                    "position": position,
                    "opponent_version": opponent_version,
                    "reviewer": vote.reviewer,
                    "rated_at": voted_at,
                }
                self.feedback.queue_vote(side.generation_id, feedback, connection_id=connection_id, db=db)

    @staticmethod
    def _insert_vote(db: Connection, vote: BlindVote, winner: Outcome, voted_at: str) -> None:
        db.execute(
            votes.insert().values(
                comparison_id=vote.comparison_id,
                session_id=vote.session_id,
                task=vote.task,
                reviewer=vote.reviewer,
                seed=vote.seed,
                inputs_json=json.dumps(vote.inputs, ensure_ascii=False),
                left_variant=vote.left.variant,
                right_variant=vote.right.variant,
                left_generation_id=vote.left.generation_id,
                right_generation_id=vote.right.generation_id,
                left_prompt=vote.left.prompt,
                right_prompt=vote.right.prompt,
                left_completion=vote.left.completion,
                right_completion=vote.right.completion,
                winner=winner,
                created_at=voted_at,
            )
        )

    def frame(self, task: str | None = None) -> pd.DataFrame:
        query = sa.select(votes).order_by(votes.c.created_at)
        if task is not None:
            query = query.where(votes.c.task == task)
        with self.database.engine.connect() as db:
            return pd.read_sql(query, db)


def votes_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """Votes as ``stats.preference_summary`` reads them: variant_a, variant_b, winner, left_variant.
    Both-bad votes are left out: they prefer neither side, and counting them as ties would say both are
    equally good."""
    raw = raw[raw["winner"] != "both_bad"] if not raw.empty else raw
    if raw.empty:
        return pd.DataFrame(columns=["variant_a", "variant_b", "winner", "left_variant"])
    winner = raw["winner"].map({"left": None, "right": None, "tie": "tie"})
    winner = winner.where(raw["winner"] != "left", raw["left_variant"])
    winner = winner.where(raw["winner"] != "right", raw["right_variant"])
    return pd.DataFrame(
        {
            "variant_a": raw["left_variant"],
            "variant_b": raw["right_variant"],
            "winner": winner,
            "left_variant": raw["left_variant"],
        }
    )


def preference_pairs(raw: pd.DataFrame) -> list[dict[str, Any]]:
    """DPO training pairs (prompt, chosen, rejected), one per decided vote; ties give no pair.

    ``prompt`` is the prompt the chosen completion answered; the rejected completion answered the
    other variant's prompt on the same inputs, which ``rejected_prompt`` and the metadata record.
    """
    pairs = []
    for row in raw.to_dict("records"):
        if row["winner"] not in ("left", "right"):
            continue
        win, lose = ("left", "right") if row["winner"] == "left" else ("right", "left")
        pairs.append(
            {
                "prompt": row[f"{win}_prompt"],
                "chosen": row[f"{win}_completion"],
                "rejected": row[f"{lose}_completion"],
                "rejected_prompt": row[f"{lose}_prompt"],
                "task": row["task"],
                "chosen_variant": row[f"{win}_variant"],
                "rejected_variant": row[f"{lose}_variant"],
                "comparison_id": row["comparison_id"],
                "reviewer": row["reviewer"],
                "inputs": json.loads(row["inputs_json"]),
            }
        )
    return pairs


def preference_pairs_jsonl(raw: pd.DataFrame) -> bytes:
    lines = [json.dumps(pair, ensure_ascii=False) for pair in preference_pairs(raw)]
    return ("\n".join(lines) + "\n").encode() if lines else b""
