"""Compare side by side: the same inputs on 2-4 variants, run in the background, each answer ratable.

Every run started is logged even when the page is left mid-run, and the session's latest
comparisons of the task are drawn from the store, with their inputs, whenever the page is opened.
"""

from __future__ import annotations

from typing import Final

import streamlit as st

from hive_review.compare.comparison_store import DONE, FAILED, QUEUED, Comparison
from hive_review.compare.comparisons import MAX_VARIANTS, MIN_VARIANTS
from hive_review.log import columns as col
from honeyhive_api import Prompt
from ui.compare_completion import render_run_details, render_waiting_notice
from ui.compare_form import inputs_form, inputs_summary
from ui.compare_runs import SIDE_BY_SIDE_CONCURRENCY, comparison_runners, render_set_state, start_set
from ui.completion_context import render_cut_off_mark
from ui.completion_view import render_completion
from ui.context import Studio
from ui.pickers import variant_label
from ui.rating_form import render_rating_form
from ui.state import COMPARE
from ui.text import plain

# The newest comparison is drawn in full; the ones before it, folded, below it.
EARLIER_SHOWN: Final = 3
TYPED: Final = "typed inputs"


def render_side_by_side(studio: Studio, task: str, by_name: dict[str, Prompt]) -> None:
    names = list(by_name)
    chosen = st.multiselect(
        "Variants (2-4)",
        names,
        default=names[:MAX_VARIANTS],
        max_selections=MAX_VARIANTS,
        format_func=lambda name: variant_label(by_name[name]),
        key=COMPARE.variants(task),
    )
    store = studio.stores.comparisons
    sets = store.sets(studio.session.id, task, "side", limit=EARLIER_SHOWN + 1)
    latest = [store.set_comparisons(found.id)[0] for found in sets]
    if len(chosen) < MIN_VARIANTS:
        st.warning("Choose at least two variants to compare.")
    else:
        prompts = [by_name[name] for name in chosen]
        saved = latest[0].inputs if latest else {}
        inputs = inputs_form(task, prompts, COMPARE.SIDE_BY_SIDE_FORM, f"Run {len(prompts)} variants", saved)
        if inputs is not None:
            set_id = start_set(studio, task, "side", [inputs], prompts, label=TYPED)
            latest = [store.set_comparisons(set_id)[0], *latest[:EARLIER_SHOWN]]
    if not latest:
        return
    _render_comparison(studio, latest[0], by_name)
    for earlier in latest[1:]:
        with st.expander(f"Earlier: {plain(inputs_summary(earlier.inputs))} · {earlier.created_at[:19]} UTC"):
            _render_comparison(studio, earlier, by_name, follow=False)


def _render_comparison(
    studio: Studio, comparison: Comparison, by_name: dict[str, Prompt], *, follow: bool = True
) -> None:
    st.caption(f"Inputs: {plain(inputs_summary(comparison.inputs))}")
    if follow and studio.emulator is not None and studio.emulator.provider == "local":
        st.caption(
            ":material/hourglass_top: The local emulator's model answers one request at a time: these variants "
            "run one after another, and the times shown are each one's own, not its wait."
        )
    rows = {run.id: studio.log.get_entry(run.generation_id) for run in comparison.runs if run.generation_id}
    render_waiting_notice(row.get(col.WAIT_MS) for row in rows.values() if row)
    if follow:
        render_set_state(studio, comparison.set_id, [comparison], concurrency=SIDE_BY_SIDE_CONCURRENCY)
    alive = comparison_runners().running(comparison.set_id)
    columns = st.columns(len(comparison.runs))
    for column, run in zip(columns, comparison.runs, strict=True):
        with column:
            st.subheader(plain(run.variant))
            row = rows.get(run.id)
            if run.status == FAILED:
                st.error(f"This variant failed: {plain(run.error)}")
            elif run.status == DONE and row is not None:
                render_cut_off_mark(studio, row)
                render_completion(str(row.get(col.COMPLETION) or ""), markdown=False)
                prompt = by_name.get(run.variant)
                render_run_details(row, configured_model=prompt.model if prompt else None)
                render_rating_form(studio, row)
            elif not alive:
                st.caption(":material/block: Did not finish: the studio stopped while it ran.")
            else:
                waiting = "Waiting for its turn…" if run.status == QUEUED else "Running…"
                st.caption(f":material/progress_activity: {waiting}")
