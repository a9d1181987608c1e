"""Checks on the values a reviewer types before a prompt is run.

Each problem is a sentence that names the variable and says what to do, so the page can show it
as it is, and nothing is sent to HoneyHive until the form is right.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from honeyhive_api import Prompt
from honeyhive_api.templates import missing_variables, prompt_variables

# A prompt input is a few paragraphs at most; a megabyte pasted by mistake would be sent to the
# model, cost money and stall the page. Ingested completions have their own, larger limit.
MAX_INPUT_CHARS = 20_000


def input_problems(variables: Sequence[str], values: Mapping[str, str]) -> list[str]:
    """What is wrong with ``values`` for a prompt with ``variables``; empty when it may run."""
    problems = []
    missing = missing_variables(variables, values)
    if missing:
        names = ", ".join(f"`{name}`" for name in missing)
        plural = "s" if len(missing) > 1 else ""
        problems.append(f"Fill in the input variable{plural} {names}: the prompt needs a value for each.")
    for name in variables:
        value = values.get(name) or ""
        if len(value) > MAX_INPUT_CHARS:
            problems.append(
                f"`{name}` is {len(value):,} characters long; the limit is {MAX_INPUT_CHARS:,}. "
                "Shorten it, or log a long completion through the Ingest page instead."
            )
    return problems


def variables_of(prompts: Iterable[Prompt]) -> list[str]:
    """Every variable of these prompts, in order of first appearance: the inputs a run of all of
    them needs."""
    variables: dict[str, None] = {}
    for prompt in prompts:
        variables.update(dict.fromkeys(prompt_variables(prompt.text, prompt.input_variables)))
    return list(variables)
