"""The Batch page's feedback through AppTest: the batch just started is the one shown (not the one
before it), Start waits while the same runs go on, and a finished batch opens in the review queue."""

from __future__ import annotations

import time

from apptest_support import open_page, studio_app
from page_checks import emulator_api, generations
from streamlit.testing.v1 import AppTest

from ui.state import BATCH, REVIEW_QUEUE

TASK = "Sandbox - Email Writer"


def _upload(at: AppTest, marker: str, rows: int) -> AppTest:
    data = "topic,tone\n" + "".join(f"{marker} {n},calm\n" for n in range(1, rows + 1))
    at.file_uploader(key=BATCH.file).upload(f"{marker}.csv", data.encode(), "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _progress_text(at: AppTest) -> str:
    return at.get("progress")[0].proto.text  # the shown batch's bar comes first on the page


def _until_finished(at: AppTest, total: int) -> None:
    deadline = time.monotonic() + 30
    while _progress_text(at) != f"{total}/{total} finished" and time.monotonic() < deadline:
        time.sleep(0.1)
        at.run()
    assert _progress_text(at) == f"{total}/{total} finished"


def test_the_batch_just_started_is_shown_and_start_waits_while_it_runs(studio_env):
    at = _upload(open_page(studio_app(), "batch"), "first", 2)
    at.button(key=BATCH.start).click().run()
    _until_finished(at, 2)

    at = _upload(at, "second", 3)
    at.number_input(key=BATCH.concurrency).set_value(1).run()
    emulator_api(studio_env, "PUT", "/_emulator/faults", json={"latency_ms": 500})
    try:
        at.button(key=BATCH.start).click().run()
        assert _progress_text(at).endswith("/3 finished"), _progress_text(at)  # not the 2/2 of the first
        assert at.button(key=BATCH.start).disabled
        _until_finished(at, 3)
    finally:
        emulator_api(studio_env, "PUT", "/_emulator/faults", json={"latency_ms": 0})
    assert not at.button(key=BATCH.start).disabled
    made = [g for g in generations(studio_env, TASK) if "second" in g["generation"]]
    assert len(made) == 3 and {g["source"] for g in made} == {"batch"}


def test_a_finished_batch_opens_its_results_in_the_review_queue(studio_env):
    at = _upload(open_page(studio_app(), "batch"), "queued", 3)
    at.button(key=BATCH.start).click().run()
    _until_finished(at, 3)
    batch_id = at.selectbox(key=BATCH.view).value
    review = next(b for b in at.button if b.label == "Review these 3 results")
    review.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key=REVIEW_QUEUE.source).value == batch_id
    assert "Item 1 of 3" in _progress_text(at)
