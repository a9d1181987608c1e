"""Final verdicts of adjudicated items, as the training export takes them from its caller.

The adjudication code (``hive_review.quality``) is not imported here: the caller reads the final
verdicts and passes them in, keyed by generation id. Anything with ``thumbs``, ``stars`` and
``adjudicator`` will do (``hive_review.quality.adjudication.Verdict`` does); an ``ideal`` (or
``ideal_answer``) attribute, when the object has one, is the adjudicator's ideal answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hive_review.feedback.ratings import Thumbs


class FinalVerdict(Protocol):
    """What the export reads of an adjudicated item's final verdict."""

    @property
    def thumbs(self) -> str | None: ...

    @property
    def stars(self) -> int | None: ...

    @property
    def adjudicator(self) -> str: ...


@dataclass(frozen=True)
class AdjudicatedVerdict:
    """A final verdict with every field the export reads (for callers without one of their own)."""

    thumbs: Thumbs | None
    stars: int | None
    adjudicator: str
    ideal: str = ""


def ideal_of(verdict: FinalVerdict) -> str:
    """The adjudicator's ideal answer, "" when the verdict has none."""
    for name in ("ideal", "ideal_answer"):
        value = getattr(verdict, name, None)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def thumbs_of(verdict: FinalVerdict) -> Thumbs | None:
    if verdict.thumbs == "up":
        return "up"
    if verdict.thumbs == "down":
        return "down"
    return None
