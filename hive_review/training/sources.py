"""What the training export reads from the studio's database: blind votes (each side with its
prompt version, from the session log), every review of the shared queues, and the session log's
rows of the items chosen."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from hive_review.compare.votes import votes
from hive_review.db import Database
from hive_review.log import columns as col
from hive_review.log.schema import log_entries
from hive_review.missing import is_missing
from hive_review.rubrics.models import DEFAULT_RUBRIC, DEFAULT_RUBRIC_NAME
from hive_review.team.tables import shared_reviews

# Rows read per ``IN (…)``: well under SQLite's and PostgreSQL's limits on bound parameters.
CHUNK = 500

RubricRef = tuple[str, int]  # a rubric's name and version
DEFAULT_RUBRIC_REF: RubricRef = (DEFAULT_RUBRIC_NAME, DEFAULT_RUBRIC.version)  # ratings made before rubrics


def rubric_ref(name: Any, version: Any) -> RubricRef | None:
    """The rubric a stored rating names (None when the row does not say, e.g. saved before rubrics)."""
    if is_missing(name) or is_missing(version):
        return None
    try:
        return (str(name), int(version))
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class VoteSide:
    variant: str  # the prompt's name
    version: str  # the prompt's version, "" when the log does not say
    generation_id: str
    prompt: str  # the variant's template filled with the inputs
    completion: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.variant, self.version)


@dataclass(frozen=True)
class VoteRecord:
    """One blind A/B vote (one comparison, one reviewer)."""

    comparison_id: str
    task: str
    reviewer: str
    inputs: dict[str, str]
    left: VoteSide
    right: VoteSide
    winner: str  # left / right / tie / both_bad
    created_at: str
    # The rubric of the ratings the log holds of the vote's generations (the default one when none says).
    rubric: RubricRef = DEFAULT_RUBRIC_REF

    @property
    def outcome(self) -> tuple[str, str] | str:
        """The winning variant (name, version), or ``tie`` / ``both_bad``: what reviewers agree on."""
        if self.winner == "left":
            return self.left.key
        if self.winner == "right":
            return self.right.key
        return self.winner


@dataclass(frozen=True)
class ReviewRecord:
    """One reviewer's review of one item of a shared queue."""

    queue_id: str
    generation_id: str
    reviewer: str
    thumbs: str | None
    stars: int | None
    reviewed_at: str
    rubric: RubricRef | None = None  # what the review was given under; None: saved before reviews kept it


@dataclass(frozen=True)
class LogRow:
    """What a training row needs of a generation's session-log row."""

    generation_id: str
    task: str
    prompt_name: str
    prompt_version: str
    completion: str
    ideal_answer: str
    reviewer: str  # who rated it last (the log keeps the latest rating): whose ideal answer it is
    comparison_id: str | None
    origin: str
    inputs: dict[str, str] = field(default_factory=dict)
    rubric: RubricRef | None = None  # the rubric of the rating the row holds (the latest); None: not said


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _inputs(text: str | None) -> dict[str, str]:
    try:
        found = json.loads(text or "{}")
    except ValueError:
        return {}
    return {str(k): _text(v) for k, v in found.items()} if isinstance(found, dict) else {}


def load_votes(database: Database) -> list[VoteRecord]:
    """Every blind vote, oldest first; each side's version is its log row's prompt version."""
    left_row, right_row = log_entries.alias("left_row"), log_entries.alias("right_row")
    v = votes.c
    query = (
        sa.select(
            votes,
            left_row.c[col.PROMPT_VERSION].label("left_version"),
            right_row.c[col.PROMPT_VERSION].label("right_version"),
            *(
                table.c[name].label(f"{side}_{name}")
                for side, table in (("left", left_row), ("right", right_row))
                for name in (col.RUBRIC_NAME, col.RUBRIC_VERSION)
            ),
        )
        .outerjoin(left_row, left_row.c[col.GENERATION_ID] == v.left_generation_id)
        .outerjoin(right_row, right_row.c[col.GENERATION_ID] == v.right_generation_id)
        .order_by(v.created_at, v.comparison_id)
    )
    with database.engine.connect() as db:
        rows = db.execute(query).mappings().all()
    return [
        VoteRecord(
            comparison_id=row["comparison_id"],
            task=row["task"],
            reviewer=row["reviewer"],
            inputs=_inputs(row["inputs_json"]),
            left=_side(row, "left"),
            right=_side(row, "right"),
            winner=row["winner"],
            created_at=row["created_at"],
            rubric=_vote_rubric(row),
        )
        for row in rows
    ]


