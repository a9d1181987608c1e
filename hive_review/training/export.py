"""The training data of one database under one rule: what is selected, how many rows each export
has and why items were left out, and the three JSONL exports.

``select_training_data`` reads the votes, the reviews and the log rows of the items taken (cheap enough
for a page to call on every run); the rows and their JSONL are built only when asked for, since a
template may have to be fetched from HoneyHive for their prompts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hive_review.db import Database
from hive_review.training import rows as builders
from hive_review.training.prompts import PromptLookup, PromptTexts, vote_prompts
from hive_review.training.rows import SftStyle, ideal_answer
from hive_review.training.selection import (
    SPLIT,
    AgreementRule,
    ItemDecision,
    PairDecision,
    decide_items,
    decide_pairs,
    status_counts,
)
from hive_review.training.sources import LogRow, load_log_rows, load_reviews, load_votes
from hive_review.training.verdicts import FinalVerdict
from hive_review.training.writers import to_jsonl


@dataclass(frozen=True)
class ExportCounts:
    """One export: its rows, and its items by status (``agreed``, ``adjudicated``, ``split``,
    ``too_few``, ``tie``, ``both_bad``). ``unusable``: items taken that still give no row (no thumbs
    in the verdict, no ideal answer, or no log row)."""

    rows: int
    items: dict[str, int]
    unusable: int = 0

    @property
    def disagreement(self) -> int:
        """Items left out because their reviewers disagree."""
        return self.items[SPLIT]


@dataclass(frozen=True)
class TrainingSelection:
    rule: AgreementRule
    pairs: list[PairDecision]
    items: list[ItemDecision]
    log_rows: dict[str, LogRow]
    from_votes: dict[str, str]  # the filled prompt of each generation a blind vote showed

    # ---- counts -----------------------------------------------------------------------------------

    @property
    def dpo_counts(self) -> ExportCounts:
        return ExportCounts(
            rows=sum(len(decision.agreeing) for decision in self.pairs),
            items=status_counts(decision.status for decision in self.pairs),
        )

    @property
    def kto_counts(self) -> ExportCounts:
        taken = [d for d in self.items if d.eligible]
        rows = sum(1 for d in taken if d.thumbs is not None and d.generation_id in self.log_rows)
        return ExportCounts(rows, status_counts(d.status for d in self.items), unusable=len(taken) - rows)

    @property
    def sft_counts(self) -> ExportCounts:
        taken = [d for d in self.items if d.eligible]
        rows = sum(
            1
            for d in taken
            if d.generation_id in self.log_rows and ideal_answer(d, self.log_rows[d.generation_id]) is not None
        )
        return ExportCounts(rows, status_counts(d.status for d in self.items), unusable=len(taken) - rows)

    # ---- rows and exports -------------------------------------------------------------------------

    def prompts(self, lookup: PromptLookup | None = None) -> PromptTexts:
        return PromptTexts(self.from_votes, lookup)

    def dpo_rows(self) -> list[builders.Row]:
        return builders.dpo_rows(self.pairs)

    def kto_rows(self, lookup: PromptLookup | None = None) -> list[builders.Row]:
        return builders.kto_rows(self.items, self.log_rows, self.prompts(lookup))

    def sft_rows(
        self, lookup: PromptLookup | None = None, *, style: SftStyle = "prompt_completion"
    ) -> list[builders.Row]:
        return builders.sft_rows(self.items, self.log_rows, self.prompts(lookup), style=style)

    def dpo_jsonl(self) -> bytes:
        return to_jsonl(self.dpo_rows())

    def kto_jsonl(self, lookup: PromptLookup | None = None) -> bytes:
        return to_jsonl(self.kto_rows(lookup))

    def sft_jsonl(self, lookup: PromptLookup | None = None, *, style: SftStyle = "prompt_completion") -> bytes:
        return to_jsonl(self.sft_rows(lookup, style=style))


def select_training_data(
    database: Database,
    rule: AgreementRule,
    verdicts: Mapping[str, FinalVerdict] | None = None,
) -> TrainingSelection:
    """Every blind vote and shared-queue review of the database, decided under ``rule``; ``verdicts``
    are the final verdicts of adjudicated items by generation id (``hive_review.quality`` reads them).
    Each row names the rubric its ratings were given under (``rows.rubric_of``)."""
    votes = load_votes(database)
    items = decide_items(load_reviews(database), rule, verdicts)
    log_rows = load_log_rows(database, (d.generation_id for d in items if d.eligible))
    return TrainingSelection(
        rule=rule,
        pairs=decide_pairs(votes, rule),
        items=items,
        log_rows=log_rows,
        from_votes=vote_prompts(votes),
    )
