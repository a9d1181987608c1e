"""What produced a completion, shown above it wherever it is rated: the task, the prompt (its
variant; version and model are on ``render_metadata``'s line below the completion), the inputs,
the prompt's messages, and a mark when the answer stopped at the token limit.

Names go into Markdown only through ``ui.text``; input values and prompt messages (text from a
file, a reviewer or a production user) are drawn with ``st.text``, which renders no Markdown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from hive_review.log import columns as col
from hive_review.missing import is_missing
from hive_review.production import EventDetails
from honeyhive_api import HoneyHiveError, Prompt
from ui.context import Studio
from ui.text import code, plain

# Past this many characters an input is folded into an expander, so the completion stays in view.
LONG_INPUT_CHARS = 600


@dataclass(frozen=True)
class Producer:
    """The prompt behind a completion, as far as it is known."""

    messages: tuple[tuple[str, str], ...] = ()  # (role, text): a template, or what the model was sent
    max_tokens: int | None = None
    finish_reason: str | None = None


def producer_of(studio: Studio, row: Mapping[str, Any], details: EventDetails | None = None) -> Producer:
    """From a production event's details, else from the task's prompts (the one the row names)."""
    if details is not None:
        return Producer(details.messages, details.max_tokens, details.finish_reason)
    prompt = _prompt_of(studio, row)
    reason = row.get("finish_reason")  # a column the log may carry one day
    if prompt is None:
        return Producer(finish_reason=str(reason) if reason else None)
    hyperparameters = prompt.hyperparameters or {}
    return Producer(
        messages=(("template", prompt.text),) if prompt.text else (),
        max_tokens=_int(hyperparameters.get("max_tokens")),
        finish_reason=str(reason) if reason else None,
    )


def _prompt_of(studio: Studio, row: Mapping[str, Any]) -> Prompt | None:
    task = row.get(col.TASK)
    if not task:
        return None
    try:
        prompts = studio.prompts(str(task))
    except HoneyHiveError:  # an ingested task HoneyHive does not know: nothing more to show
        return None
    name, version = row.get(col.PROMPT_NAME), row.get(col.PROMPT_VERSION)
    by_name = [p for p in prompts if name and p.name == name]
    by_version = [p for p in prompts if version and p.version == str(version)]
    return next(iter(by_name or by_version), None)


def is_cut_off(row: Mapping[str, Any], producer: Producer) -> bool:
    """The answer stopped at the limit: ``finish_reason`` says ``length``, or it used every token
    ``max_tokens`` allowed."""
    if producer.finish_reason == "length":
        return True
    tokens = _int(row.get(col.COMPLETION_TOKENS))
    return tokens is not None and producer.max_tokens is not None and tokens >= producer.max_tokens


def render_context(
    studio: Studio,
    row: Mapping[str, Any],
    *,
    details: EventDetails | None = None,
    hide_prompt: bool = False,
) -> None:
    """The lines above a completion. ``hide_prompt`` keeps the prompt's identity for a blind vote."""
    producer = producer_of(studio, row, details)
    # The version and the model that answered are on the metadata line (``render_metadata``).
    parts = [f"**Task** {code(row.get(col.TASK) or '—')}"]
    if not hide_prompt:
        parts.append(f"**Prompt** {code(row.get(col.PROMPT_NAME) or '—')}")
    if details is not None and not hide_prompt:  # an event is named after its configuration
        parts.append(f"**Event** {code(details.event_name or '—')}")
    st.caption(" · ".join(parts))
    _render_cut_off(row, producer)
    _render_inputs(_inputs_of(row))
    if producer.messages and not hide_prompt:
        with st.expander("Prompt", icon=":material/description:"):
            for role, text in producer.messages:
                st.caption(code(role))
                st.text(text)
    if details is not None and not hide_prompt:
        with st.expander("Configuration and metadata", icon=":material/tune:"):
            # st.json shows every string as text; the template is already under "Prompt".
            st.json({key: value for key, value in details.config.items() if key != "template"}, expanded=1)
            st.json(dict(details.metadata), expanded=1)


def render_cut_off_mark(studio: Studio, row: Mapping[str, Any]) -> None:
    """The "cut off at max tokens" mark alone, for pages that show the rest of a run their own way
    (the Playground, Compare)."""
    _render_cut_off(row, producer_of(studio, row))


def cut_off_count(studio: Studio, rows: Iterable[Mapping[str, Any]]) -> int:
    """How many of ``rows`` stopped at their prompt's token limit (a batch's rows share a few prompts:
    each is looked up once)."""
    producers: dict[tuple[Any, ...], Producer] = {}
    count = 0
    for row in rows:
        key = tuple(row.get(name) for name in (col.TASK, col.PROMPT_NAME, col.PROMPT_VERSION, "finish_reason"))
        if key not in producers:
            producers[key] = producer_of(studio, row)
        count += is_cut_off(row, producers[key])
    return count


def _render_cut_off(row: Mapping[str, Any], producer: Producer) -> None:
    if is_cut_off(row, producer):
        limit = f" ({producer.max_tokens:,} tokens)" if producer.max_tokens else ""
        st.badge(f"Cut off at max tokens{limit}", icon=":material/content_cut:", color="orange")


def _inputs_of(row: Mapping[str, Any]) -> dict[str, str]:
    try:
        inputs = json.loads(row.get(col.INPUTS_JSON) or "{}")
    except (TypeError, ValueError):
        inputs = {}
    if not isinstance(inputs, dict):
        inputs = {}
    for name, value in row.items():  # a frame's row has the inputs as ``input.<name>`` columns
        if isinstance(name, str) and name.startswith(col.INPUT_PREFIX) and _present(value):
            inputs.setdefault(name.removeprefix(col.INPUT_PREFIX), value)
    return {str(name): str(value) for name, value in inputs.items() if _present(value)}


def _render_inputs(inputs: Mapping[str, str]) -> None:
    if not inputs:
        st.caption("No inputs recorded.")
        return
    st.caption("**Inputs**")
    for name, value in inputs.items():
        if len(value) > LONG_INPUT_CHARS:
            with st.expander(f"{plain(name)} ({len(value):,} characters)"):
                st.text(value)
            continue
        label, text = st.columns([1, 4])
        label.caption(code(name))
        text.text(value)


def _present(value: Any) -> bool:
    return not is_missing(value) and value != ""  # an empty input shows as no input


def _int(value: Any) -> int | None:
    try:
        return int(value) if _present(value) and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None
