"""Each origin reaches HoneyHive with its own source (a side-by-side comparison ``compare``, a blind
A/B vote ``blind-ab``, an ingested file ``ingest``), unless the reviewer set one in the sidebar: read
back from the emulator, which is what HoneyHive was sent. (Batch's own is tested in the browser.)"""

from __future__ import annotations

import time

import pandas as pd
from apptest_support import open_page, studio_app
from page_checks import generations

from ui.compare_blind import INPUT_SET, SOURCE
from ui.compare_sets import FILE, GENERATE
from ui.state import COMPARE, INGEST, Keys

TASK = "Sandbox - Email Writer"


def _sources_about(emulator, marker: str, count: int) -> list[str]:
    """The sources of the ``count`` generations mentioning ``marker``, once the emulator holds them all."""
    deadline = time.monotonic() + 30
    while True:
        found = [g for g in generations(emulator, TASK) if marker in g["generation"]]
        if len(found) >= count or time.monotonic() > deadline:
            return sorted(g["source"] for g in found)
        time.sleep(0.2)


def _compare_side_by_side(at, marker: str):
    for name, value in {"topic": marker, "tone": "brisk"}.items():
        at.text_area(key=COMPARE.input(COMPARE.SIDE_BY_SIDE_FORM, TASK, name)).set_value(value)
    next(b for b in at.button if b.label == "Run 3 variants").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_side_by_side_runs_are_sent_as_compare_unless_the_reviewer_set_a_source(studio_env):
    at = _compare_side_by_side(open_page(studio_app(), "compare"), "side marker one")
    assert _sources_about(studio_env, "side marker one", 3) == ["compare"] * 3

    at.sidebar.text_input(key=Keys.SOURCE).set_value("nightly-eval").run()
    _compare_side_by_side(at, "side marker two")
    assert _sources_about(studio_env, "side marker two", 3) == ["nightly-eval"] * 3


def test_blind_pairs_are_sent_as_blind_ab(studio_env):
    at = open_page(studio_app(), "compare")
    at.segmented_control(key=COMPARE.mode).set_value("Blind A/B").run()
    at.segmented_control(key=SOURCE).set_value(INPUT_SET).run()
    rows = "topic,tone\nblind marker,calm\n"
    at.file_uploader(key=FILE).upload("inputs.csv", rows.encode(), "text/csv").run()
    at.button(key=GENERATE).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _sources_about(studio_env, "blind marker", 2) == ["blind-ab"] * 2


def test_ingested_completions_are_sent_as_ingest(studio_env):
    at = open_page(studio_app(), "ingest")
    rows = [{"input.topic": "t", "completion": f"ingest marker {n}", "model": "m-1"} for n in range(2)]
    at.file_uploader(key=INGEST.file).upload("two.csv", pd.DataFrame(rows).to_csv(index=False).encode(), "text/csv")
    at.run()
    at.button(key=INGEST.log_them).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _sources_about(studio_env, "ingest marker", 2) == ["ingest"] * 2
