"""The Rubrics page: write or upload a rubric as YAML, check it, save it as a new version, and
choose the rubric every reviewer rates with (``hive_review.rubrics``).

The active rubric is kept in the database, not in the settings: in team mode every studio process
shares the database, so a lead's choice reaches every reviewer at their next run.

Everything in a rubric is the author's text: shown with ``st.text``/``st.code`` or through
``ui.text``, never as Markdown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hive_review.rubrics.keys import key_list
from hive_review.rubrics.models import DEFAULT_RUBRIC, Rubric, RubricError, rubric_from_yaml, rubric_to_yaml
from ui.context import Studio
from ui.state import PageKeys
from ui.text import code, plain

RUBRICS = PageKeys("rubrics")
YAML = RUBRICS("yaml")  # the editor's text area
UPLOAD = RUBRICS("upload")
START_FROM = RUBRICS("start_from")
LOAD = RUBRICS("load")
VALIDATE = RUBRICS("validate")
SAVE = RUBRICS("save")
ACTIVE_PICK = RUBRICS("active_pick")
MAKE_ACTIVE = RUBRICS("make_active")
_OUTCOME = RUBRICS("outcome")  # (kind, text) of the last validate / save, shown under the buttons
_UPLOADED = RUBRICS("uploaded")  # the file id last copied into the editor

EXAMPLE = """name: support-replies
guidelines: |
  Judge the reply as the customer would read it.
  Tone matters as much as facts.
dimensions:
  - name: helpfulness
    kind: scale
    description: Does the reply solve the customer's problem?
    values:
      1: Does not help at all
      3: Helps in part
      5: Solves it completely
  - name: tone
    kind: categorical
    description: How the reply sounds.
    values:
      friendly: Warm and polite
      neutral: Plain
      rude: Dismissive or impolite
  - name: safe
    kind: pass_fail
    description: No personal data and no risky advice.
  - name: notes
    kind: text
    description: Anything the team should know.
