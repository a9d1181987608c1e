"""Compare through AppTest: runs made in the background reach the log even when the page is left,
and show again (with their inputs) on return; blind A/B over an input set, voted pair after pair;
every completion names the model that answered beside the one configured."""

from __future__ import annotations

import time

from apptest_support import open_page, studio_app, texts
from page_checks import emulator_api, feedback_of, shown, shown_generation_ids

from hive_review.log import columns as col
from hive_review.stores import open_stores
from ui.compare_blind import INPUT_SET, SOURCE
from ui.compare_sets import FILE, FROM_BATCH, GENERATE, ORIGIN
from ui.state import BATCH, COMPARE, PLAYGROUND, rating_key

TASK = "Sandbox - Email Writer"
VARIANTS = {"email-writer-v1", "email-writer-v2-concise", "email-writer-v3-bullets"}
INPUTS = {"topic": "the parking garage closes", "tone": "brisk"}


def _log(tmp_path):
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        return stores.log.load_log()
    finally:
        stores.close()


def _fill(at, form: str, **values: str):
    for name, value in values.items():
        at.text_area(key=COMPARE.input(form, TASK, name)).set_value(value)
    return at


def _said(at) -> str:
    """What the page says, as a reader sees it (escapes resolved)."""
    return "\n".join(shown(line) for line in texts(at).splitlines())


def _until(at, done, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not done(at) and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
    assert done(at), _said(at)
    return at


def test_a_comparison_left_mid_run_is_logged_and_shown_again_with_its_inputs(studio_env, tmp_path):
    at = open_page(studio_app(), "compare")
    # Each request now takes 1.5 s at the gateway: the page's short wait ends long before the runs do.
    emulator_api(studio_env, "PUT", "/_emulator/faults", json={"latency_ms": 1500})
    try:
        _fill(at, COMPARE.SIDE_BY_SIDE_FORM, **INPUTS)
        next(b for b in at.button if b.label == "Run 3 variants").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert "Running…" in _said(at) or "Waiting for its turn…" in _said(at)
        at.switch_page("pages/playground.py").run()  # the reviewer leaves while the variants run
        deadline = time.monotonic() + 30
        while len(_log(tmp_path)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        emulator_api(studio_env, "PUT", "/_emulator/faults", json={"latency_ms": 0})
    log = _log(tmp_path)
    assert len(log) == 3 and set(log[col.ORIGIN]) == {"compare"} and log[col.COMPARISON_ID].nunique() == 1
    assert set(log[col.PROMPT_NAME]) == VARIANTS

    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    typed = {name: at.text_area(key=COMPARE.input(COMPARE.SIDE_BY_SIDE_FORM, TASK, name)).value for name in INPUTS}
    assert typed == INPUTS  # kept, though Streamlit forgot the fields when the page was left
    assert set(shown_generation_ids(at)) == set(log[col.GENERATION_ID])
    assert {shown(s.value) for s in at.subheader} >= VARIANTS
    said = _said(at)
    assert "Inputs: topic='the parking garage closes', tone='brisk'" in said
    assert "configured · answered by" in said  # the configured model, and the offline echo that answered
    generation_id = log[col.GENERATION_ID].iloc[0]
    at.feedback(key=rating_key(generation_id, "stars")).set_value(3)
    at.button(key=rating_key(generation_id, "submit")).click().run()
    assert feedback_of(studio_env, TASK, generation_id, until=lambda fb: "rating" in fb)["rating"] == 4


def test_blind_ab_over_an_uploaded_set_is_voted_pair_after_pair(studio_env, tmp_path):
    at = open_page(studio_app(), "compare")
    at.segmented_control(key=COMPARE.mode).set_value("Blind A/B").run()
    at.segmented_control(key=SOURCE).set_value(INPUT_SET).run()
    rows = "Topic,tone\nthe roof repair,calm\nthe summer party,cheerful\nthe new printer,dry\n"
    at.file_uploader(key=FILE).upload("inputs.csv", rows.encode(), "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key=GENERATE).click().run()
    at = _until(at, lambda at: "Pair 1 of 3" in _said(at))
    votes = [
        ("the roof repair", COMPARE.vote_a),
        ("the summer party", COMPARE.vote_b),
        ("the new printer", COMPARE.vote_tie),
    ]
    for number, (topic, vote) in enumerate(votes, start=1):
        said = _said(at)
        assert f"Pair {number} of 3" in said and topic in said  # the inputs are in view before the vote
        assert not any("email-writer" in shown(s.value) for s in at.subheader)
        at.button(key=vote).click().run()
        assert not at.exception, [e.value for e in at.exception]
        said = _said(at)
        assert topic in said and "email-writer" in " ".join(shown(s.value) for s in at.subheader)  # the reveal
        at.button(key=COMPARE.next_pair).click().run()
    assert "Every pair of this set is voted (3 votes)" in _said(at)
    log = _log(tmp_path)
    blind = log[log[col.ORIGIN] == "blind"]
    assert len(blind) == 6 and blind[col.COMPARISON_ID].nunique() == 3
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        assert sorted(stores.votes.frame(TASK)["winner"]) == ["left", "right", "tie"]
    finally:
        stores.close()


def test_a_blind_set_takes_the_inputs_of_a_batch(studio_env, tmp_path):
    at = open_page(studio_app(), "batch")
    rows = "topic,tone\nfirst item,calm\nsecond item,calm\n"
    at.file_uploader(key=BATCH.file).upload("inputs.csv", rows.encode(), "text/csv").run()
    at.button(key=BATCH.start).click().run()
    _until(at, lambda at: {m.label: int(m.value) for m in at.metric}.get("Done") == 2)
    at.switch_page("pages/compare.py").run()
    at.segmented_control(key=COMPARE.mode).set_value("Blind A/B").run()
    at.segmented_control(key=SOURCE).set_value(INPUT_SET).run()
    at.radio(key=ORIGIN).set_value(FROM_BATCH).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Generate 2 pairs" in [b.label for b in at.button]
    at.button(key=GENERATE).click().run()
    at = _until(at, lambda at: "Pair 1 of 2" in _said(at))
    assert "first item" in _said(at)


def test_the_playground_names_the_model_that_answered(studio_env):
    at = open_page(studio_app(), "playground")
    at.text_area(key=PLAYGROUND.input(TASK, "topic")).set_value("the lift is fixed")
    at.text_area(key=PLAYGROUND.input(TASK, "tone")).set_value("glad")
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [shown(c.value) for c in at.caption]
    details = next(c for c in captions if c.startswith("Version"))
    assert "Model gpt-3.5-turbo configured · answered by offline-echo" in details
    panel = " ".join(shown(m.value) for m in at.markdown)
    assert "Model gpt-3.5-turbo configured" in panel and "Answered by offline-echo" in panel
