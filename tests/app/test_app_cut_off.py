"""The "cut off at max tokens" mark wherever a completion is rated or its results are counted: the
Playground, Compare (side by side) and a Batch's results. The emulator's offline echo repeats the
prompt, so a long topic uses more tokens than any Email Writer variant allows (120 to 200), and a
short one stays well under them."""

from __future__ import annotations

import re
import time

from apptest_support import open_page, studio_app, texts

from ui.state import BATCH, COMPARE, input_key

TASK = "Sandbox - Email Writer"
LONG_TOPIC = "the quarterly parking rules " * 60  # a few hundred tokens, echoed back
MARK = re.compile(r"Cut off at max tokens \((\d+) tokens\)")


def _marks(at) -> list[int]:
    """The limits named by the marks on the page, in order."""
    return [int(limit) for limit in MARK.findall(texts(at))]


def _run_playground(at, topic: str):
    at.text_area(key=input_key(TASK, "topic")).set_value(topic)
    at.text_area(key=input_key(TASK, "tone")).set_value("calm")
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_playground_marks_a_completion_cut_off_at_max_tokens(studio_env):
    at = _run_playground(open_page(studio_app(), "playground"), "a short note")
    assert _marks(at) == []  # a short answer is not marked
    _run_playground(at, LONG_TOPIC)
    assert _marks(at) == [160]  # the deployed email-writer-v1 allows 160; only the long run is marked


def test_compare_marks_each_variant_that_stopped_at_its_limit(studio_env):
    at = open_page(studio_app(), "compare")
    for name, value in {"topic": LONG_TOPIC, "tone": "brisk"}.items():
        at.text_area(key=COMPARE.input(COMPARE.SIDE_BY_SIDE_FORM, TASK, name)).set_value(value)
    next(b for b in at.button if b.label == "Run 3 variants").click().run()
    deadline = time.monotonic() + 30
    while len(_marks(at)) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    assert sorted(_marks(at)) == [120, 160, 200]  # each variant's own limit


def test_a_batch_counts_its_results_cut_off_at_max_tokens(studio_env):
    at = open_page(studio_app(), "batch")
    rows = f"topic,tone\nshort one,calm\n{LONG_TOPIC},calm\nshort two,calm\n"
    at.file_uploader(key=BATCH.file).upload("inputs.csv", rows.encode(), "text/csv").run()
    at.button(key=BATCH.start).click().run()
    deadline = time.monotonic() + 30
    while "Batch finished" not in texts(at) and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "1 of 3 results cut off at max tokens" in texts(at)
