"""Compare, blind A/B, batch (under injected failures), review queue and agreement, through AppTest."""

from __future__ import annotations

import time

from apptest_support import open_page, studio_app, texts
from page_checks import emulator_api, feedback_of, shown, shown_generation_ids

from hive_review.log import columns as col
from hive_review.log.exports import EXPORT_FORMATS
from hive_review.stores import Stores, open_stores
from ui.state import BATCH, COMPARE, NUMBERS, REVIEW_QUEUE, rating_key

CONNECTION = "another-studio"  # ratings made elsewhere: only the log is read here

TASK = "Sandbox - Email Writer"


def _feedback(emulator, generation_id: str, *, key: str) -> dict:
    feedback = feedback_of(emulator, TASK, generation_id, until=lambda fb: key in fb)
    assert key in feedback, f"no {key!r} feedback for {generation_id}"
    return feedback


def _fill(at, form: str, **values: str):
    for name, value in values.items():
        at.text_area(key=COMPARE.input(form, TASK, name)).set_value(value)
    return at


def _store(tmp_path) -> Stores:
    return open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")


def test_compare_runs_three_variants_side_by_side_each_ratable(studio_env, tmp_path):
    at = open_page(studio_app(), "compare")
    at = _fill(at, COMPARE.SIDE_BY_SIDE_FORM, topic="the new parking rules", tone="neutral")
    next(b for b in at.button if b.label == "Run 3 variants").click().run()
    assert not at.exception, [e.value for e in at.exception]
    log = _store(tmp_path).log.load_log()
    assert len(log) == 3 and log[col.COMPARISON_ID].nunique() == 1
    assert set(log[col.PROMPT_NAME]) == {"email-writer-v1", "email-writer-v2-concise", "email-writer-v3-bullets"}
    assert {shown(s.value) for s in at.subheader} >= set(log[col.PROMPT_NAME])
    # Each column's form rates its own generation: a different number of stars on each.
    stars = dict(zip(log[col.GENERATION_ID], (2, 3, 5), strict=True))
    for generation_id, count in stars.items():
        at.feedback(key=rating_key(generation_id, "stars")).set_value(count - 1)
        at.button(key=rating_key(generation_id, "submit")).click().run()
        assert not at.exception, [e.value for e in at.exception]
    for generation_id, count in stars.items():
        assert _feedback(studio_env, generation_id, key="rating")["rating"] == count


def test_blind_vote_hides_identities_until_the_vote_and_sends_it_on_both(studio_env, tmp_path):
    at = open_page(studio_app(), "compare")
    at.segmented_control(key=COMPARE.mode).set_value("Blind A/B").run()
    at = _fill(at, COMPARE.BLIND_FORM, topic="office plants", tone="cheerful")
    next(b for b in at.button if b.label == "Run the pair").click().run()
    assert not at.exception, [e.value for e in at.exception]
    headings = [shown(s.value) for s in at.subheader]
    assert "Response A" in headings and "Response B" in headings
    assert not any("email-writer" in h for h in headings)  # identities hidden before the vote

    at.button(key=COMPARE.vote_a).click().run()
    assert not at.exception
    headings = " ".join(shown(s.value) for s in at.subheader)
    assert "email-writer-v1" in headings and "email-writer-v2-concise" in headings  # revealed
    log = _store(tmp_path).log.load_log()
    pair = log[log[col.ORIGIN] == "blind"]
    assert len(pair) == 2
    preferences = {}
    for generation_id in pair[col.GENERATION_ID]:
        feedback = _feedback(studio_env, generation_id, key="preference")
        preferences[feedback["position"]] = feedback
    assert preferences["left"]["preference"] == "win" and preferences["right"]["preference"] == "loss"
    assert preferences["left"]["comparison_id"] == preferences["right"]["comparison_id"]
    voted = _store(tmp_path).log.load_log()
    voted = voted[voted[col.ORIGIN] == "blind"]
    assert set(voted[col.AB_POSITION]) == {"left", "right"}  # the shuffled order is in the log
    assert set(voted[col.PREFERENCE]) == {"win", "loss"}
    assert "Blind A/B results" in texts(at)
    summary = at.dataframe[0].value  # the results table: the only dataframe on the page
    assert int(summary["votes"].sum()) == 1


