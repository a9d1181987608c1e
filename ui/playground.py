"""The Playground: pick a task, see its deployed prompt, fill the inputs, run, read, rate.

What the reviewer types is kept per task and reviewer in the store as it is typed, so a reload
brings it back (as an unsent rating comes back through the rating form).

Each completion names the model that answered beside the one the prompt configures: an endpoint
(the local emulator's Gemma, a model override) may answer for a prompt that names another.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from hive_review.drafts import input_scope
from hive_review.log import columns as col
from hive_review.log.entries import RunContext, entry_from_generation
from hive_review.ports import reviewer_properties
from hive_review.runs.inputs import input_problems
from honeyhive_api import HoneyHiveError, Prompt
from honeyhive_api.templates import prompt_variables
from ui.compare_completion import render_run_details
from ui.completion_context import render_cut_off_mark
from ui.completion_view import render_completion, stream_completion
from ui.context import Studio
from ui.pickers import pick_task_and_prompts, variant_label
from ui.rating_form import render_rating_form
from ui.state import PLAYGROUND
from ui.text import code, plain

# How many of this session's runs stay on the page; older ones are on the Session log page.
RECENT_RUNS_SHOWN = 5


def render_playground(studio: Studio) -> None:
    st.title("Playground")
    picked = pick_task_and_prompts(studio, PLAYGROUND)
    if picked is None:
        return
    task, prompts = picked
    prompt = _pick_variant(task, prompts, studio.environment)
    recent = _recent_rows(studio)
    answered = next((row.get(col.MODEL) for row in recent if row.get(col.PROMPT_NAME) == prompt.name), None)
    _render_prompt(prompt, answered, studio.environment)
    variables = prompt_variables(prompt.text, prompt.input_variables)
    values = _input_form(studio, task, variables)
    if values is not None:
        problems = input_problems(variables, values)
        if problems:
            for problem in problems:  # they quote variable names, which come from HoneyHive
                st.error(plain(problem), icon=":material/edit_note:")
        else:
            _run(studio, task, prompt, values)
    _render_recent_runs(studio, recent)


def _pick_variant(task_name: str, prompts: list[Prompt], environment: str | None) -> Prompt:
    """The variant to run: the deployed one until the reviewer picks another; on the current API,
    the one deployed to the environment again whenever the environment changes."""
    deployed_index = next((i for i, p in enumerate(prompts) if p.is_deployed), 0)
    by_name = {p.name: p for p in prompts}
    names = list(by_name)
    key = PLAYGROUND.variant(task_name)
    picked_in = PLAYGROUND("variant_environment", task_name)  # the environment the choice was made in
    if st.session_state.get(key) not in names or st.session_state.get(picked_in) != environment:
        st.session_state[key] = names[deployed_index]
        st.session_state[picked_in] = environment
    chosen = st.selectbox(
        "Prompt variant",
        names,
        key=key,
        format_func=lambda name: variant_label(by_name[name]),
        help="The deployed prompt is what HoneyHive's proxy runs; pick another variant to try it."
        if environment is None
        else f"The configuration deployed to {environment} runs unless you pick another to try it.",
    )
    return by_name[chosen]


def _render_prompt(prompt: Prompt, answered: object, environment: str | None) -> None:
    """The prompt that runs: its messages, version, model, provider, environments (current API)
    and hyperparameters. Every value comes from HoneyHive, so each is shown as text."""
    if environment is None:  # the task API: one deployment per task
        title = "Deployed prompt" if prompt.is_deployed else "Prompt variant (not deployed)"
    else:
        where = plain(environment)
        title = f"Deployed prompt ({where})" if prompt.is_deployed else f"Prompt variant (not deployed to {where})"
    with st.expander(f"{title}: {plain(prompt.name)}", expanded=True):
        left, right = st.columns([3, 2])
        with left:
            st.code(prompt.text, language=None, wrap_lines=True)
        with right:
            lines = [f"**Version** {code(prompt.version or '—')}", f"**Model** {code(prompt.model)} configured"]
            if answered and answered != prompt.model:  # the latest run of this variant, listed below
                lines.append(f"**Answered by** {code(answered)} (its latest run)")
            if prompt.provider:
                lines.append(f"**Provider** {code(prompt.provider)}")
            deployed_to = _environments(prompt)
            if deployed_to is not None:
                lines.append(f"**Env** {code(', '.join(deployed_to)) if deployed_to else 'none (a saved variant)'}")
            st.markdown("  \n".join(lines))
            st.caption("Hyperparameters")
            st.json(prompt.hyperparameters, expanded=True)


def _environments(prompt: Prompt) -> list[str] | None:
    """The environments a configuration is deployed to (an extra field of the current API's
    prompts); ``None`` for a task API prompt, which has none."""
    env = (prompt.model_extra or {}).get("env")
    return [str(name) for name in env] if isinstance(env, list) else None


def _input_form(studio: Studio, task_name: str, variables: list[str]) -> dict[str, str] | None:
    """The inputs as typed, when Run was pressed; ``None`` otherwise.

    Values are kept per task in session state (not only in widgets, which Streamlit forgets when
    the page is left), so a failed run or a trip to another page keeps what the reviewer typed;
    and in the store, per reviewer, on every change, so a browser reload (a new session) brings
    them back. Not a ``st.form``: a form sends nothing until it is submitted, so text typed but not
    run would be lost on a reload.
    """
    saved = _saved_inputs(studio, task_name)
    for name in variables:
        st.session_state.setdefault(PLAYGROUND.input(task_name, name), saved.get(name, ""))
    with st.container(border=True):
        if not variables:
            st.caption("This prompt has no input variables: Run sends it as it is.")
        for name in variables:
            key = PLAYGROUND.input(task_name, name)
            st.text_area(plain(name), key=key, height=80, on_change=_save_input, args=(studio, task_name, name))
        pressed = st.button("Run", key=PLAYGROUND("run", task_name), type="primary", icon=":material/play_arrow:")
    if not pressed:
        return None
    values = {name: st.session_state.get(PLAYGROUND.input(task_name, name)) or "" for name in variables}
    if any(saved.get(name, "") != value for name, value in values.items()):
        saved.update(values)
        studio.stores.drafts.save_inputs(studio.reviewer, _scope(task_name), saved)
    return values


def _scope(task_name: str) -> str:
    """Where the store keeps this task's typed inputs (per reviewer): the Playground's inputs are
    the task's, whichever variant runs them."""
    return input_scope("playground", task_name)


