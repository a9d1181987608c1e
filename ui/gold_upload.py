"""The gold upload: a lead adds items with known verdicts, which "Share with the team" then mixes
into new shared queues unannounced (``hive_review.quality``)."""

from __future__ import annotations

import streamlit as st

from hive_review.quality.gold_mix import DEFAULT_EVERY
from hive_review.quality.gold_store import add_gold_items, all_gold_items
from hive_review.quality.gold_upload import read_gold_file
from hive_review.runs.uploads import UploadError
from ui.context import Studio
from ui.quality_keys import GOLD
from ui.text import code, plain

FORMAT_HELP = (
    "CSV or JSONL, one item per row: `completion`; at least one of `expected_thumbs` (up / down), "
    "`expected_stars` (4, or a range 4-5) and `expected_labels` (a, b), or of any other dimension of the active "
    "rubric as `expected_<dimension>` (a scale: 4 or 4-5; a categorical: one of its values; pass/fail: pass or "
    "fail), or all of them in an `expected` JSON object; text dimensions cannot be expected. Inputs as "
    "`input.<variable>` columns or an "
    "`inputs` JSON object; optional `task`, `prompt_name`, `prompt_version`, `model`: what the item shows while "
    "reviewed (give those of the queues it goes into, so nothing tells it apart)."
)
RULE_HELP = (
    "A review of a gold item is right when every expected value the file gives matches: the same thumbs, stars "
    "inside the expected range, every expected label chosen (extra labels are fine), and each expected rubric "
    "dimension given: a scale inside its range, a category or pass/fail equal."
)


def render_gold_upload(studio: Studio) -> None:
    """The "Gold items" section: the pool, and the upload that adds to it."""
    st.subheader("Gold items")
    pool = all_gold_items(studio.stores.database)
    sets = len({item.gold_set for item in pool})
    st.caption(
        f'The gold pool holds {len(pool):,} item(s) from {sets:,} upload(s). "Share with the team" on the Review '
        f"queue mixes them into a new shared queue, one item in {DEFAULT_EVERY} by default, unannounced. "
        f"{RULE_HELP} Their ratings are never sent to HoneyHive."
    )
    uploaded = st.file_uploader("Gold file (CSV or JSONL)", type=["csv", "jsonl"], key=GOLD.file, help=FORMAT_HELP)
    st.text_input(
        "Task shown with these items",
        key=GOLD.task,
        help="For rows whose file has no `task` column: the task of the queues they go into.",
    )
    if uploaded is None:
        return
    try:
        rows = read_gold_file(uploaded.getvalue(), uploaded.name, studio.stores.rubrics.active())
    except UploadError as exc:  # names the rows, the columns and the fix
        st.error(plain(exc), icon=":material/rule:")
        return
    added: set[str] = st.session_state.setdefault(GOLD.added, set())
    if uploaded.file_id in added:
        st.success(f"{len(rows):,} gold items of {code(uploaded.name)} added to the pool.", icon=":material/check:")
        return
    st.caption(f"{len(rows):,} gold items read from {code(uploaded.name)}.")
    if st.button(f"Add {len(rows):,} gold items", key=GOLD.add, icon=":material/verified:"):
        try:
            add_gold_items(
                studio.stores.database, studio.log, rows, gold_set=uploaded.name, uploaded_by=studio.reviewer,
                task=str(st.session_state.get(GOLD.task) or ""),
            )  # fmt: skip
        except ValueError as exc:  # no task named, or no reviewer id: the message says what to do
            st.error(plain(exc), icon=":material/rule:")
            return
        added.add(uploaded.file_id)
        st.rerun()  # the pool's count above includes them now
