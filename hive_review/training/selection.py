"""Which items the reviewers agree on.

An item's *agreement* is the share of its reviewers who gave the most common verdict; it qualifies
when that share is at least the rule's ``threshold`` and at least ``min_reviewers`` reviewers gave a
verdict. Each reviewer counts once per item, with their latest verdict (as the log keeps the latest
rating). Two verdicts sharing the top count are a split whatever the threshold.

* Blind votes (``decide_pairs``): the item is a task, its inputs and a pair of variants (name and
  version, either side). The verdict is the winning variant, ``tie`` or ``both_bad``; an item agreed on
  a tie or on "both bad" makes no pair (neither is a preference), and neither does a split.
* Shared-queue reviews (``decide_items``): the item is a generation, whatever queues it is in; the
  verdict is thumbs (reviews without thumbs give none). An item with a final verdict is always taken,
  with that verdict, however its reviews split.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, TypeVar

from hive_review.training.sources import ReviewRecord, VoteRecord
from hive_review.training.verdicts import FinalVerdict, thumbs_of

Status = Literal["agreed", "adjudicated", "split", "too_few", "tie", "both_bad"]
AGREED: Final = "agreed"
ADJUDICATED: Final = "adjudicated"
SPLIT: Final = "split"  # below the threshold, or two verdicts share the top count
TOO_FEW: Final = "too_few"  # fewer reviewers than the rule asks
TIE: Final = "tie"  # blind votes agreed on a tie: no preference to learn
BOTH_BAD: Final = "both_bad"  # blind votes agreed that neither answer is good: no preference either

DEFAULT_THRESHOLD: Final = 0.8
DEFAULT_MIN_REVIEWERS: Final = 2


@dataclass(frozen=True)
class AgreementRule:
    threshold: float = DEFAULT_THRESHOLD  # share of reviewers with the most common verdict, 0–1
    min_reviewers: int = DEFAULT_MIN_REVIEWERS

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError(f"The agreement threshold is a share above 0 and at most 1, not {self.threshold!r}.")
        if self.min_reviewers < 1:
            raise ValueError(f"At least 1 reviewer per item, not {self.min_reviewers!r}.")


Verdict = TypeVar("Verdict", bound=Hashable)  # what one reviewer said of an item
Record = TypeVar("Record", VoteRecord, ReviewRecord)


def _agreement(verdicts: Sequence[Verdict], rule: AgreementRule) -> tuple[Status | None, float, Verdict | None]:
    """``None`` and the share and verdict when the reviewers agree; else why not (``too_few``/``split``)."""
    if not verdicts:
        return TOO_FEW, 0.0, None
    ranked = Counter(verdicts).most_common()
    top, count = ranked[0]
    share = count / len(verdicts)
    if len(verdicts) < rule.min_reviewers:
        return TOO_FEW, share, None
    if share + 1e-9 < rule.threshold or (len(ranked) > 1 and ranked[1][1] == count):
        return SPLIT, share, None
    return None, share, top


def _latest_by_reviewer(records: Iterable[Record], moment: str) -> list[Record]:
    """Each reviewer's latest record (by the ``moment`` attribute), by reviewer."""
    latest: dict[str, Record] = {}
    for record in sorted(records, key=lambda r: getattr(r, moment)):
        latest[record.reviewer] = record
    return sorted(latest.values(), key=lambda r: r.reviewer)


# ---- blind votes ----------------------------------------------------------------------------------


def pair_item_key(vote: VoteRecord) -> str:
    """The item a vote is on: its task, inputs and the pair of variants with their versions, in any order."""
    variants = sorted([list(vote.left.key), list(vote.right.key)])
    return json.dumps([vote.task, vote.inputs, variants], sort_keys=True, ensure_ascii=False)