def test_a_batch_under_injected_failures_reports_failed_rows_and_finishes_the_rest(studio_env, tmp_path, monkeypatch):
    monkeypatch.setenv("HIVE_REVIEW_BATCH_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("HIVE_REVIEW_BATCH_RETRY_BASE_SECONDS", "0.01")
    at = open_page(studio_app(), "batch")
    rows = "topic,tone\n" + "".join(f"item {n},calm\n" for n in range(1, 21))
    at.file_uploader(key=BATCH.file).upload("inputs.csv", rows.encode(), "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    at.number_input(key=BATCH.concurrency).set_value(1).run()  # one at a time: the seeded faults repeat exactly
    emulator_api(studio_env, "PUT", "/_emulator/faults", json={"error_rate": 0.5, "fault_seed": 4})
    at.button(key=BATCH.start).click().run()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        at.run()
        metrics = {m.label: int(m.value) for m in at.metric}
        if metrics["Done"] + metrics["Failed"] == 20:
            break
        time.sleep(0.2)
    emulator_api(studio_env, "PUT", "/_emulator/faults", json={"error_rate": 0.0})
    assert metrics["Done"] + metrics["Failed"] == 20, metrics
    assert 0 < metrics["Failed"] < 20 and metrics["Done"] > 0
    errors = " ".join(e.value for e in at.error)
    assert f"{metrics['Failed']} runs failed; the rest of the batch went on" in errors
    failed_table = next(df.value for df in at.dataframe if "error" in df.value.columns)
    assert failed_table["error"].str.contains("503").all()
    log = _store(tmp_path).log.load_log()
    assert (log[col.ORIGIN] == "batch").sum() == metrics["Done"]

    at.button(key=BATCH.retry_failed).click().run()  # faults are off now: the failed rows go through
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        at.run()
        metrics = {m.label: int(m.value) for m in at.metric}
        if metrics["Done"] == 20:
            break
        time.sleep(0.2)
    assert metrics["Done"] == 20 and metrics["Failed"] == 0


def test_the_review_queue_rates_then_moves_on(studio_env, tmp_path):
    at = open_page(studio_app(), "batch")
    rows = "topic,tone\nfirst,calm\nsecond,calm\nthird,calm\n"
    at.file_uploader(key=BATCH.file).upload("inputs.csv", rows.encode(), "text/csv").run()
    at.button(key=BATCH.start).click().run()
    deadline = time.monotonic() + 30
    while {m.label: int(m.value) for m in at.metric}.get("Done") != 3 and time.monotonic() < deadline:
        time.sleep(0.1)
        at.run()
    at.switch_page("pages/review_queue.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Item 1 of 3" in at.get("progress")[0].proto.text
    [first] = shown_generation_ids(at)
    at.feedback(key=rating_key(first, "thumbs")).set_value(1).run()
    at.feedback(key=rating_key(first, "stars")).set_value(3).run()
    at.button(key=REVIEW_QUEUE.complete_and_next).click().run()
    assert not at.exception
    assert "Item 2 of 3" in at.get("progress")[0].proto.text and "1 done" in at.get("progress")[0].proto.text
    [second] = shown_generation_ids(at)
    assert second != first
    feedback = _feedback(studio_env, first, key="rating")
    assert feedback["accepted"] is True and feedback["rating"] == 4
    at.button(key=REVIEW_QUEUE.skip).click().run()
    assert "Item 3 of 3" in at.get("progress")[0].proto.text
    at.button(key=REVIEW_QUEUE.back).click().run()
    assert "Item 2 of 3" in at.get("progress")[0].proto.text
    assert shown_generation_ids(at) == [second]
    assert "`N` complete and next" in texts(at)


def test_agreement_of_two_reviewers_from_an_imported_export(studio_env, tmp_path):
    at = open_page(studio_app(), "batch")
    rows = "topic,tone\n" + "".join(f"item {n},calm\n" for n in range(1, 7))
    at.file_uploader(key=BATCH.file).upload("inputs.csv", rows.encode(), "text/csv").run()
    at.button(key=BATCH.start).click().run()
    store = _store(tmp_path)
    deadline = time.monotonic() + 30
    while len(store.log.load_log()) < 6 and time.monotonic() < deadline:
        time.sleep(0.1)
    from hive_review.feedback.ratings import Rating

    log = store.log.load_log()
    mine = ["up", "up", "down", "up", "down", "down"]
    theirs = ["up", "down", "down", "up", "down", "up"]
    for generation_id, thumbs in zip(log[col.GENERATION_ID], mine, strict=True):
        store.feedback.save_rating(generation_id, Rating(thumbs=thumbs), reviewer="qa-alice", connection_id=CONNECTION)
    other = store.log.load_log().assign(**{col.REVIEWER: "qa-bob", col.THUMBS: theirs})
    at.switch_page("pages/numbers.py").run()
    at.file_uploader(key=NUMBERS.agreement_files).upload(
        "bob.csv", EXPORT_FORMATS["CSV"].write(other), "text/csv"
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[-1].value  # the agreement table comes last on the page
    thumbs_row = table[table["dimension"] == "Thumbs"].iloc[0]
    assert thumbs_row["raters"] == 2 and thumbs_row["items"] == 6
    # observed agreement 4/6, chance 1/2 (each said "up" 3 times of 6): kappa = (2/3 - 1/2) / (1/2) = 1/3
    assert abs(thumbs_row["cohen_kappa"] - 1 / 3) < 1e-9
