"""When the reviews of one item disagree, and how: the rule that sends an item to adjudication.

* **thumbs split**: some reviewers gave thumbs up, others thumbs down;
* **stars apart**: the highest and the lowest stars given are 2 or more apart (4 and 5 agree, 3
  and 5 do not);
* **labels differ**: the reviewers' sets of labels are not all the same (no label at all is a set
  too: one reviewer's "off-topic" against another's nothing is a disagreement).

A value nobody gave, or only one reviewer gave, cannot disagree; an item needs two reviews.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from hive_review.quality.reviews import Review

STAR_SPREAD: Final = 2  # stars this far apart disagree
THUMBS_SPLIT: Final = "thumbs split"
LABELS_DIFFER: Final = "labels differ"


def disagreements(reviews: Sequence[Review]) -> tuple[str, ...]:
    """How the reviews of one item disagree (empty: they agree, or there are fewer than two)."""
    if len(reviews) < 2:
        return ()
    found: list[str] = []
    if len({review.thumbs for review in reviews if review.thumbs}) > 1:
        found.append(THUMBS_SPLIT)
    stars = [review.stars for review in reviews if review.stars is not None]
    if len(stars) >= 2 and max(stars) - min(stars) >= STAR_SPREAD:
        found.append(f"stars {min(stars)} to {max(stars)}")
    if len({frozenset(review.labels) for review in reviews}) > 1:
        found.append(LABELS_DIFFER)
    return tuple(found)
