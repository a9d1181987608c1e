"""The rating form's parts for a rubric other than the default (``ui.rating_form`` draws the form
around them): the guidelines, and each dimension's widget by its kind, with its description and
each value's as help. A dimension named like one of the form's own parts (thumbs, stars, labels,
comment, ideal_answer) is drawn as that part; any other is the draft part ``dimension_part(name)``.

Names, descriptions and guidelines are the rubric author's text: widget labels and help render
Markdown, so they go through ``plain``; the guidelines are shown with ``st.text``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import streamlit as st

from hive_review.rubrics.models import PASS_FAIL_VALUES, Dimension, Rubric, dimension_part
from ui.text import code, plain

# A rubric's dimension named like one of the form's own parts is drawn as that part.
BUILTIN_PARTS = {
    "thumbs": "thumbs",
    "stars": "stars",
    "labels": "labels",
    "comment": "comment",
    "ideal_answer": "ideal",
}


def part_of(dimension: Dimension) -> str:
    """The draft part that holds a dimension's value."""
    return BUILTIN_PARTS.get(dimension.name) or dimension_part(dimension.name)


def render_guidelines(rubric: Rubric) -> None:
    st.caption(f"Rubric {code(rubric.name)} · version {rubric.version}")
    if rubric.guidelines.strip():
        with st.expander("Guidelines", expanded=True, icon=":material/menu_book:"):
            st.text(rubric.guidelines)  # the lead's text, shown as it is


def form_parts(rubric: Rubric) -> list[str]:
    """The draft parts the form draws under this rubric (the default rubric: ``PARTS``)."""
    return [part_of(d) for d in rubric.dimensions]


def fits(dimension: Dimension, value: Any) -> bool:
    """Whether a dimension's widget can hold ``value`` (None always fits)."""
    if value is None:
        return True
    if dimension.kind == "scale":
        return isinstance(value, int) and value in range(5)
    if dimension.kind == "pass_fail":
        return value in PASS_FAIL_VALUES
    if dimension.kind == "categorical":
        return value in dimension.values
    return isinstance(value, str)


def label_options(rubric: Rubric, settings_labels: Iterable[str]) -> list[str]:
    """The labels to pick from: the rubric's, else the settings' (the default rubric lists none)."""
    labels = rubric.dimension("labels")
    return list(labels.values) if labels is not None and labels.values else list(settings_labels)


def render_dimension(dimension: Dimension, options: list[str], widget: Mapping[str, Any]) -> None:
    """One dimension's widget (``widget``: its key and change callback), its description as help."""
    described = _help(dimension)
    if dimension.kind == "text":
        st.text_area(plain(dimension.name), height=68, help=described, **widget)
    elif dimension.name == "thumbs":
        st.caption("Thumbs", help=described)
        st.feedback("thumbs", **widget)
    elif dimension.kind == "scale":
        st.caption(plain(dimension.name), help=described)
        st.feedback("stars", **widget)
    elif dimension.name == "labels":
        st.multiselect("Labels", options, help=described, **widget)
    elif dimension.kind == "pass_fail":
        st.segmented_control(
            plain(dimension.name), list(PASS_FAIL_VALUES), help=described, format_func=str.title, **widget
        )
    else:
        st.pills(plain(dimension.name), list(dimension.values), help=described, format_func=plain, **widget)


def _help(dimension: Dimension) -> str | None:
    lines = [plain(dimension.description)] if dimension.description.strip() else []
    lines.extend(
        f"- {plain(value)}: {plain(meaning)}" for value, meaning in dimension.values.items() if meaning.strip()
    )
    return "\n".join(lines) or None
