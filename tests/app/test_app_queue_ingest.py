"""Ingest through AppTest: what produced each completion is shown, a logged file is not logged twice
by accident, one item is open at a time, and the file's completions go to the review queue."""

from __future__ import annotations

import pandas as pd
from apptest_support import open_page, studio_app, texts
from page_checks import shown

from ui.state import INGEST, REVIEW_QUEUE

ROWS = [
    {"input.topic": f"topic {n}", "input.tone": "calm", "completion": f"Answer {n}.", "model": "m-1"} for n in range(4)
]


def _logged(at):
    data = pd.DataFrame(ROWS).to_csv(index=False).encode()
    at.file_uploader(key=INGEST.file).upload("four.csv", data, "text/csv").run()
    at.button(key=INGEST.log_them).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_logged_file_is_not_logged_again_and_goes_to_the_queue(studio_env):
    at = _logged(open_page(studio_app(), "ingest"))
    assert "Logged 4 completions" in " ".join(shown(s.value) for s in at.success)
    assert at.button(key=INGEST.log_them).disabled
    assert "This file is logged to Sandbox - Email Writer already" in shown(texts(at))
    assert [e.label for e in at.main.expander if e.label.startswith("Completion")] == [
        f"Completion {n} · unrated" for n in range(1, 5)
    ]
    values = [t.value for t in at.text]
    assert "topic 0" in values and "calm" in values  # each item's inputs, as text
    at.button(key=INGEST("review")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Item 1 of 4" in at.get("progress")[0].proto.text
    assert at.selectbox(key=REVIEW_QUEUE.source).value.startswith("ingest-")


def test_another_file_can_be_logged(studio_env):
    at = _logged(open_page(studio_app(), "ingest"))
    other = pd.DataFrame([{**ROWS[0], "completion": "Something else."}]).to_csv(index=False).encode()
    at.file_uploader(key=INGEST.file).upload("other.csv", other, "text/csv").run()
    assert not at.button(key=INGEST.log_them).disabled
