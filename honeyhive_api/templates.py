"""HoneyHive prompt templates: variables are written ``{{var}}``.

Shared by the emulator (which renders the deployed prompt) and the studio (which builds the
input form from a template's variables and validates it before sending).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# ``{{ name }}``: letters, digits, underscore, dash, dot; whitespace inside the braces is allowed.
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][\w.\-]*)\s*\}\}")


def template_variables(text: str) -> list[str]:
    """The variables of a template, in order of first appearance, without duplicates."""
    seen: dict[str, None] = {}
    for match in _VARIABLE.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)


def prompt_variables(text: str, declared: Iterable[str] | None = None) -> list[str]:
    """Variables of a prompt: the declared ``input_variables`` first, then any the text adds."""
    ordered: dict[str, None] = dict.fromkeys(declared or [])
    for name in template_variables(text):
        ordered.setdefault(name, None)
    return list(ordered)


def missing_variables(variables: Iterable[str], inputs: Mapping[str, object]) -> list[str]:
    """Variables with no value or only whitespace: what a form or the proxy must reject."""
    missing = []
    for name in variables:
        value = inputs.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(name)
    return missing


def render_template(text: str, inputs: Mapping[str, object]) -> str:
    """Fill ``{{var}}`` placeholders. Unknown placeholders raise ``KeyError`` naming the variable.

    Substitution is a single pass, so a value that itself contains ``{{x}}`` is not expanded again.
    """

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in inputs:
            raise KeyError(name)
        return str(inputs[name])

    return _VARIABLE.sub(substitute, text)
