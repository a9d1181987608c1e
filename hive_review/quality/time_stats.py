"""Median seconds per item, per reviewer and per variant: the timed reviews of the shared queues
(``item_timer``) and, over all queues (no ``queue_id``), the timed ratings given elsewhere (the review
queue, the Playground, Compare: ``rating_times``).

Per reviewer: every timed review, gold items included (they took the reviewer's time too). Per
variant (task and prompt version, named by the prompt's name): the timed reviews of the variant's
own generations, gold items left out (their completion is not the variant's).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from hive_review.db import Database
from hive_review.log import columns as col
from hive_review.log.schema import log_entries
from hive_review.quality.gold_rows import gold_ids
from hive_review.quality.rating_times import load_rating_times
from hive_review.quality.reviews import load_reviews

_CHUNK = 500


@dataclass(frozen=True)
class ReviewerTime:
    reviewer: str
    items: int  # timed reviews
    median_seconds: float


@dataclass(frozen=True)
class VariantTime:
    task: str
    prompt_version: str
    prompt_name: str
    items: int
    median_seconds: float


Timed = tuple[str, str, float]  # reviewer, generation id, seconds


def _timed(database: Database, queue_id: str | None) -> tuple[list[Timed], dict[str, tuple[str, str, str]], set[str]]:
    with database.engine.connect() as db:
        reviews: list[Timed] = [
            (review.reviewer, review.generation_id, review.seconds)
            for review in load_reviews(db, queue_id)
            if review.seconds is not None
        ]
        if queue_id is None:
            reviews.extend(load_rating_times(db))
        ids = sorted({generation_id for _, generation_id, _ in reviews})
        variants: dict[str, tuple[str, str, str]] = {}
        c = log_entries.c
        for start in range(0, len(ids), _CHUNK):
            query = sa.select(c[col.GENERATION_ID], c[col.TASK], c[col.PROMPT_VERSION], c[col.PROMPT_NAME]).where(
                c[col.GENERATION_ID].in_(ids[start : start + _CHUNK])
            )
            for gid, task, version, name in db.execute(query).all():
                variants[gid] = (task or "", version or "", name or "")
        gold = gold_ids(db, ids)
    return reviews, variants, gold


def median_by_reviewer(database: Database, queue_id: str | None = None) -> list[ReviewerTime]:
    """Per reviewer (by id): timed reviews and their median seconds."""
    reviews, _, _ = _timed(database, queue_id)
    seconds: dict[str, list[float]] = defaultdict(list)
    for reviewer, _, took in reviews:
        seconds[reviewer].append(took)
    return [ReviewerTime(who, len(values), statistics.median(values)) for who, values in sorted(seconds.items())]


def median_by_variant(database: Database, queue_id: str | None = None) -> list[VariantTime]:
    """Per variant (task, prompt version): timed reviews of its generations and their median seconds."""
    reviews, variants, gold = _timed(database, queue_id)
    seconds: dict[tuple[str, str], list[float]] = defaultdict(list)
    names: dict[tuple[str, str], str] = {}
    for _, generation_id, took in reviews:
        if generation_id in gold or generation_id not in variants:
            continue
        task, version, name = variants[generation_id]
        seconds[(task, version)].append(took)
        names[(task, version)] = names.get((task, version)) or name
    return [
        VariantTime(task, version, names[(task, version)], len(values), statistics.median(values))
        for (task, version), values in sorted(seconds.items())
    ]
