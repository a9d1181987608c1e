"""Strings from a server or a file, put where Streamlit renders Markdown: the one way pages do it.

Streamlit renders Markdown in far more places than ``st.markdown``: ``st.caption``, ``st.title``,
``st.subheader``, the alerts (``st.error``, ``st.warning``, ``st.info``, ``st.success``),
``st.toast``, the text of ``st.progress`` and ``st.spinner``, expander and tab labels, every
widget's label, button labels, and the options of ``st.radio``, ``st.segmented_control`` and
``st.pills``. An image written there is fetched by the browser as soon as it is drawn. So a task,
prompt or variable name, a model name, an error message or a file name goes into these only
through ``plain`` (shown as typed) or ``code`` (shown as typed, in a code span).

The options of ``st.selectbox`` and ``st.multiselect`` are drawn as text (checked in chromium with
Streamlit 1.67): they take a value as it is, since escaping would show the backslashes.

Model output is not shown through here: see ``ui.completion_view``.
"""

from __future__ import annotations

from hive_review.safe_text import markdown_code_span, markdown_literal


def plain(value: object) -> str:
    """``value`` as Markdown that shows exactly its characters: no formatting, link or image."""
    return markdown_literal(str(value))


def code(value: object) -> str:
    """``value`` as an inline code span; an empty value shows as a dash."""
    return markdown_code_span(str(value)) or "—"
