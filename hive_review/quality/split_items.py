"""The items of the shared queues whose reviews disagree (``disagreement``): what the
Adjudication page lists, open ones (no final verdict yet) first of all. Gold items are left out:
their verdict is known, and a reviewer's miss shows in their gold accuracy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Literal

import sqlalchemy as sa

from hive_review.db import Database
from hive_review.quality.adjudication import Verdict, verdicts_of
from hive_review.quality.disagreement import disagreements
from hive_review.quality.gold_rows import gold_ids
from hive_review.quality.reviews import Review, load_reviews
from hive_review.rubrics.store import RubricStore
from hive_review.team.tables import shared_queues

Which = Literal["open", "settled", "all"]


@dataclass(frozen=True)
class SplitItem:
    queue_id: str
    queue_name: str
    generation_id: str
    position: int  # in its queue, 1-based
    reasons: tuple[str, ...]  # how its reviews disagree
    reviews: tuple[Review, ...]  # by reviewer
    verdict: Verdict | None  # the final verdict, once set


def dimension_kinds(database: Database, reviews: Sequence[Review]) -> dict[str, str]:
    """Dimension name -> kind, from the rubric versions the reviews were given under (a rubric that
    is gone leaves its dimensions to ``disagreements``' guess by value)."""
    store = RubricStore(database)
    kinds: dict[str, str] = {}
    for name, version in sorted({(r.rubric_name, r.rubric_version) for r in reviews if r.dimensions}, key=str):
        rubric = store.get(name, version) if name is not None and version is not None else None
        for dimension in rubric.custom_dimensions if rubric is not None else ():
            kinds.setdefault(dimension.name, dimension.kind)
    return kinds


def split_items(database: Database, queue_id: str | None = None, *, which: Which = "open") -> list[SplitItem]:
    """The disagreeing items of one queue (or of all, oldest queue first), by position: ``open``
    ones (no final verdict), ``settled`` ones, or ``all``."""
    with database.engine.connect() as db:
        reviews = load_reviews(db, queue_id)
        gold = gold_ids(db, {review.generation_id for review in reviews})
        names = dict(db.execute(sa.select(shared_queues.c.id, shared_queues.c.name)).all())
    verdicts = {(v.queue_id, v.generation_id): v for v in verdicts_of(database, queue_id)}
    kinds = dimension_kinds(database, reviews)
    found: list[SplitItem] = []
    for (queue, generation_id), group in groupby(reviews, key=lambda review: (review.queue_id, review.generation_id)):
        item_reviews: Sequence[Review] = tuple(group)
        reasons = disagreements(item_reviews, kinds)
        if not reasons or generation_id in gold:
            continue
        verdict = verdicts.get((queue, generation_id))
        if (which == "open" and verdict) or (which == "settled" and not verdict):
            continue
        found.append(
            SplitItem(
                queue,
                names.get(queue, queue),
                generation_id,
                item_reviews[0].position,
                reasons,
                tuple(item_reviews),
                verdict,
            )
        )
    return found
