"""The inputs form of the Compare page (side by side, and a blind pair typed by hand)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from hive_review.runs.inputs import input_problems, variables_of
from honeyhive_api import Prompt
from ui.state import COMPARE
from ui.text import plain

# How much of each input a one-line summary of a comparison shows.
SUMMARY_CHARS = 40


def inputs_form(
    task: str, prompts: Sequence[Prompt], form: str, label: str, saved: Mapping[str, str]
) -> dict[str, str] | None:
    """The inputs as typed, when the button was pressed; ``None`` otherwise.

    ``saved`` fills fields the session has no value for: Streamlit forgets a widget's value once
    its page is left, so the inputs of the last comparison come back from the store.
    """
    variables = variables_of(prompts)
    for name in variables:
        st.session_state.setdefault(COMPARE.input(form, task, name), saved.get(name, ""))
    with st.form(COMPARE.form(form, task)):
        for name in variables:
            st.text_area(plain(name), key=COMPARE.input(form, task, name), height=68)
        pressed = st.form_submit_button(label, type="primary", icon=":material/compare_arrows:")
    if not pressed:
        return None
    values = {name: st.session_state.get(COMPARE.input(form, task, name)) or "" for name in variables}
    problems = input_problems(variables, values)
    for problem in problems:  # they quote variable names, which come from HoneyHive
        st.error(plain(problem), icon=":material/edit_note:")
    return None if problems else values


def inputs_summary(inputs: Mapping[str, str]) -> str:
    """``topic='the office move', tone='calm'`` on one line (to be shown through ``plain``)."""
    parts = [f"{name}={value[:SUMMARY_CHARS]!r}" for name, value in inputs.items()]
    return (", ".join(parts) or "no inputs").replace("\n", " ")


def render_inputs(inputs: Mapping[str, str]) -> None:
    """Every input of a comparison in full, as text: what the answers below were written for."""
    with st.container(border=True):
        st.caption("Inputs")
        for name, value in inputs.items():
            # Escaped line by line; the line breaks are kept (a paragraph cannot turn into code or a list).
            st.markdown(f"**{plain(name)}**: " + "  \n".join(plain(line) for line in value.splitlines()))
