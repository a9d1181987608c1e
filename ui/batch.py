"""The Batch page: upload inputs, map columns to the template's variables, run them against the
deployed or chosen variants with bounded concurrency, and follow the progress live.

The batch last started (or chosen) is shown first, above the form: its progress while it runs,
then "Review these N results", which opens the review queue on it (``ui/batch_results.py``: the
results, their times and the stability of repeats). Start stays disabled while the
same runs are in progress, so a second click does not double them.

The run happens on a background thread owned by the server process (``services.batch_runners``):
the reviewer can leave the page and come back; an unfinished batch (cancelled, or cut off by a
restart) resumes where it stopped. Results land in the session log.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hive_review.runs.batch import BatchRunner, batch_signature, batch_source, stored_batch_signature
from hive_review.runs.batch_store import DEPLOYED, DONE, FAILED, QUEUED, RETRYING, RUNNING, UNFINISHED
from hive_review.runs.inputs import variables_of
from hive_review.runs.upload_rows import batch_inputs, map_columns
from hive_review.runs.uploads import MAX_ROWS, MAX_UPLOAD_BYTES, UploadError, read_table
from hive_review.settings import BATCH_CONCURRENCY, MAX_BATCH_CONCURRENCY
from honeyhive_api import Prompt
from ui import services
from ui.batch_results import render_results, render_stability
from ui.context import Studio
from ui.pickers import pick_task_and_prompts, variant_label
from ui.state import BATCH
from ui.text import code, plain

MAX_REPEATS = 20
PROGRESS_POLL_SECONDS = 1.0
# Signatures of this session's batches by id (``batch_signature``): a batch's never changes.
SIGNATURES = BATCH("signatures")


def render_batch(studio: Studio) -> None:
    st.title("Batch runs")
    # The batch last started (or chosen) comes first: its progress is what a reviewer waits for
    # after Start, and below the form it was out of sight on a laptop screen.
    shown = _render_shown_batch(studio)
    st.markdown(
        "Upload a **CSV** or **JSONL** file with one row of inputs per run. Columns named like the template's "
        f"variables are mapped automatically. Up to {MAX_ROWS:,} rows and "
        f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB per file."
    )
    picked = pick_task_and_prompts(studio, BATCH)
    if picked is None:
        return
    task, prompts = picked
    by_name = {p.name: p for p in prompts}
    options = [DEPLOYED, *by_name]
    variants = st.multiselect(
        "Run against",
        options,
        default=[DEPLOYED],
        format_func=lambda name: "the deployed prompt" if name == DEPLOYED else variant_label(by_name[name]),
        key=BATCH.variants(task),
    )
    uploaded = st.file_uploader("Inputs file", type=["csv", "jsonl"], key=BATCH.file)
    if uploaded is not None and variants:
        _prepare(studio, task, variants, by_name, uploaded.getvalue(), uploaded.name)
    if shown is not None:
        render_stability(studio, shown)


def _variables(variants: list[str], by_name: dict[str, Prompt]) -> list[str]:
    chosen = [by_name[name] for name in variants if name != DEPLOYED]
    if DEPLOYED in variants:
        chosen += [p for p in by_name.values() if p.is_deployed]
    return variables_of(chosen)


def _prepare(
    studio: Studio, task: str, variants: list[str], by_name: dict[str, Prompt], data: bytes, filename: str
) -> None:
    try:
        table = read_table(data, filename)
    except UploadError as exc:  # it quotes the file's name and columns
        st.error(plain(exc), icon=":material/rule:")
        return
    variables = _variables(variants, by_name)
    guessed = map_columns(list(table.columns), variables)
    st.caption(f"{len(table):,} rows read from {code(filename)}. Map each variable to a column:")
    mapping: dict[str, str | None] = {}
    columns = st.columns(max(1, min(4, len(variables))))
    for index, variable in enumerate(variables):
        options = [None, *table.columns]
        default = options.index(guessed[variable]) if guessed[variable] in options else 0
        mapping[variable] = columns[index % len(columns)].selectbox(
            code(variable),
            options,
            index=default,
            format_func=lambda column: "— choose a column —" if column is None else str(column),
            key=BATCH.column_of(task, variable),
        )
    try:
        rows = batch_inputs(table, mapping, variables)
    except UploadError as exc:  # it quotes the file's columns
        st.error(plain(exc), icon=":material/rule:")
        return
    left, right = st.columns(2)
    repeats = int(left.number_input("Repeats per row", 1, MAX_REPEATS, 1, key=BATCH.repeats))
    concurrency = int(
        right.number_input(
            "Concurrency",
            1,
            MAX_BATCH_CONCURRENCY,
            studio.settings.batch_concurrency,
            key=BATCH.concurrency,
            help=f"Generations in flight at once (default {studio.settings.batch_concurrency}; "
            f"{BATCH_CONCURRENCY} sets it).",
        )
    )
    total = len(rows) * len(variants) * repeats
    signature = batch_signature(task, rows, variants, repeats)
    twin = _running_twin(studio, signature)
    label = f"Start {total:,} runs"
    started = st.button(label, type="primary", key=BATCH.start, icon=":material/play_arrow:", disabled=bool(twin))
    if twin is not None:
        st.caption("These runs are in progress: their progress is at the top of the page.")
    # A click sent before the button was drawn disabled still arrives: the check is made again here.
    if started and twin is None:
        batch = studio.stores.batches.create_batch(
            session_id=studio.session.id,
            task=task,
            rows=rows,
            variants=variants,
            repeats=repeats,
            concurrency=concurrency,
        )
        st.session_state.setdefault(SIGNATURES, {})[batch.id] = signature
        _start(studio, batch.id)
        st.session_state[BATCH.current] = batch.id
        st.rerun()


def _running_twin(studio: Studio, signature: str) -> str | None:
    """The batch of this session that is running these very runs, if one is."""
    known: dict[str, str] = st.session_state.setdefault(SIGNATURES, {})
    runners = services.batch_runners()
    for batch in studio.stores.batches.list_batches(studio.session.id):
        runner = runners.get(batch.id)
        if runner is None or not runner.running:
            continue
        if batch.id not in known:  # started in another tab of this session
            known[batch.id] = stored_batch_signature(studio.stores.batches, batch)
        if known[batch.id] == signature:
            return batch.id
    return None


def _start(studio: Studio, batch_id: str) -> None:
    runner = BatchRunner(
        # The runner retries by itself (so an item can show "retrying"); the client must not.
        studio.client.with_options(max_retries=0),
        studio.log,
        studio.stores.batches,
        batch_id,
        reviewer=studio.reviewer,
        source=batch_source(studio.source),
        max_attempts=studio.settings.batch_max_attempts,
        base_delay=studio.settings.batch_retry_base_seconds,
    )
    services.batch_runners().start(runner)


def _render_shown_batch(studio: Studio) -> str | None:
    """The chooser of the session's batches and the progress of the one chosen; its id."""
    batches = studio.stores.batches.list_batches(studio.session.id)
    if not batches:
        return None
    ids = [b.id for b in batches]
    labels = {b.id: f"{b.task} · {b.created_at:%Y-%m-%d %H:%M} UTC · {b.id}" for b in batches}
    current = st.session_state.get(BATCH.current)
    if current not in ids:
        current = ids[0]  # the newest
        st.session_state[BATCH.current] = current
    # The chooser follows the batch last started: a widget keeps the value it last had, which
    # showed the previous batch's progress while the new one ran.
    if st.session_state.get(BATCH.view) != current:
        st.session_state[BATCH.view] = current
    with st.container(border=True):
        st.selectbox(
            "Batch",
            ids,
            format_func=lambda batch_id: labels[batch_id],
            key=BATCH.view,
            on_change=_follow_chooser,
        )
        _render_progress(studio, current)
    return current


