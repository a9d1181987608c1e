"""Agreement between the reviewers of a shared queue, from their reviews (one per reviewer and
item), with the formulas of ``hive_review.compare.stats``.

Not ``agreement_table``: it treats the raters as fixed (Fleiss only on items every rater rated),
which fits imported logs of a few reviewers who each rated everything. A shared queue with overlap
k hands each item to some k of any number of reviewers, which is the design Fleiss (1971) was made
for: the same number of ratings per item, by raters who may differ from item to item. So:

* Cohen's kappa when exactly two reviewers gave the value, over the items both rated; and for every
  pair of reviewers over the items they share (``pairs``), the usual reading with more reviewers;
* Fleiss' kappa over the items with exactly ``overlap`` values (overlap 2 or more);
* Krippendorff's alpha over every item with two or more values (it takes gaps): nominal, and for
  stars also ordinal, since 4 stars against 5 is a smaller disagreement than 1 against 5.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Literal

from hive_review.compare.stats import cohen_kappa, fleiss_kappa, krippendorff_alpha

Dimension = Literal["thumbs", "stars"]
DIMENSIONS: tuple[Dimension, ...] = ("thumbs", "stars")


@dataclass(frozen=True)
class PairAgreement:
    reviewer_a: str
    reviewer_b: str
    items: int  # items both rated on this dimension
    cohen_kappa: float


@dataclass(frozen=True)
class DimensionAgreement:
    dimension: Dimension
    raters: int  # reviewers who gave this value at least once
    items: int  # items with this value from two or more reviewers
    cohen_kappa: float | None  # exactly two raters
    fleiss_kappa: float | None  # items with exactly ``overlap`` values; overlap >= 2
    krippendorff_alpha: float | None  # nominal
    krippendorff_alpha_ordinal: float | None  # stars only
    pairs: tuple[PairAgreement, ...]


@dataclass(frozen=True)
class QueueAgreement:
    queue_id: str
    overlap: int
    thumbs: DimensionAgreement
    stars: DimensionAgreement


def dimension_agreement(
    values: Iterable[tuple[str, str, Hashable | None]], *, dimension: Dimension, overlap: int
) -> DimensionAgreement:
    """Agreement on one value from (item, reviewer, value) triples; a None value was not given."""
    by_item: dict[str, dict[str, Hashable]] = {}
    for item, reviewer, value in values:
        if value is not None:
            by_item.setdefault(item, {})[reviewer] = value
    raters = sorted({reviewer for given in by_item.values() for reviewer in given})
    pairable = {item: given for item, given in by_item.items() if len(given) >= 2}
    pairs = tuple(_pairs(pairable, raters))
    return DimensionAgreement(
        dimension=dimension,
        raters=len(raters),
        items=len(pairable),
        cohen_kappa=pairs[0].cohen_kappa if len(raters) == 2 and pairs else None,
        fleiss_kappa=_fleiss(pairable, overlap),
        krippendorff_alpha=_alpha(pairable, raters, "nominal"),
        krippendorff_alpha_ordinal=_alpha(pairable, raters, "ordinal") if dimension == "stars" else None,
        pairs=pairs,
    )


def _pairs(by_item: dict[str, dict[str, Hashable]], raters: list[str]) -> Iterable[PairAgreement]:
    for first, second in itertools.combinations(raters, 2):
        shared = [given for given in by_item.values() if first in given and second in given]
        if shared:
            kappa = cohen_kappa([given[first] for given in shared], [given[second] for given in shared])
            yield PairAgreement(first, second, len(shared), kappa)


def _fleiss(by_item: dict[str, dict[str, Hashable]], overlap: int) -> float | None:
    complete = [list(given.values()) for given in by_item.values() if len(given) == overlap]
    if overlap < 2 or not complete:
        return None
    categories = sorted({value for values in complete for value in values}, key=repr)
    counts = [[values.count(category) for category in categories] for values in complete]
    return fleiss_kappa(counts)


def _alpha(
    by_item: dict[str, dict[str, Hashable]], raters: list[str], level: Literal["nominal", "ordinal"]
) -> float | None:
    if not by_item:
        return None
    data = [[given.get(reviewer) for given in by_item.values()] for reviewer in raters]
    alpha = krippendorff_alpha(data, level)
    return None if math.isnan(alpha) else alpha  # NaN: every value the same, alpha undefined
