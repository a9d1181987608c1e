"""The Session log and Batch pages show each run's model time, not its whole latency: a local model
answers one request at a time, and a run that waited 39 s for it took the model 0.9 s. A row with no
model time (ingested) shows its whole latency, and the page says so; so it does of the wait."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pyarrow as pa
from apptest_support import open_page, studio_app
from page_checks import shown
from streamlit.testing.v1 import AppTest

from hive_review.log import columns as col
from hive_review.log.entries import LogEntry
from hive_review.log.model_times import MODEL_P50, MODEL_P95, WAITED_MAX
from hive_review.runs.batch_store import DONE
from hive_review.stores import open_stores

TASK = "Sandbox - Email Writer"
VARIANT = "email-writer-v1"
REVIEWER = "qa-alice"  # the studio resumes this reviewer's session: the seeded rows are in it
WHOLE_MS = 40_000.0
MODEL_MS = 900.0
WAITED_MS = 39_000.0
INGESTED_MS = 700.0


def _queued(generation_id: str, session_id: str, version: str, *, batch_id: str | None = None) -> LogEntry:
    """A run that waited 39 s for the model, which then took 0.9 s."""
    return LogEntry(
        generation_id, session_id, REVIEWER, TASK, version, f"answer {generation_id}", prompt_name=VARIANT,
        inputs={"topic": "parking", "tone": "calm"}, latency_ms=WHOLE_MS, model_latency_ms=MODEL_MS,
        first_token_ms=120.0, wait_ms=WAITED_MS, batch_id=batch_id, origin="batch" if batch_id else "playground",
    )  # fmt: skip


def _seed(tmp_path, *, batch: bool) -> str | None:
    """Three runs that waited for the model (in a batch of this session when ``batch``) and one
    ingested row with a whole latency only; the batch's id."""
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        session = stores.log.create_session(REVIEWER)
        batch_id = None
        ids = [f"g-{n}" for n in range(3)]
        if batch:
            rows = [{"topic": "parking", "tone": "calm"}] * len(ids)
            made = stores.batches.create_batch(session_id=session.id, task=TASK, rows=rows, variants=[VARIANT])
            batch_id = made.id
            for item, generation_id in zip(stores.batches.items(batch_id), ids, strict=True):
                stores.batches.mark(item.id, DONE, attempts=1, generation_id=generation_id)
        entries = [_queued(generation_id, session.id, "1", batch_id=batch_id) for generation_id in ids]
        entries.append(
            LogEntry("g-ingested", session.id, REVIEWER, TASK, "2", "made elsewhere", origin="ingest",
                     latency_ms=INGESTED_MS)
        )  # fmt: skip
        stores.log.add_entries(entries)
        return batch_id
    finally:
        stores.close()


def _said(at: AppTest) -> str:
    return "\n".join(shown(str(element.value)) for element in [*at.markdown, *at.caption])


def _table(at: AppTest, column: str) -> Any:
    """The dataframe element that has ``column`` (AppTest elements carry no key)."""
    return next(frame for frame in at.dataframe if column in frame.value.columns)


def _titles(at: AppTest, column: str) -> dict[str, Any]:
    """The titles a reader sees over the columns of the dataframe that has ``column``."""
    configs = json.loads(_table(at, column).proto.columns)
    return {name: config.get("label") for name, config in configs.items()}


def _chart(at: AppTest, title: str) -> tuple[dict[str, Any], pd.DataFrame]:
    """The spec of the chart whose y axis has ``title``, and the data it draws."""
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if spec.get("encoding", {}).get("y", {}).get("title") == title:
            drawn = [pa.ipc.open_stream(dataset.data.data).read_pandas() for dataset in chart.proto.datasets]
            return spec, pd.concat(drawn)
    raise AssertionError(f"no chart with a y axis {title!r}")


def test_the_session_log_shows_the_model_time_not_the_wait(studio_env, tmp_path):
    _seed(tmp_path, batch=False)
    at = open_page(studio_app(), "session_log")
    assert not at.exception, [e.value for e in at.exception]

    summary = _table(at, "thumbs_up_rate").value.set_index("variant")  # keyed by the variant's name
    queued = f"{VARIANT} (v1)"
    # Its figures are rounded text (units in the headers).
    assert summary.loc[queued, "p50_latency_ms"] == "900"  # MODEL_MS, not the 40 s the runs took with their wait
    assert summary.loc[queued, "p95_latency_ms"] == "900"
    assert summary.loc[queued, WAITED_MAX] == "39,000"  # WAITED_MS, the wait, apart
    assert summary.loc["v2", "p50_latency_ms"] == "700"  # INGESTED_MS: no model time, the whole latency stands in
    titles = _titles(at, "thumbs_up_rate")
    assert titles["p50_latency_ms"] == "Model time p50 (ms)" and titles[WAITED_MAX] == "Longest wait (ms)"

    table_titles = _titles(at, col.COMPLETION)
    assert table_titles[col.MODEL_LATENCY_MS] == "Model time (ms)"
    assert table_titles[col.WAIT_MS] == "Waited (ms)"
    assert table_titles[col.LATENCY_MS] == "Whole latency (ms)"

    spec, drawn = _chart(at, "Model time (ms)")
    assert spec["mark"]["type"] == "boxplot"
    field = spec["encoding"]["y"]["field"]
    by_variant = drawn.groupby("variant")[field].max()
    assert by_variant[queued] == MODEL_MS and by_variant["v2"] == INGESTED_MS
    assert WHOLE_MS not in set(drawn[field])

    said = _said(at)
    assert "3 runs waited for a single model that answers one request at a time (up to 39.0 s)" in said
    assert "1 row has no model time" in said and "whole latency, any wait included, stands in for it" in said


def test_the_batch_results_show_the_model_time_and_say_the_runs_waited(studio_env, tmp_path):
    _seed(tmp_path, batch=True)
    at = open_page(studio_app(), "batch")
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("progress")[0].proto.text == "3/3 finished"

    times = _table(at, MODEL_P50).value
    assert len(times) == 1
    assert times[MODEL_P50].iloc[0] == MODEL_MS and times[MODEL_P95].iloc[0] == MODEL_MS
    assert times[WAITED_MAX].iloc[0] == WAITED_MS
    titles = _titles(at, MODEL_P50)
    assert titles[MODEL_P50] == "Model time p50 (ms)" and titles[WAITED_MAX] == "Longest wait (ms)"
    said = _said(at)
    assert "3 runs waited for a single model that answers one request at a time (up to 39.0 s)" in said
    assert "The times here are the model's own, without that wait" in said


def test_the_review_queue_shows_the_model_time_of_the_item(studio_env, tmp_path):
    _seed(tmp_path, batch=False)
    at = open_page(studio_app(), "review_queue")
    assert not at.exception, [e.value for e in at.exception]
    said = _said(at)
    assert "Item 1 of 4" in "\n".join(str(p.proto.text) for p in at.get("progress"))
    assert "Model time 900 ms" in said  # not the 40 s the run took with its wait
    assert "Waited 39.0 s for the model" in said
    assert "40,000" not in said