def _vote_rubric(row: sa.RowMapping) -> RubricRef:
    for side in ("left", "right"):
        found = rubric_ref(row[f"{side}_{col.RUBRIC_NAME}"], row[f"{side}_{col.RUBRIC_VERSION}"])
        if found is not None:
            return found
    return DEFAULT_RUBRIC_REF


def _side(row: sa.RowMapping, side: str) -> VoteSide:
    return VoteSide(
        variant=row[f"{side}_variant"],
        version=_text(row[f"{side}_version"]),
        generation_id=row[f"{side}_generation_id"],
        prompt=row[f"{side}_prompt"],
        completion=row[f"{side}_completion"],
    )


def load_reviews(database: Database) -> list[ReviewRecord]:
    """Every review of every shared queue, oldest first."""
    r = shared_reviews.c
    query = sa.select(
        r.queue_id, r.generation_id, r.reviewer, r.thumbs, r.stars, r.reviewed_at, r.rubric_name, r.rubric_version
    ).order_by(r.reviewed_at, r.queue_id, r.generation_id, r.reviewer)
    with database.engine.connect() as db:
        rows = db.execute(query).all()
    return [
        ReviewRecord(
            queue_id=queue_id,
            generation_id=generation_id,
            reviewer=reviewer,
            thumbs=thumbs if thumbs in ("up", "down") else None,
            stars=int(stars) if stars is not None else None,
            reviewed_at=reviewed_at,
            rubric=rubric_ref(rubric_name, rubric_version),
        )
        for queue_id, generation_id, reviewer, thumbs, stars, reviewed_at, rubric_name, rubric_version in rows
    ]


_LOG_COLUMNS = (
    col.GENERATION_ID,
    col.TASK,
    col.PROMPT_NAME,
    col.PROMPT_VERSION,
    col.COMPLETION,
    col.IDEAL_ANSWER,
    col.REVIEWER,
    col.COMPARISON_ID,
    col.ORIGIN,
    col.INPUTS_JSON,
    col.RUBRIC_NAME,
    col.RUBRIC_VERSION,
)


def load_log_rows(database: Database, generation_ids: Iterable[str]) -> dict[str, LogRow]:
    """The session log's rows of these generations, by id (an id the log does not hold is left out)."""
    ids = sorted(set(generation_ids))
    found: dict[str, LogRow] = {}
    columns = [log_entries.c[name] for name in _LOG_COLUMNS]
    with database.engine.connect() as db:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            query = sa.select(*columns).where(log_entries.c[col.GENERATION_ID].in_(chunk))
            for row in db.execute(query).mappings():
                found[row[col.GENERATION_ID]] = LogRow(
                    generation_id=row[col.GENERATION_ID],
                    task=_text(row[col.TASK]),
                    prompt_name=_text(row[col.PROMPT_NAME]),
                    prompt_version=_text(row[col.PROMPT_VERSION]),
                    completion=_text(row[col.COMPLETION]),
                    ideal_answer=_text(row[col.IDEAL_ANSWER]),
                    reviewer=_text(row[col.REVIEWER]),
                    comparison_id=row[col.COMPARISON_ID] or None,
                    origin=_text(row[col.ORIGIN]),
                    inputs=_inputs(row[col.INPUTS_JSON]),
                    rubric=rubric_ref(row[col.RUBRIC_NAME], row[col.RUBRIC_VERSION]),
                )
    return found
