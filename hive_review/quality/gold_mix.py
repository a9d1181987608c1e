"""Gold items mixed into a new shared queue, unannounced: one in ``every`` items of the queue.

The queue's own items keep their order. Each gold item goes at a random place of its block of
``every`` items (the first in the first block, and so on), so neither its position nor the gap
since the last one gives it away. The number of gold items is ``items // (every - 1)``: 54 items at
one in ten get 6 gold items, a queue of 60; a queue shorter than ``every - 1`` items gets none. Gold
items are drawn at random from the pool when it holds more than needed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Final

DEFAULT_EVERY: Final = 10  # one item in ten is gold


def gold_count(items: int, every: int, available: int) -> int:
    """How many gold items make one in ``every`` of a queue of ``items`` of its own."""
    if every < 2 or items < 1:
        return 0
    return min(available, items // (every - 1))


def mix_gold(item_ids: Sequence[str], gold_ids: Sequence[str], *, every: int = DEFAULT_EVERY,
             seed: int | None = None) -> list[str]:  # fmt: skip
    """The queue's items with gold items mixed in (``seed`` makes the draw repeatable); ``every`` 0
    or 1, or an empty pool, mixes in none."""
    gold = list(dict.fromkeys(gold_ids))
    pool = set(gold)
    items = [gid for gid in dict.fromkeys(item_ids) if gid not in pool]
    draw = random.Random(seed)  # noqa: S311 (placement, not a secret: a reviewer never sees the seed)
    chosen = draw.sample(gold, gold_count(len(items), every, len(gold)))
    mixed: list[str] = []
    start = 0
    for gid in chosen:
        block = items[start : start + every - 1]
        start += every - 1
        place = draw.randint(0, len(block))
        mixed += [*block[:place], gid, *block[place:]]
    return mixed + items[start:]
