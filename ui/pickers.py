"""What the Playground, Compare, Batch and Ingest pages all start with: pick what runs, list its
prompt variants, and name a variant the same way everywhere.

On the task API the reviewer picks a HoneyHive **Task**. On the current API there are no tasks:
the reviewer picks a **Prompt** (HoneyHive's configurations, grouped as
``hive_review.backends.configurations`` does) and, beside it on pages that run prompts, the
**Environment** whose deployed configuration runs. That picker and the sidebar's are one setting:
either one moves the other (the sidebar's drives the backend, which is built before the page)."""

from __future__ import annotations

from typing import Protocol

import streamlit as st

from hive_review import settings as cfg
from honeyhive_api import HoneyHiveError, Prompt
from ui.context import Studio
from ui.failures import show_failure
from ui.state import Keys
from ui.text import code

NO_TASKS = "HoneyHive has no tasks yet. Create one in HoneyHive (or seed the emulator), then reload this page."
NO_CONFIGURATIONS = (
    "HoneyHive has no prompt configurations in this project yet. Create one in HoneyHive (or seed the "
    "emulator), then reload this page."
)
PROMPT_HELP = (
    "A prompt of this HoneyHive project: its configurations, grouped by their first tag (untagged ones "
    "under one group). The one deployed to the environment runs; the others are its variants."
)
ENVIRONMENT_HELP = "The configuration deployed to this environment is what runs (the same setting as the sidebar's)."


class TaskPageKeys(Protocol):
    """The keys a page with a task picker has (see ``ui.state``)."""

    @property
    def task(self) -> str: ...

    @property
    def try_again(self) -> str: ...

    def __call__(self, name: str, *parts: object) -> str: ...


def pick_task(studio: Studio, keys: TaskPageKeys, *, with_environment: bool = False) -> str | None:
    """The task (current API: the prompt) the reviewer picked; ``None``, after saying why, when
    there is none to pick. ``with_environment``: on the current API, the Environment picker beside it."""
    current = studio.api == "current"
    try:
        tasks = studio.tasks()
    except HoneyHiveError as error:
        show_failure(error, "listing the prompts" if current else "listing the tasks", try_again_key=keys.try_again)
        return None
    if not tasks:
        st.info(NO_CONFIGURATIONS if current else NO_TASKS)
        return None
    names = [task.name for task in tasks]
    # Options of a selectbox are drawn as text, not Markdown: names go in as they are.
    if not current:
        return st.selectbox("Task", names, key=keys.task, help="A HoneyHive task (project).")
    if not with_environment:
        return st.selectbox("Prompt", names, key=keys.task, help=PROMPT_HELP)
    prompt_column, environment_column = st.columns([3, 1])
    with prompt_column:
        chosen = st.selectbox("Prompt", names, key=keys.task, help=PROMPT_HELP)
    with environment_column:
        _pick_environment(studio, keys)
    return chosen


def _pick_environment(studio: Studio, keys: TaskPageKeys) -> None:
    """The page's Environment picker, showing the sidebar's choice; a change here is copied to the
    sidebar's setting before the next run builds the backend (a callback runs before the script)."""
    key = keys("environment")
    st.session_state[key] = studio.environment or cfg.ENVIRONMENTS[0]  # the sidebar's, which this run used
    st.selectbox(
        "Environment", cfg.ENVIRONMENTS, key=key, on_change=_follow_environment, args=(key,), help=ENVIRONMENT_HELP
    )


def _follow_environment(key: str) -> None:
    st.session_state[Keys.ENVIRONMENT] = st.session_state[key]


def pick_task_and_prompts(studio: Studio, keys: TaskPageKeys, *, needed: int = 1) -> tuple[str, list[Prompt]] | None:
    """The task (current API: the prompt, in the picked environment) and its prompt variants;
    ``None``, after saying why, when there is none, HoneyHive failed to list them, or it has fewer
    than ``needed``."""
    task = pick_task(studio, keys, with_environment=True)
    if task is None:
        return None
    current = studio.api == "current"
    kind = "Prompt" if current else "Task"
    try:
        prompts = studio.prompts(task)
    except HoneyHiveError as error:
        doing = (
            f"listing the configurations of prompt {code(task)}"
            if current
            else f"listing the prompts of task {code(task)}"
        )
        show_failure(error, doing, try_again_key=keys.try_again)
        return None
    if len(prompts) < needed:
        plural = "s" if len(prompts) != 1 else ""
        if current:
            has = f"{len(prompts)} configuration{plural}" if prompts else "no configurations"
        else:
            has = f"{len(prompts)} prompt variant{plural}" if prompts else "no prompts"
        st.warning(
            f"{kind} {code(task)} has {has}: this page needs at least {needed}. "
            "Deploy a prompt for it (and add variants) in HoneyHive first."
        )
        return None
    return task, prompts


def variant_label(prompt: Prompt) -> str:
    """A variant as pickers show it: name, version, and whether HoneyHive's proxy runs it."""
    deployed = " · deployed" if prompt.is_deployed else ""
    version = f"v{prompt.version}" if prompt.version else "no version"
    return f"{prompt.name} ({version}){deployed}"
