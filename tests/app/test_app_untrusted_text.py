"""Names, models, messages and file names from HoneyHive or from an uploaded file are shown as
text: every string a page hands Streamlit as Markdown holds them escaped (or in a code span), so
none can become an image, a link or HTML. The same in a real browser:
``tests/browser/test_browser_untrusted_output.py``."""

from __future__ import annotations

import pandas as pd
import pytest
from apptest_support import open_page, studio_app
from page_checks import emulator_api, links_or_images, markdown_strings, shown, shown_generation_ids
from streamlit.testing.v1 import AppTest

from ui.state import BATCH, COMPARE, INGEST, PLAYGROUND

NOWHERE = "http://127.0.0.1:9"  # nothing listens there; AppTest draws no images anyway
TASK = "Sandbox - Email Writer"
MODEL = f"gpt` ![model]({NOWHERE}/model.png) `x"  # a backtick must not end the code span it is shown in
COMPLETION = f"![completion]({NOWHERE}/completion.png) [a link]({NOWHERE}/link)"
HOSTILE_TASK = f"Review ![task]({NOWHERE}/task.png)"
EMPTY_TASK = f"[empty]({NOWHERE}/empty) *task*"
VARIABLE = f"![variable]({NOWHERE}/variable.png)"
VARIANTS = (f"[first]({NOWHERE}/first)", f"<img src={NOWHERE}/second.png> second")


def assert_inert(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    strings = markdown_strings(at)
    assert strings, "the page drew nothing"
    for markdown in strings:
        assert links_or_images(markdown) == [], markdown


def test_an_ingested_file_s_model_and_completion_stay_text_on_every_page(studio_env):
    rows = [{"completion": COMPLETION, "model": MODEL, "input.topic": f"![topic]({NOWHERE}/topic.png)"}]
    data = pd.DataFrame(rows).to_csv(index=False).encode()
    at = open_page(studio_app(), "ingest")
    at.file_uploader(key=INGEST.file).upload(f"![file]({NOWHERE}/file.png).csv", data, "text/csv").run()
    at.button(key=INGEST.log_them).click().run()
    assert_inert(at)
    assert "Logged 1 completions" in " ".join(shown(s.value) for s in at.success)
    [metadata] = [shown(c.value) for c in at.caption if shown(c.value).startswith("Version")]
    assert f"Model {MODEL} ·" in metadata  # shown exactly as the file has it
    assert [code.value for code in at.code] == [COMPLETION]  # model output: text, as before
    [generation_id] = shown_generation_ids(at)

    for page in ("session_log", "numbers", "review_queue"):
        at.switch_page(f"pages/{page}.py").run()
        assert_inert(at)
    assert shown_generation_ids(at) == [generation_id]  # the queue shows the ingested completion


def test_a_file_s_name_and_columns_stay_text_in_upload_messages(studio_env):
    at = open_page(studio_app(), "ingest")
    hostile_column = f"![column]({NOWHERE}/column.png)"
    data = f"completion,{hostile_column}\nhello,x\n".encode()
    at.file_uploader(key=INGEST.file).upload(f"![file]({NOWHERE}/file.png).csv", data, "text/csv").run()
    assert_inert(at)
    assert at.error, "the missing model column is reported"


@pytest.fixture
def hostile_catalog(studio_env):
    """A task, its variants, their variable and model named with Markdown images and links, and a
    task without prompts: what a HoneyHive workspace could hold."""
    emulator_api(studio_env, "POST", "/tasks", json={"name": HOSTILE_TASK})
    emulator_api(studio_env, "POST", "/tasks", json={"name": EMPTY_TASK})
    for number, name in enumerate(VARIANTS, start=1):
        emulator_api(
            studio_env, "POST", "/prompts",
            json={"task": HOSTILE_TASK, "name": name, "text": "Write about {{topic}}.", "model": MODEL,
                  "input_variables": [VARIABLE], "version": str(number), "is_deployed": number == 1},
        )  # fmt: skip
    return studio_env


def test_names_from_honeyhive_stay_text_on_the_playground(hostile_catalog):
    at = open_page(studio_app(), "playground")
    at.selectbox(key=PLAYGROUND.task).set_value(EMPTY_TASK).run()
    assert_inert(at)
    assert f"Task {EMPTY_TASK} has no prompts" in " ".join(shown(w.value) for w in at.warning)

    at.selectbox(key=PLAYGROUND.task).set_value(HOSTILE_TASK).run()
    assert_inert(at)
    assert f"Deployed prompt: {VARIANTS[0]}" in {shown(e.label) for e in at.expander}
    assert {shown(area.label) for area in at.text_area} >= {VARIABLE, "topic"}
    at.text_area(key=PLAYGROUND.input(HOSTILE_TASK, VARIABLE)).set_value("anything")
    at.text_area(key=PLAYGROUND.input(HOSTILE_TASK, "topic")).set_value("anything")
    next(b for b in at.button if b.label == "Run").click().run()
    assert_inert(at)
    assert len(shown_generation_ids(at)) == 1
    assert f"{HOSTILE_TASK} · {VARIANTS[0]}" in [shown(m.value) for m in at.markdown]


def test_names_from_honeyhive_stay_text_on_compare_and_batch(hostile_catalog):
    at = open_page(studio_app(), "compare")
    at.selectbox(key=COMPARE.task).set_value(HOSTILE_TASK).run()
    for name in (VARIABLE, "topic"):
        at.text_area(key=COMPARE.input(COMPARE.SIDE_BY_SIDE_FORM, HOSTILE_TASK, name)).set_value("anything")
    next(b for b in at.button if b.label == "Run 2 variants").click().run()
    assert_inert(at)
    assert {shown(s.value) for s in at.subheader} >= set(VARIANTS)

    at.switch_page("pages/batch.py").run()
    at.selectbox(key=BATCH.task).set_value(HOSTILE_TASK).run()
    data = f"{VARIABLE},topic\nx,y\n".encode()
    at.file_uploader(key=BATCH.file).upload("inputs.csv", data, "text/csv").run()
    assert_inert(at)
    assert VARIABLE in {shown(box.label) for box in at.selectbox}  # the column mapping names the variable