def _follow_chooser() -> None:
    st.session_state[BATCH.current] = st.session_state[BATCH.view]


def _render_progress(studio: Studio, batch_id: str) -> None:
    runner = services.batch_runners().get(batch_id)
    if runner is not None and runner.running:
        _live_progress(studio, batch_id)
    else:
        _progress(studio, batch_id)


@st.fragment(run_every=PROGRESS_POLL_SECONDS)
def _live_progress(studio: Studio, batch_id: str) -> None:
    """Redrawn every second on its own while the batch runs (the page around it does not rerun);
    one full rerun when it ends, so the stability view and the rest of the page show the results."""
    if not _progress(studio, batch_id):
        st.rerun()


def _progress(studio: Studio, batch_id: str) -> bool:
    """Counts, controls and failed rows of a batch; True while it runs."""
    store = studio.stores.batches
    counts = store.progress(batch_id)
    total = sum(counts.values())
    finished = counts[DONE] + counts[FAILED]
    st.progress(finished / total if total else 0.0, text=f"{finished:,}/{total:,} finished")
    a, b, c, d, e = st.columns(5)
    a.metric("Done", counts[DONE])
    b.metric("Running", counts[RUNNING])
    c.metric("Retrying", counts[RETRYING])
    d.metric("Failed", counts[FAILED])
    e.metric("Queued", counts[QUEUED])
    runner = services.batch_runners().get(batch_id)
    running = runner is not None and runner.running
    unfinished = sum(counts[s] for s in UNFINISHED)
    if running:
        if st.button("Cancel", key=BATCH.cancel, icon=":material/stop:"):
            runner.cancel()
            st.rerun()
    elif unfinished:
        st.info(f"{unfinished:,} runs did not finish (cancelled, or the app stopped).")
        if st.button("Resume", key=BATCH.resume, type="primary", icon=":material/play_arrow:"):
            _start(studio, batch_id)
            st.rerun()
    if counts[FAILED]:
        failed = store.items(batch_id, [FAILED])
        st.error(f"{len(failed):,} runs failed; the rest of the batch went on.")
        st.dataframe(
            pd.DataFrame(
                [{"row": i.row_number, "variant": i.variant or "deployed", "attempts": i.attempts, "error": i.error}
                 for i in failed]
            ),
            hide_index=True,
            key=BATCH.failed,
        )  # fmt: skip
        if not running and st.button("Retry failed runs", key=BATCH.retry_failed, icon=":material/refresh:"):
            store.requeue_failed(batch_id)
            _start(studio, batch_id)
            st.rerun()
    if not running:
        render_results(studio, batch_id, finished=not unfinished)
    return running