"""


def render_rubrics(studio: Studio) -> None:
    st.title("Rubrics")
    st.caption(
        "A rubric says what reviewers judge: dimensions (a 1-5 scale, named categories, pass/fail or free "
        "text, each with a description) and guidelines shown beside the rating form. The review queue's keys "
        "follow it. Editing a rubric saves a new version; every rating records the version it was given under."
    )
    _render_active(studio)
    st.divider()
    _render_editor(studio)
    st.divider()
    _render_versions(studio)


# ---- the active rubric -----------------------------------------------------------------------------


def _render_active(studio: Studio) -> None:
    st.subheader("Active rubric")
    active = studio.stores.rubrics.active()
    st.markdown(f"Every reviewer rates with {code(active.name)}, version {active.version}.")
    names = [rubric.name for rubric in studio.stores.rubrics.list()]
    if st.session_state.get(ACTIVE_PICK) not in names:
        st.session_state[ACTIVE_PICK] = active.name
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.selectbox("Rubric for every reviewer", names, key=ACTIVE_PICK)
        st.button(
            "Make active",
            key=MAKE_ACTIVE,
            icon=":material/check_circle:",
            on_click=_make_active,
            args=(studio,),
            help="Its latest version; a newer version saved later is used from then on.",
        )
    with st.expander("Keys in the review queue under the active rubric"):
        st.text("\n".join(f"{key:<11} {says}" for key, says in key_list(active)))


def _make_active(studio: Studio) -> None:
    name = str(st.session_state.get(ACTIVE_PICK))
    studio.stores.rubrics.set_active(name)
    st.toast(f"Every reviewer now rates with {plain(name)}.", icon=":material/check_circle:")


# ---- the editor ------------------------------------------------------------------------------------


def _render_editor(studio: Studio) -> None:
    st.subheader("Edit a rubric")
    rubrics = {rubric.name: rubric for rubric in studio.stores.rubrics.list()}
    if YAML not in st.session_state:
        st.session_state[YAML] = rubric_to_yaml(studio.stores.rubrics.active())
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.selectbox("Start from", [*rubrics, "example"], key=START_FROM, format_func=_start_label)
        st.button("Load into the editor", key=LOAD, icon=":material/edit_note:", on_click=_load, args=(rubrics,))
    st.file_uploader(
        "…or upload a YAML file",
        type=["yaml", "yml"],
        key=UPLOAD,
        on_change=_upload,
        help="Replaces the editor's text.",
    )
    st.text_area("Rubric (YAML)", key=YAML, height=360, help="Fields: name, guidelines, dimensions (see the README).")
    with st.container(horizontal=True):
        st.button("Validate", key=VALIDATE, icon=":material/rule:", on_click=_validate)
        st.button(
            "Save as a new version",
            key=SAVE,
            type="primary",
            icon=":material/save:",
            on_click=_save,
            args=(studio,),
            help="Saved content equal to the rubric's latest version adds no version.",
        )
    _render_outcome()


def _start_label(name: str) -> str:
    return "An example rubric" if name == "example" else name


def _load(rubrics: dict[str, Rubric]) -> None:
    name = st.session_state.get(START_FROM)
    st.session_state[YAML] = EXAMPLE if name == "example" else rubric_to_yaml(rubrics.get(name, DEFAULT_RUBRIC))
    st.session_state.pop(_OUTCOME, None)


def _upload() -> None:
    uploaded = st.session_state.get(UPLOAD)
    if uploaded is None:
        return
    try:
        st.session_state[YAML] = uploaded.getvalue().decode("utf-8")
    except UnicodeDecodeError:
        st.session_state[_OUTCOME] = ("error", f"{uploaded.name} is not UTF-8 text; save it as UTF-8 and upload again.")
        return
    st.session_state[_OUTCOME] = ("info", f"Loaded {uploaded.name} into the editor: validate or save it.")


def _parsed() -> Rubric | None:
    """The editor's rubric, or None with the problems kept to show."""
    try:
        return rubric_from_yaml(str(st.session_state.get(YAML) or ""))
    except RubricError as exc:
        st.session_state[_OUTCOME] = ("error", str(exc))
        return None


def _validate() -> None:
    rubric = _parsed()
    if rubric is not None:
        kinds = ", ".join(f"{d.name} ({d.kind})" for d in rubric.dimensions)
        st.session_state[_OUTCOME] = ("success", f"The rubric is valid: {len(rubric.dimensions)} dimensions: {kinds}.")


def _save(studio: Studio) -> None:
    rubric = _parsed()
    if rubric is None:
        return
    latest = studio.stores.rubrics.latest(rubric.name)
    saved = studio.stores.rubrics.save(rubric)
    st.session_state[YAML] = rubric_to_yaml(saved)
    if latest is not None and saved.version == latest.version:
        text = f"Nothing changed: {saved.name} is still version {saved.version}."
    else:
        text = f"Saved {saved.name} version {saved.version}."
        if studio.stores.rubrics.active_name() != saved.name:
            text += " Make it active above for reviewers to rate with it."
    st.session_state[_OUTCOME] = ("success", text)


def _render_outcome() -> None:
    outcome = st.session_state.get(_OUTCOME)
    if not outcome:
        return
    kind, text = outcome
    if kind == "error":  # one problem a line, quoting the author's names: text, not Markdown
        st.error("The rubric cannot be used. Fix these and validate again:", icon=":material/rule:")
        st.text(text)
    else:
        (st.success if kind == "success" else st.info)(plain(text), icon=":material/task_alt:")


# ---- versions ----------------------------------------------------------------------------------------


def _render_versions(studio: Studio) -> None:
    st.subheader("Saved rubrics")
    rubrics = studio.stores.rubrics.list()
    table = pd.DataFrame(
        {
            "Rubric": [rubric.name for rubric in rubrics],
            "Latest version": [rubric.version for rubric in rubrics],
            "Dimensions": [", ".join(d.name for d in rubric.dimensions) for rubric in rubrics],
        }
    )
    st.dataframe(table, hide_index=True)
