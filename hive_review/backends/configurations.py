"""HoneyHive configurations seen as the studio's tasks and prompts, and rendered for the model.

The current API has no tasks: a project holds configurations. The studio groups them by their
first tag (HoneyHive's way of labelling configurations), and puts untagged ones in one group named
``DEFAULT_GROUP``. A configuration is one prompt of its group; the one whose ``env`` list holds the
backend's environment is that group's deployed prompt. The pages call a group a **Prompt** (what the
reviewer picks, beside the **Environment**) and its configurations the prompt's variants.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hive_review.backends.errors import NotDeployedError
from honeyhive_api import Configuration, Prompt, Task
from honeyhive_api.errors import NotFoundError, ValidationError
from honeyhive_api.templates import missing_variables, render_template, template_variables

__all__ = [
    "DEFAULT_GROUP",
    "choose_configuration",
    "configuration_prompt",
    "configuration_variables",
    "configuration_version",
    "group_of",
    "render_messages",
    "tasks_of",
    "template_text",
]

DEFAULT_GROUP = "Project prompts"


def group_of(configuration: Configuration) -> str:
    return configuration.tags[0] if configuration.tags and configuration.tags[0].strip() else DEFAULT_GROUP


def configuration_version(configuration: Configuration) -> str:
    """A short id that is stable while the configuration is unchanged and changes with any edit
    (the id alone would not: HoneyHive keeps it across edits, and the log must tell them apart)."""
    content = json.dumps(
        {
            "id": configuration.id,
            "provider": configuration.provider,
            "parameters": configuration.parameters.model_dump(mode="json"),
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(content.encode()).hexdigest()[:10]


def _template_parts(configuration: Configuration) -> list[tuple[str, str]]:
    """(role, content) of each message; a completion template is one user message."""
    template = configuration.parameters.template
    if template is None:
        return []
    if isinstance(template, str):
        return [("user", template)]
    return [(message.role, message.content) for message in template]


def template_text(configuration: Configuration) -> str:
    """The template as one text: a completion string as it is, chat messages one per line."""
    template = configuration.parameters.template
    if isinstance(template, str):
        return template
    return "\n".join(f"{role}: {content}" for role, content in _template_parts(configuration))


def configuration_variables(configuration: Configuration) -> list[str]:
    """The placeholders of every message, in order of first appearance."""
    found: dict[str, None] = {}
    for _, content in _template_parts(configuration):
        for name in template_variables(content):
            found.setdefault(name, None)
    return list(found)


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def configuration_prompt(configuration: Configuration, environment: str) -> Prompt:
    """The configuration as the studio's ``Prompt`` (its id and environments ride along as extras)."""
    moments = {
        key: moment
        for key, moment in (
            ("created_at", _moment(configuration.created_at)),
            ("updated_at", _moment(configuration.updated_at)),
        )
        if moment is not None
    }
    # Validated from a dict: the extras (id, environments, call type) are not fields of ``Prompt``.
    return Prompt.model_validate(
        {
            "name": configuration.name,
            "version": configuration_version(configuration),
            "task": group_of(configuration),
            "text": template_text(configuration),
            "input_variables": configuration_variables(configuration),
            "model": configuration.parameters.model,
            "provider": configuration.provider or None,
            "hyperparameters": dict(configuration.parameters.hyperparameters),
            "is_deployed": environment in configuration.env,
            "configuration_id": configuration.id,
            "env": list(configuration.env),
            "call_type": configuration.parameters.call_type,
            **moments,
        }
    )


def tasks_of(configurations: list[Configuration], environment: str) -> list[Task]:
    """One ``Task`` per group, in the order the server listed them."""
    groups: dict[str, list[Prompt]] = {}
    for configuration in configurations:
        groups.setdefault(group_of(configuration), []).append(configuration_prompt(configuration, environment))
    return [Task(id=name, name=name, type="configurations", prompts=prompts) for name, prompts in groups.items()]


def choose_configuration(
    configurations: list[Configuration], task: str, prompts: list[str] | None, environment: str
) -> Configuration:
    """The named configuration of the group (by name, id or version), or the one deployed to
    ``environment``; ``NotFoundError`` saying what exists when there is none."""
    group = [c for c in configurations if group_of(c) == task]
    if not group:
        known = ", ".join(sorted({group_of(c) for c in configurations})) or "none"
        raise NotFoundError(
            f"No prompt configurations tagged {task!r} in this HoneyHive project; the groups are: {known}.",
            status_code=404,
        )
    if prompts:
        wanted = prompts[0]  # the task API's proxy also runs the first one named
        for configuration in group:
            if wanted in (configuration.name, configuration.id, configuration_version(configuration)):
                return configuration
        names = ", ".join(c.name for c in group)
        raise NotFoundError(
            f"Prompt {wanted!r} is not a configuration of {task!r}; its prompts: {names}.", status_code=404
        )
    deployed = [c for c in group if environment in c.env]
    if not deployed:
        raise NotDeployedError(
            f"No configuration of {task!r} is deployed to the {environment!r} environment. Deploy one in "
            f"HoneyHive (add {environment!r} to its environments), or pick a prompt variant to run.",
            status_code=404,
        )
    # HoneyHive deploys one configuration per environment; if a group still has several (another
    # group's tag added later), the most recently changed is the one people are looking at.
    return max(deployed, key=lambda c: c.updated_at or c.created_at or "")


def render_messages(configuration: Configuration, inputs: Mapping[str, Any]) -> list[dict[str, str]]:
    """The template filled with ``inputs`` (``{{name}}`` or ``{{ name }}``), as chat messages.

    A missing or blank variable is refused before any model is called, as the task API's proxy did.
    """
    variables = configuration_variables(configuration)
    missing = missing_variables(variables, inputs)
    if missing:
        raise ValidationError(
            f"Missing input variables for prompt {configuration.name!r}: {', '.join(missing)}; give a value for each.",
            status_code=422,
            fields=[f"input.{name}" for name in missing],
        )
    parts = _template_parts(configuration)
    if not parts:
        raise ValidationError(
            f"The configuration {configuration.name!r} has no template to run; add one in HoneyHive.",
            status_code=422,
            fields=["parameters.template"],
        )
    values = {name: str(inputs[name]) for name in variables}
    return [{"role": role, "content": render_template(content, values)} for role, content in parts]
