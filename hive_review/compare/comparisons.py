"""What comparing variants means: how many variants a side-by-side comparison takes, and the blind
A/B protocol. The runs themselves are made in the background (``comparison_runner``) and kept in
the database (``comparison_store``).

Blind A/B: the two variants of a pair are shown as "A" (left) and "B" (right) in an order drawn
from a seeded generator per comparison, so a reviewer cannot learn which side is which variant,
and the order can be reproduced from the log (seed + comparison id). Identities are revealed
only after the vote.
"""

from __future__ import annotations

import random
from typing import Literal

MIN_VARIANTS = 2
MAX_VARIANTS = 4
Winner = Literal["left", "right", "tie"]


def blind_sides(seed: int, comparison_id: str) -> bool:
    """Whether the pair is swapped (second variant on the left), drawn from ``seed`` and the id."""
    return random.Random(f"{seed}:{comparison_id}").random() < 0.5  # noqa: S311 (fair order, not secrecy)


def preference_feedback(winner: Winner, side: Literal["left", "right"]) -> str:
    """What one side's generation receives as ``preference``: win, loss or tie."""
    if winner == "tie":
        return "tie"
    return "win" if winner == side else "loss"
