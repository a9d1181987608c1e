"""What the Playground, Compare, Batch and Ingest pages all start with: pick a HoneyHive task, list
its prompt variants, and name a variant the same way everywhere."""

from __future__ import annotations

from typing import Protocol

import streamlit as st

from honeyhive_api import HoneyHiveError, Prompt
from ui.context import Studio
from ui.failures import show_failure
from ui.text import code

NO_TASKS = "HoneyHive has no tasks yet. Create one in HoneyHive (or seed the emulator), then reload this page."


class TaskPageKeys(Protocol):
    """The keys a page with a task picker has (see ``ui.state``)."""

    @property
    def task(self) -> str: ...

    @property
    def try_again(self) -> str: ...


def pick_task(studio: Studio, keys: TaskPageKeys) -> str | None:
    """The task the reviewer picked; ``None``, after saying why, when there is none to pick."""
    try:
        tasks = studio.tasks()
    except HoneyHiveError as error:
        show_failure(error, "listing the tasks", try_again_key=keys.try_again)
        return None
    if not tasks:
        st.info(NO_TASKS)
        return None
    # Options of a selectbox are drawn as text, not Markdown: names go in as they are.
    return st.selectbox("Task", [task.name for task in tasks], key=keys.task, help="A HoneyHive task (project).")


def pick_task_and_prompts(studio: Studio, keys: TaskPageKeys, *, needed: int = 1) -> tuple[str, list[Prompt]] | None:
    """The task the reviewer picked and its prompt variants; ``None``, after saying why, when
    there is no task, HoneyHive failed to list them, or the task has fewer than ``needed``."""
    task = pick_task(studio, keys)
    if task is None:
        return None
    try:
        prompts = studio.prompts(task)
    except HoneyHiveError as error:
        show_failure(error, f"listing the prompts of task {code(task)}", try_again_key=keys.try_again)
        return None
    if len(prompts) < needed:
        has = f"{len(prompts)} prompt variant{'s' if len(prompts) != 1 else ''}" if prompts else "no prompts"
        st.warning(
            f"Task {code(task)} has {has}: this page needs at least {needed}. "
            "Deploy a prompt for it (and add variants) in HoneyHive first."
        )
        return None
    return task, prompts


def variant_label(prompt: Prompt) -> str:
    """A variant as pickers show it: name, version, and whether HoneyHive's proxy runs it."""
    deployed = " · deployed" if prompt.is_deployed else ""
    version = f"v{prompt.version}" if prompt.version else "no version"
    return f"{prompt.name} ({version}){deployed}"
