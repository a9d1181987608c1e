"""Where a blind A/B set's inputs come from: a batch of this session, or an uploaded CSV/JSONL file
(the same reader and column mapping as the Batch page)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import streamlit as st

from hive_review.compare.input_sets import MAX_PAIRS, rows_from_batch, rows_from_table
from hive_review.runs.batch_store import Batch
from hive_review.runs.upload_rows import map_columns
from hive_review.runs.uploads import MAX_ROWS, MAX_UPLOAD_BYTES, UploadError, read_table
from ui.context import Studio
from ui.state import COMPARE
from ui.text import code, plain

FROM_FILE: Final = "A file (CSV or JSONL)"
FROM_BATCH: Final = "A batch of this session"
ORIGIN = COMPARE("blind", "set", "origin")
FILE = COMPARE("blind", "set", "file")
BATCH = COMPARE("blind", "set", "batch")
GENERATE = COMPARE("blind", "set", "generate")


def pick_input_set(studio: Studio, task: str, variables: Sequence[str]) -> tuple[list[dict[str, str]], str] | None:
    """The rows and a name for them, once the reviewer asked for their pairs; ``None`` before."""
    origin = st.radio("Inputs from", [FROM_FILE, FROM_BATCH], horizontal=True, key=ORIGIN)
    try:
        found = _from_batch(studio, task, variables) if origin == FROM_BATCH else _from_file(variables)
    except UploadError as problem:  # it quotes the file's name and columns, or the batch's values
        st.error(plain(problem), icon=":material/rule:")
        return None
    if found is None:
        return None
    rows, label = found
    st.caption(f"{len(rows):,} rows from {code(label)}: one pair each, made in the background.")
    pairs = f"{len(rows):,} pair{'s' if len(rows) != 1 else ''}"
    if st.button(f"Generate {pairs}", key=GENERATE, type="primary", icon=":material/compare_arrows:"):
        return rows, label
    return None


def _from_file(variables: Sequence[str]) -> tuple[list[dict[str, str]], str] | None:
    uploaded = st.file_uploader(
        "Inputs file",
        type=["csv", "jsonl"],
        key=FILE,
        help=f"One row of inputs per pair; columns named like the variables map themselves. Up to {MAX_PAIRS:,} "
        f"rows here ({MAX_ROWS:,} and {MAX_UPLOAD_BYTES // (1024 * 1024)} MB for any upload).",
    )
    if uploaded is None:
        return None
    table = read_table(uploaded.getvalue(), uploaded.name)
    guessed = map_columns(list(table.columns), variables)
    mapping: dict[str, str | None] = {}
    columns = st.columns(max(1, min(4, len(variables))))
    for index, variable in enumerate(variables):
        options = [None, *table.columns]
        mapping[variable] = columns[index % len(columns)].selectbox(
            code(variable),
            options,
            index=options.index(guessed[variable]) if guessed[variable] in options else 0,
            format_func=lambda column: "— choose a column —" if column is None else str(column),
            key=COMPARE("blind", "set", "map", variable),
        )
    return rows_from_table(table, mapping, variables, uploaded.name), uploaded.name


def _from_batch(studio: Studio, task: str, variables: Sequence[str]) -> tuple[list[dict[str, str]], str] | None:
    batches = [batch for batch in studio.stores.batches.list_batches(studio.session.id) if batch.task == task]
    if not batches:
        st.info("No batch of this task in this session yet: run one on the Batch page, or upload a file.")
        return None
    by_id = {batch.id: batch for batch in batches}
    chosen = st.selectbox("Batch", list(by_id), format_func=lambda batch_id: _label(by_id[batch_id]), key=BATCH)
    return rows_from_batch(studio.stores.batches.input_rows(chosen), variables, chosen), f"batch {chosen}"


def _label(batch: Batch) -> str:
    return f"{batch.created_at:%Y-%m-%d %H:%M} UTC · {batch.id}"
