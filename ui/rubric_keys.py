"""The review queue's keys under the active rubric: the line of help above the item, and the ``?``
overlay (a dialog) listing every key and what it does.

The overlay is opened by the ``?`` key (``toggle_overlay``, applied with the other keys before
anything is drawn) and closed by ``?`` again or by dismissing it; what it lists comes from
``hive_review.rubrics.keys``, so it always matches the keys the queue applies.
"""

from __future__ import annotations

import streamlit as st

from hive_review.rubrics.keys import key_list
from hive_review.rubrics.models import Rubric
from ui.state import REVIEW_QUEUE
from ui.text import plain

OVERLAY = REVIEW_QUEUE("keys_overlay")  # True while the overlay is open
DEFAULT_KEYS_HELP = (
    "**Keys:** `U`/`D` thumbs up/down · `1`-`5` stars · `N` complete and next · `S` skip · "
    "`B` back · `Ctrl+Enter` submit the rating without moving on · `?` every key."
)


def toggle_overlay() -> None:
    st.session_state[OVERLAY] = not st.session_state.get(OVERLAY, False)


def _closed() -> None:
    st.session_state[OVERLAY] = False


def render_keys_help(rubric: Rubric) -> None:
    """One line about the keys (the default rubric's as always), and the overlay when it is open."""
    if rubric.is_default:
        st.markdown(DEFAULT_KEYS_HELP)
    else:
        rating = " · ".join(f"`{key}` {plain(says)}" for key, says in key_list(rubric)[:3])
        st.markdown(f"**Keys** (rubric {plain(rubric.name)}): {rating} … · `?` every key.")
    if st.session_state.get(OVERLAY):
        _overlay(rubric)


@st.dialog("Keys", on_dismiss=_closed, width="medium")
def _overlay(rubric: Rubric) -> None:
    st.caption("Every key of the review queue; press ? again (or Esc) to close.")
    # Text, not Markdown: value names and descriptions are the rubric author's.
    st.text("\n".join(f"{key:<11} {says}" for key, says in key_list(rubric)))
