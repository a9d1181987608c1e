"""Run the same inputs on several prompt variants at once, and the blind A/B protocol.

Blind A/B: the two variants of a pair are shown as "A" (left) and "B" (right) in an order drawn
from a seeded generator per comparison, so a reviewer cannot learn which side is which variant,
and the order can be reproduced from the log (seed + comparison id). Identities are revealed
only after the vote.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from hive_review.log.entries import RunContext, entry_from_generation
from hive_review.log.store import LogStore
from hive_review.ports import Generator
from honeyhive_api import Generation, HoneyHiveError, Prompt

MIN_VARIANTS = 2
MAX_VARIANTS = 4
Winner = Literal["left", "right", "tie"]


@dataclass(frozen=True)
class VariantRun:
    prompt: Prompt
    generation: Generation | None = None
    error: str | None = None


def run_variants(
    client: Generator,
    task: str,
    inputs: Mapping[str, str],
    prompts: Sequence[Prompt],
    *,
    reviewer: str,
    source: str,
) -> list[VariantRun]:
    """Run every variant on the same inputs in parallel; one failure does not hide the others."""
    if not MIN_VARIANTS <= len(prompts) <= MAX_VARIANTS:
        raise ValueError(f"choose {MIN_VARIANTS} to {MAX_VARIANTS} variants to compare, not {len(prompts)}")

    def run(prompt: Prompt) -> VariantRun:
        try:
            generation = client.generate(
                task, inputs, prompts=[prompt.name], user_properties={"user_id": reviewer}, source=source
            )
        except HoneyHiveError as exc:
            return VariantRun(prompt, error=exc.message)
        return VariantRun(prompt, generation=generation)

    with ThreadPoolExecutor(max_workers=len(prompts), thread_name_prefix="compare") as pool:
        return list(pool.map(run, prompts))


def blind_sides(seed: int, comparison_id: str) -> bool:
    """Whether the pair is swapped (second variant on the left), drawn from ``seed`` and the id."""
    return random.Random(f"{seed}:{comparison_id}").random() < 0.5  # noqa: S311 (fair order, not secrecy)


def preference_feedback(winner: Winner, side: Literal["left", "right"]) -> str:
    """What one side's generation receives as ``preference``: win, loss or tie."""
    if winner == "tie":
        return "tie"
    return "win" if winner == side else "loss"


def record_variant_runs(
    log: LogStore, runs: Sequence[VariantRun], context: RunContext, *, inputs: Mapping[str, str]
) -> list[str]:
    """Add the runs that produced a generation to the log, in one transaction; their ids in order."""
    entries = [
        entry_from_generation(run.generation, context, inputs=inputs, prompt_name=run.prompt.name)
        for run in runs
        if run.generation is not None
    ]
    log.add_entries(entries)
    return [entry.generation_id for entry in entries]