def _saved_inputs(studio: Studio, task_name: str) -> dict[str, str]:
    """What the reviewer typed for this task: this session's, else (first time in the session)
    what the store kept from the last one."""
    key = PLAYGROUND.saved_inputs(task_name)
    if key not in st.session_state:
        st.session_state[key] = studio.stores.drafts.inputs(studio.reviewer, _scope(task_name)) or {}
    saved: dict[str, str] = st.session_state[key]
    return saved


def _save_input(studio: Studio, task_name: str, name: str) -> None:
    """A text area's change: kept for this session and, for the next one, in the store."""
    value = st.session_state.get(PLAYGROUND.input(task_name, name)) or ""
    saved = _saved_inputs(studio, task_name)  # in session state already: the form read it
    saved[name] = value
    studio.stores.drafts.save_inputs(studio.reviewer, _scope(task_name), saved)


def _run(studio: Studio, task_name: str, prompt: Prompt, values: dict[str, str]) -> None:
    variant = None if prompt.is_deployed else [prompt.name]
    with st.container(border=True):
        st.caption(f"Running {code(prompt.name)} on HoneyHive…")
        try:
            with studio.client.generate_stream(
                task_name,
                values,
                prompts=variant,
                user_properties=reviewer_properties(studio.reviewer),
                source=studio.source,
            ) as stream:
                stream_completion(stream)
            generation = stream.generation
        except HoneyHiveError as exc:
            st.error(f"**The generation failed.** {plain(exc.message)}  \nYour inputs are kept; run again when ready.")
            return
    if generation is None:
        st.error("The generation ended without a result. Your inputs are kept; run again.")
        return
    context = RunContext(
        session_id=studio.session.id,
        reviewer=studio.reviewer,
        task=task_name,
        origin="playground",
        source=studio.source,
    )
    studio.log.add_entry(entry_from_generation(generation, context, inputs=values, prompt_name=prompt.name))
    st.rerun()  # draw the new run with its rating form, in its place among the recent runs


def _recent_rows(studio: Studio) -> list[dict[str, Any]]:
    # From the store, not from session state: a browser reload or a restart keeps them on the page.
    run_ids = studio.log.recent_generation_ids(studio.session.id, origin="playground", limit=RECENT_RUNS_SHOWN)
    return [row for row in map(studio.log.get_entry, run_ids) if row is not None]


def _configured_model(studio: Studio, task: str, prompt_name: object) -> str | None:
    """The model the run's prompt configures (``None`` when HoneyHive cannot say now)."""
    try:
        prompts = studio.prompts(task)
    except HoneyHiveError:
        return None  # the completion still shows the model that answered
    return next((prompt.model for prompt in prompts if prompt.name == prompt_name), None)


def _render_recent_runs(studio: Studio, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    st.subheader("Completions")
    st.toggle(
        "Markdown view",
        key=PLAYGROUND.markdown_view,
        help="Render completions as Markdown, with images and unsafe links removed. Off: plain text.",
    )
    markdown = bool(st.session_state.get(PLAYGROUND.markdown_view))
    for row in rows:
        _render_run(studio, row, markdown=markdown)


def _render_run(studio: Studio, row: dict[str, Any], *, markdown: bool) -> None:
    with st.container(border=True):
        inputs = json.loads(row.get(col.INPUTS_JSON) or "{}")
        summary = ", ".join(f"{k}={v[:40]!r}" for k, v in inputs.items()) or "no inputs"
        variant = plain(row.get(col.PROMPT_NAME) or row.get(col.PROMPT_VERSION))
        st.markdown(f"**{plain(row.get(col.TASK))}** · {variant}")
        st.caption(plain(summary.replace("\n", " ")))
        render_cut_off_mark(studio, row)
        render_completion(str(row.get(col.COMPLETION) or ""), markdown=markdown)
        configured = _configured_model(studio, str(row.get(col.TASK) or ""), row.get(col.PROMPT_NAME))
        render_run_details(row, configured_model=configured)
        render_rating_form(studio, row)
