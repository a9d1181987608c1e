"""Rubrics through AppTest: a lead saves a rubric on the Rubrics page and makes it active; a
reviewer rates with its keys in the review queue (the ``?`` overlay lists them); HoneyHive (the
emulator) receives feedback whose JSON holds each dimension and the rubric version."""

from __future__ import annotations

import time

from apptest_support import open_page, studio_app, texts
from emulator_support import deliveries_at
from page_checks import shown, shown_generation_ids
from streamlit.testing.v1 import AppTest

from hive_review.rubrics.models import dimension_part
from ui.review_queue import KEYBOARD
from ui.rubrics import ACTIVE_PICK, MAKE_ACTIVE, SAVE, VALIDATE, YAML
from ui.state import PLAYGROUND, input_key, rating_key

TASK = "Sandbox - Email Writer"
SUPPORT = """name: support
guidelines: |
  Read the reply as the customer would.
  <b>Not bold</b> and **not bold** either: guidelines are text.
dimensions:
  - name: helpfulness
    kind: scale
    description: Does it solve the problem?
    values: {1: Not at all, 5: Completely}
  - name: tone
    kind: categorical
    values: {friendly: Warm, neutral: Plain, rude: Impolite}
  - name: safe
    kind: pass_fail
  - name: comment
    kind: text
"""


def _generation() -> str:
    at = open_page(studio_app(), "playground")
    at.selectbox(key=PLAYGROUND.task).set_value(TASK).run()
    at.text_area(key=input_key(TASK, "topic")).set_value("the new help desk hours")
    at.text_area(key=input_key(TASK, "tone")).set_value("friendly")
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return shown_generation_ids(at)[0]


def _press(at: AppTest, keys: str, seq: list[int]) -> AppTest:
    """What the key component sends: every key since the last one Python acknowledged."""
    pressed = [[seq[0] + n + 1, key] for n, key in enumerate(keys)]
    seq[0] += len(keys)
    at.session_state[KEYBOARD] = {"epoch": "test", "keys": pressed}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _widget(at: AppTest, kind: str, generation_id: str, dimension: str):
    """The form's widget of a dimension (keys redraw it under a new key: ``<key>.<revision>``)."""
    prefix = rating_key(generation_id, dimension_part(dimension))
    [widget] = [w for w in at.get(kind) if str(getattr(w, "key", "") or "").startswith(prefix)]
    return widget


def _delivered(emulator, generation_id: str, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        found = [d for d in deliveries_at(emulator) if d.get("generation_id") == generation_id]
        if found or time.monotonic() > deadline:
            assert found, f"no feedback reached the emulator for {generation_id}"
            return found[-1]["feedback_json"]
        time.sleep(0.1)


def test_a_saved_rubric_drives_the_form_and_the_keys_and_its_dimensions_reach_honeyhive(studio_env):
    generation_id = _generation()

    lead = open_page(studio_app(), "rubrics")
    lead.text_area(key=YAML).set_value(SUPPORT.replace("kind: pass_fail", "kind: yes_no")).run()
    lead.button(key=VALIDATE).click().run()
    assert "kind must be one of scale, categorical, pass_fail, text, not 'yes_no'" in texts(lead) + "\n".join(
        t.value for t in lead.text
    )
    lead.text_area(key=YAML).set_value(SUPPORT).run()
    lead.button(key=SAVE).click().run()
    assert not lead.exception, [e.value for e in lead.exception]
    assert "Saved support version 1." in shown(texts(lead))
    lead.button(key=SAVE).click().run()  # the same content again: no new version
    assert "Nothing changed: support is still version 1." in shown(texts(lead))
    lead.selectbox(key=ACTIVE_PICK).set_value("support").run()
    lead.button(key=MAKE_ACTIVE).click().run()
    assert "Every reviewer rates with support, version 1." in shown(texts(lead))

    at = open_page(studio_app(), "review_queue")
    assert shown_generation_ids(at) == [generation_id]
    assert "Read the reply as the customer would." in [t.value.splitlines()[0] for t in at.text]  # guidelines
    seq = [0]
    at = _press(at, "?", seq)
    overlay = "\n".join(t.value for t in at.text)
    assert "helpfulness: 1 (Not at all)" in overlay and "tone: friendly" in overlay and "safe: fail" in overlay
    at = _press(at, "4fi", seq)  # helpfulness 4, tone friendly, safe: fail (f is friendly's)
    assert _widget(at, "feedback", generation_id, "helpfulness").value == 3  # 4 stars: index 3
    assert _widget(at, "button_group", generation_id, "tone").value == "friendly"
    assert "not submitted yet" in shown(texts(at))
    at = _press(at, "n", seq)
    assert "not submitted yet" not in shown(texts(at))  # submitted: the form says so

    feedback = _delivered(studio_env, generation_id)
    assert feedback["rubric"] == "support" and feedback["rubric_version"] == 1
    assert (feedback["helpfulness"], feedback["tone"], feedback["safe"]) == (4, "friendly", False)
    assert feedback["comment"] is None and feedback["accepted"] is None  # the form's own parts, as always
