"""The text a completion answered, for a training row's ``prompt``.

The session log keeps a generation's inputs and prompt version, not the prompt it sent. In order:
the prompt a blind vote recorded for that generation (``vote``); the variant's template from
HoneyHive, filled with the inputs, when HoneyHive still has that name at that version (``template``);
else the inputs themselves (``inputs``: the one input's value, or ``name: value`` lines). Every row
says which in ``prompt_source``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final

from hive_review.training.sources import LogRow, VoteRecord
from honeyhive_api import HoneyHiveError, Prompt
from honeyhive_api.templates import render_template

VOTE: Final = "vote"
TEMPLATE: Final = "template"
INPUTS: Final = "inputs"

PromptLookup = Callable[[str], Sequence[Prompt]]  # a task's prompt variants (``ReviewBackend.list_prompts``)


def vote_prompts(votes: Iterable[VoteRecord]) -> dict[str, str]:
    """The filled prompt of each generation a blind vote showed, by generation id."""
    found: dict[str, str] = {}
    for vote in votes:
        for side in (vote.left, vote.right):
            if side.prompt.strip():
                found[side.generation_id] = side.prompt
    return found


def inputs_text(inputs: Mapping[str, str]) -> str:
    if len(inputs) == 1:
        return next(iter(inputs.values()))
    return "\n".join(f"{name}: {value}" for name, value in inputs.items())


class PromptTexts:
    """``prompt_for(row)``: the prompt text of a log row and where it came from. HoneyHive is asked
    once per task, and only when a row needs a template; a failure there falls back to the inputs."""

    def __init__(self, from_votes: Mapping[str, str], lookup: PromptLookup | None = None) -> None:
        self.from_votes = from_votes
        self.lookup = lookup
        self._templates: dict[str, dict[str, Prompt]] = {}

    def prompt_for(self, row: LogRow) -> tuple[str, str]:
        voted = self.from_votes.get(row.generation_id)
        if voted is not None:
            return voted, VOTE
        prompt = self._templates_of(row.task).get(row.prompt_name)
        if prompt is not None and (prompt.version is None or str(prompt.version) == row.prompt_version):
            try:
                return render_template(prompt.text, row.inputs), TEMPLATE
            except KeyError:  # the template names a variable this row has no value for
                pass
        return inputs_text(row.inputs), INPUTS

    def _templates_of(self, task: str) -> dict[str, Prompt]:
        if task not in self._templates:
            prompts: Sequence[Prompt] = ()
            if self.lookup is not None and task:
                try:
                    prompts = self.lookup(task)
                except HoneyHiveError:
                    prompts = ()
            self._templates[task] = {prompt.name: prompt for prompt in prompts}
        return self._templates[task]
