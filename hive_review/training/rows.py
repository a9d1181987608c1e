"""Training rows in the shapes TRL reads, each with the metadata that says where it came from.

* DPO (``dpo_rows``): ``prompt``, ``chosen``, ``rejected``, one per vote for the agreed winner. The
  two variants of a blind pair have templates of their own, so ``prompt`` is what the chosen answer
  answered and ``rejected_prompt`` what the rejected one did.
* KTO (``kto_rows``): ``prompt``, ``completion``, ``label`` (thumbs up: desirable, ``true``).
* SFT (``sft_rows``): ``prompt`` and ``completion`` (the ideal answer), or ``messages`` (user, then
  assistant).

Every row carries ``reviewers``, ``rubric`` and ``rubric_version`` (the name and version of the rubric
the ratings were given under: ``rubric_of``), the prompt's name
and version (for DPO, both variants' names and versions), ``comparison_id`` (``None`` for a generation
no comparison made), how it was decided (``agreement`` or ``adjudication``, with the ``agreement`` share
and the ``adjudicator``) and ``inputs_json``: the inputs as JSON text, one string column whatever the
task's variables.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

from hive_review.training.prompts import PromptTexts
from hive_review.training.selection import ADJUDICATED, AGREED, ItemDecision, PairDecision
from hive_review.training.sources import DEFAULT_RUBRIC_REF, LogRow, RubricRef
from hive_review.training.verdicts import ideal_of

SftStyle = Literal["prompt_completion", "messages"]
SFT_STYLES: Final[tuple[SftStyle, ...]] = ("prompt_completion", "messages")

Row = dict[str, Any]


def _inputs_json(inputs: Mapping[str, str]) -> str:
    return json.dumps(dict(inputs), ensure_ascii=False, sort_keys=True)


def rubric_of(decision: ItemDecision, row: LogRow | None) -> RubricRef:
    """The rubric an item was rated under: its latest review's that says (reviews kept it since
    migration 0009), else the log row's rating's, else the default rubric (ratings before rubrics)."""
    for review in sorted(decision.reviews, key=lambda r: r.reviewed_at, reverse=True):
        if review.rubric is not None:
            return review.rubric
    if row is not None and row.rubric is not None:
        return row.rubric
    return DEFAULT_RUBRIC_REF


def _rubric_fields(rubric: RubricRef) -> Row:
    return {"rubric": rubric[0], "rubric_version": rubric[1]}


def dpo_rows(decisions: Iterable[PairDecision]) -> list[Row]:
    rows = []
    for decision in decisions:
        if decision.status != AGREED:
            continue
        for vote in decision.agreeing:
            chosen, rejected = (vote.left, vote.right) if vote.winner == "left" else (vote.right, vote.left)
            rows.append(
                {
                    "prompt": chosen.prompt,
                    "chosen": chosen.completion,
                    "rejected": rejected.completion,
                    "rejected_prompt": rejected.prompt,
                    "comparison_id": vote.comparison_id,
                    "item_id": decision.item_id,
                    "task": vote.task,
                    "chosen_variant": chosen.variant,
                    "chosen_version": chosen.version,
                    "rejected_variant": rejected.variant,
                    "rejected_version": rejected.version,
                    "chosen_generation_id": chosen.generation_id,
                    "rejected_generation_id": rejected.generation_id,
                    "reviewer": vote.reviewer,
                    "reviewers": list(decision.reviewers),
                    "votes": len(decision.votes),
                    "agreement": decision.share,
                    "decided_by": "agreement",
                    **_rubric_fields(vote.rubric),
                    "inputs_json": _inputs_json(vote.inputs),
                }
            )
    return rows


def _metadata(decision: ItemDecision, row: LogRow) -> Row:
    adjudicated = decision.status == ADJUDICATED
    return {
        "generation_id": row.generation_id,
        "task": row.task,
        "prompt_name": row.prompt_name,
        "prompt_version": row.prompt_version,
        "comparison_id": row.comparison_id,
        "reviewers": list(decision.reviewers),
        "reviews": len(decision.reviews),
        "agreement": decision.share,
        "decided_by": "adjudication" if adjudicated else "agreement",
        "adjudicator": decision.verdict.adjudicator if decision.verdict is not None else None,
        "thumbs": decision.thumbs,
        "stars": decision.stars,
        "queue_ids": list(decision.queue_ids),
        **_rubric_fields(rubric_of(decision, row)),
        "inputs_json": _inputs_json(row.inputs),
    }


def kto_rows(
    decisions: Iterable[ItemDecision],
    log_rows: Mapping[str, LogRow],
    prompts: PromptTexts,
) -> list[Row]:
    """One row per agreed or adjudicated item with thumbs whose log row is known."""
    rows = []
    for decision in decisions:
        row = log_rows.get(decision.generation_id)
        if not decision.eligible or decision.thumbs is None or row is None:
            continue
        prompt, source = prompts.prompt_for(row)
        rows.append(
            {
                "prompt": prompt,
                "completion": row.completion,
                "label": decision.thumbs == "up",
                **_metadata(decision, row),
                "prompt_source": source,
            }
        )
    return rows


def ideal_answer(decision: ItemDecision, row: LogRow | None) -> tuple[str, str] | None:
    """The item's ideal answer and who wrote it: the adjudicator's, else the one the log holds (the
    latest rating's); None when there is none or the item is not agreed or adjudicated."""
    if not decision.eligible:
        return None
    if decision.verdict is not None and ideal_of(decision.verdict):
        return ideal_of(decision.verdict), decision.verdict.adjudicator
    if row is not None and row.ideal_answer.strip():
        return row.ideal_answer, row.reviewer
    return None


def sft_rows(
    decisions: Iterable[ItemDecision],
    log_rows: Mapping[str, LogRow],
    prompts: PromptTexts,
    *,
    style: SftStyle = "prompt_completion",
) -> list[Row]:
    """One row per agreed or adjudicated item with an ideal answer whose log row is known."""
    if style not in SFT_STYLES:
        raise ValueError(f"The SFT style is one of {', '.join(SFT_STYLES)}, not {style!r}.")
    rows = []
    for decision in decisions:
        row = log_rows.get(decision.generation_id)
        ideal = ideal_answer(decision, row)
        if row is None or ideal is None:
            continue
        answer, written_by = ideal
        prompt, source = prompts.prompt_for(row)
        if style == "messages":
            shape: Row = {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]}
        else:
            shape = {"prompt": prompt, "completion": answer}
        rows.append({**shape, **_metadata(decision, row), "ideal_by": written_by, "prompt_source": source})
    return rows
