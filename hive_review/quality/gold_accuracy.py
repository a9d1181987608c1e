"""How often each reviewer gives a gold item its expected verdict (the rule: ``gold_rules``), its
trend over time, and who falls under the threshold (80% by default)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from hive_review.db import Database
from hive_review.quality.gold_rules import is_right
from hive_review.quality.gold_store import gold_items_in
from hive_review.quality.reviews import load_reviews

FLAG_BELOW: Final = 0.8  # a reviewer right on fewer than 80% of their gold items is flagged
TREND_BLOCK: Final = 10  # the count trend: accuracy per this many gold reviews, in the order given


@dataclass(frozen=True)
class GoldResult:
    """One review of a gold item, judged."""

    reviewer: str
    queue_id: str
    generation_id: str
    reviewed_at: str  # ISO 8601 UTC
    right: bool


@dataclass(frozen=True)
class ReviewerGold:
    reviewer: str
    reviewed: int  # gold items reviewed
    right: int
    flagged: bool  # accuracy under the threshold

    @property
    def accuracy(self) -> float:
        return self.right / self.reviewed if self.reviewed else 0.0


@dataclass(frozen=True)
class TrendPoint:
    reviewer: str
    period: str  # a UTC day ("2025-06-20"), or a block of gold reviews ("1-10")
    reviewed: int
    right: int

    @property
    def accuracy(self) -> float:
        return self.right / self.reviewed if self.reviewed else 0.0


def gold_results(database: Database, queue_id: str | None = None) -> list[GoldResult]:
    """Every review of a gold item (in one queue, or in all), judged; oldest first."""
    with database.engine.connect() as db:
        reviews = load_reviews(db, queue_id)
        gold = gold_items_in(db, {review.generation_id for review in reviews})
    results = [
        GoldResult(review.reviewer, review.queue_id, review.generation_id, review.reviewed_at,
                   is_right(gold[review.generation_id].expected, review.thumbs, review.stars, review.labels,
                            review.dimensions))
        for review in reviews
        if review.generation_id in gold
    ]  # fmt: skip
    return sorted(results, key=lambda result: (result.reviewed_at, result.reviewer, result.generation_id))


def reviewer_accuracy(results: Iterable[GoldResult], *, threshold: float = FLAG_BELOW) -> list[ReviewerGold]:
    """Per reviewer (by id): gold items reviewed, how many right, and whether they are flagged."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for result in results:
        counts[result.reviewer][0] += 1
        counts[result.reviewer][1] += result.right
    return [
        ReviewerGold(reviewer, reviewed, right, flagged=right / reviewed < threshold)
        for reviewer, (reviewed, right) in sorted(counts.items())
    ]


def trend_by_day(results: Sequence[GoldResult]) -> list[TrendPoint]:
    """Per reviewer and UTC day of the review: gold items reviewed and right."""
    return _grouped(results, lambda _, result: result.reviewed_at[:10])


def trend_by_count(results: Sequence[GoldResult], *, block: int = TREND_BLOCK) -> list[TrendPoint]:
    """Per reviewer, per ``block`` gold reviews in the order they were given ("1-10", "11-20"…)."""

    def period(number: int, _: GoldResult) -> str:
        first = number // block * block + 1
        return f"{first}-{first + block - 1}"

    return _grouped(results, period)


def _grouped(results: Sequence[GoldResult], period_of: Callable[[int, GoldResult], str]) -> list[TrendPoint]:
    by_reviewer: dict[str, list[GoldResult]] = defaultdict(list)
    for result in sorted(results, key=lambda result: result.reviewed_at):
        by_reviewer[result.reviewer].append(result)
    points: list[TrendPoint] = []
    for reviewer in sorted(by_reviewer):
        periods: dict[str, list[int]] = {}
        for number, result in enumerate(by_reviewer[reviewer]):
            counts = periods.setdefault(period_of(number, result), [0, 0])
            counts[0] += 1
            counts[1] += result.right
        points += [TrendPoint(reviewer, period, reviewed, right) for period, (reviewed, right) in periods.items()]
    return points