def pair_item_id(key: str) -> str:
    return "pair-" + hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PairDecision:
    item_id: str
    task: str
    status: Status
    share: float  # of the counted votes, the most common verdict's
    votes: tuple[VoteRecord, ...]  # each reviewer's latest vote on the item
    winner: tuple[str, str] | None  # agreed: the winning variant (name, version)

    @property
    def reviewers(self) -> tuple[str, ...]:
        return tuple(vote.reviewer for vote in self.votes)

    @property
    def agreeing(self) -> tuple[VoteRecord, ...]:
        """The votes for the agreed winner (none unless agreed): one DPO pair each."""
        return tuple(vote for vote in self.votes if self.winner is not None and vote.outcome == self.winner)


def decide_pairs(votes: Iterable[VoteRecord], rule: AgreementRule) -> list[PairDecision]:
    """One decision per item of blind votes, in the order items were first voted on."""
    items: dict[str, list[VoteRecord]] = {}
    for vote in votes:
        items.setdefault(pair_item_key(vote), []).append(vote)
    decisions = []
    for key, item_votes in items.items():
        counted = tuple(_latest_by_reviewer(item_votes, "created_at"))
        refusal, share, top = _agreement([vote.outcome for vote in counted], rule)
        winner: tuple[str, str] | None = None
        if refusal is not None:
            status: Status = refusal
        elif top == TIE:
            status = TIE
        elif top == BOTH_BAD:
            status = BOTH_BAD
        else:
            status, winner = AGREED, top if isinstance(top, tuple) else None
        decisions.append(PairDecision(pair_item_id(key), counted[0].task, status, share, counted, winner))
    return decisions


# ---- shared-queue reviews -------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemDecision:
    generation_id: str
    status: Status
    share: float | None  # of the reviews with thumbs, the most common thumbs'; None when none has thumbs
    thumbs: str | None  # agreed or adjudicated: the item's thumbs ("up" / "down"), if any
    stars: float | None  # adjudicated: the verdict's; else the median of the reviewers' stars
    reviews: tuple[ReviewRecord, ...]  # each reviewer's latest review of it
    verdict: FinalVerdict | None = None

    @property
    def eligible(self) -> bool:
        return self.status in (AGREED, ADJUDICATED)

    @property
    def reviewers(self) -> tuple[str, ...]:
        return tuple(review.reviewer for review in self.reviews)

    @property
    def queue_ids(self) -> tuple[str, ...]:
        return tuple(sorted({review.queue_id for review in self.reviews}))


def decide_items(
    reviews: Iterable[ReviewRecord],
    rule: AgreementRule,
    verdicts: Mapping[str, FinalVerdict] | None = None,
) -> list[ItemDecision]:
    """One decision per reviewed or adjudicated generation, reviewed ones first in the order of their
    first review."""
    verdicts = verdicts or {}
    items: dict[str, list[ReviewRecord]] = {}
    for review in reviews:
        items.setdefault(review.generation_id, []).append(review)
    for generation_id in verdicts:
        items.setdefault(generation_id, [])
    decisions = []
    for generation_id, item_reviews in items.items():
        counted = tuple(_latest_by_reviewer(item_reviews, "reviewed_at"))
        thumbs = [review.thumbs for review in counted if review.thumbs is not None]
        refusal, share, top = _agreement(thumbs, rule)
        verdict = verdicts.get(generation_id)
        if verdict is not None:
            decision = ItemDecision(
                generation_id,
                ADJUDICATED,
                share if thumbs else None,
                thumbs_of(verdict),
                float(verdict.stars) if verdict.stars is not None else None,
                counted,
                verdict,
            )
        else:
            stars = [review.stars for review in counted if review.stars is not None]
            decision = ItemDecision(
                generation_id,
                refusal or AGREED,
                share if thumbs else None,
                top if refusal is None else None,
                float(statistics.median(stars)) if stars else None,
                counted,
            )
        decisions.append(decision)
    return decisions


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    """How many items have each status (every status present, zero when none)."""
    counts = Counter(statuses)
    return {status: counts.get(status, 0) for status in (AGREED, ADJUDICATED, SPLIT, TOO_FEW, TIE, BOTH_BAD)}
