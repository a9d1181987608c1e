"""Reviewer quality through AppTest: adjudicating a split item on the Adjudication page (hostile
reviewer text stays text), a flagged reviewer on Numbers, and gold items uploaded on the
Adjudication page then mixed into a queue shared from the Review queue."""

from __future__ import annotations

import sqlalchemy as sa
from apptest_support import open_page, studio_app, texts
from page_checks import links_or_images, markdown_strings, shown, shown_generation_ids
from quality_scenario import ANA, BEN, CY, build

from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.quality.adjudication import final_verdicts
from hive_review.quality.gold_store import all_gold_items
from hive_review.quality.reviews import all_reviews
from hive_review.stores import open_stores
from hive_review.team.tables import shared_queue_items
from ui.quality_keys import ADJUDICATION, GOLD
from ui.state import REVIEW_QUEUE, rating_key

TASK = "Sandbox - Email Writer"
HOSTILE = "![tracker](https://evil.example/pixel.png) **bold** <script>alert(1)</script> www.evil.example"


def _database(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'sessions.sqlite3'}"


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _split_item(tmp_path):
    """One generation reviewed by two reviewers who disagree: one thumbs up, the other down."""
    stores = open_stores(_database(tmp_path))
    session = stores.log.create_session("lead")
    stores.log.add_entry(
        LogEntry(generation_id="g-split", session_id=session.id, reviewer="lead", task=TASK, prompt_version="1",
                 completion="Refunds take 90 days.", inputs={"topic": "refunds"})
    )  # fmt: skip
    queue = stores.queues.create("Refund emails", ["g-split"], overlap=2, created_by="lead", source="test")
    for reviewer, rating in ((ANA, Rating(thumbs="up", stars=4)), (HOSTILE, Rating(thumbs="down", comment=HOSTILE))):
        stores.queues.next_item(queue.id, reviewer)
        stores.queues.submit_review(queue.id, "g-split", reviewer, rating, connection_id="elsewhere")
    return stores, queue


def test_adjudicating_a_split_item(studio_env, tmp_path):
    at = open_page(studio_app(), "playground")  # the studio makes its database
    stores, queue = _split_item(tmp_path)
    try:
        at.switch_page("pages/adjudication.py").run()
        _ok(at)
        assert at.selectbox(key=ADJUDICATION.item).label == "1 item(s) to settle"
        said = shown(texts(at))
        assert "Refund emails · item 1 · thumbs split, labels differ" not in said  # no labels on either side
        assert "thumbs split" in said and HOSTILE in [t.value for t in at.text]  # the comment, as text
        assert [problem for s in markdown_strings(at) for problem in links_or_images(s)] == []

        def key(part: str) -> str:
            return ADJUDICATION.verdict(part, queue.id, "g-split")

        at.button(key=key("submit")).click().run()  # nothing given: said beside the form, nothing set
        assert any("Give the final verdict" in shown(w.value) for w in at.warning)
        assert final_verdicts(stores.database) == {}

        at.segmented_control(key=key("thumbs")).set_value("down")
        at.segmented_control(key=key("stars")).set_value(2)
        at.text_area(key=key("comment")).input("90 days is wrong: 14")
        at.button(key=key("submit")).click().run()
        _ok(at)
        verdict = final_verdicts(stores.database)["g-split"]
        assert (verdict.thumbs, verdict.stars, verdict.comment) == ("down", 2, "90 days is wrong: 14")
        assert verdict.adjudicator == "qa-alice"  # the studio's reviewer
        assert "Nothing to adjudicate" in shown(texts(at))  # it left the list
        assert [e.label for e in at.expander if e.label.startswith("Settled")] == ["Settled (1)"]
    finally:
        stores.close()


def test_a_flagged_reviewer_appears_on_numbers(studio_env, tmp_path):
    at = open_page(studio_app(), "playground")
    stores = open_stores(_database(tmp_path))
    try:
        build(stores)
    finally:
        stores.close()
    at.switch_page("pages/numbers.py").run()
    _ok(at)
    table = next(frame.value for frame in at.dataframe if "Gold accuracy" in frame.value.columns)
    by_reviewer = table.set_index("Reviewer")
    assert list(by_reviewer.index) == [ANA, BEN, CY]
    assert list(by_reviewer["Gold accuracy"].round(3)) == [1.0, 0.833, 0.5]
    assert list(by_reviewer["Flagged"]) == ["", "", "under threshold"]
    assert list(by_reviewer["Median seconds per item"]) == [20.0, 40.0, 10.0]
    [warning] = [shown(w.value) for w in at.warning if "gold items" in shown(w.value)]
    assert warning == f"Under 80% on gold items: {CY}."
    variants = next(frame.value for frame in at.dataframe if "Median seconds" in frame.value.columns)
    assert list(variants["Median seconds"]) == [20.0, 30.0]


def test_gold_items_uploaded_on_adjudication_are_mixed_into_a_shared_queue(studio_env, tmp_path):
    at = open_page(studio_app(), "adjudication")
    _ok(at)
    assert "The gold pool holds 0 item(s)" in shown(texts(at))
    bad = b"completion,expected_thumbs\nHi,sideways\n"
    at.file_uploader(key=GOLD.file).upload("bad.csv", bad, "text/csv").run()
    assert "row 1: 'expected_thumbs' is 'sideways'; write up or down" in shown(" ".join(e.value for e in at.error))
    rows = "".join(f"Known answer {n},down\n" for n in range(3))
    at.file_uploader(key=GOLD.file).upload("gold.csv", f"completion,expected_thumbs\n{rows}".encode(), "text/csv")
    at.text_input(key=GOLD.task).input(TASK)
    at.run()
    at.button(key=GOLD.add).click().run()
    _ok(at)
    assert "The gold pool holds 3 item(s) from 1 upload(s)" in shown(texts(at))
    stores = open_stores(_database(tmp_path))
    try:
        gold = {item.generation_id for item in all_gold_items(stores.database)}
        assert len(gold) == 3
        session = next(s for s in stores.log.list_sessions() if not s.name.startswith("Gold items"))
        stores.log.add_entries([LogEntry(generation_id=f"b-{n:02d}", session_id=session.id, reviewer="lead",
                                         task=TASK, prompt_version="1", completion=f"answer {n}")
                                for n in range(18)])  # fmt: skip
        at.switch_page("pages/review_queue.py").run()  # its first visit builds the queue of the session
        _ok(at)
        assert "2 of the 3 gold items go in." in shown(texts(at))
        at.number_input(key=GOLD.every).set_value(10)
        at.button(key=REVIEW_QUEUE.share_go).click().run()
        _ok(at)
        [queue] = stores.queues.list()
        progress = stores.queues.progress(queue.id)
        assert progress.items_total == 20  # 18 of the session and 2 gold items (one in ten)
        with stores.database.engine.connect() as db:
            items = db.execute(
                sa.select(shared_queue_items.c.generation_id).where(shared_queue_items.c.queue_id == queue.id)
            ).scalars()
            assert len(set(items) & gold) == 2
        # Working it: the item shown is timed from the moment it is shown to the moment it is completed.
        [shown_id] = shown_generation_ids(at)
        at.feedback(key=rating_key(shown_id, "thumbs")).set_value(0).run()
        at.button(key=REVIEW_QUEUE.shared_next).click().run()
        _ok(at)
        [review] = all_reviews(stores.database, queue.id)
        assert review.generation_id == shown_id and review.seconds is not None and review.seconds >= 0
        assert len(stores.feedback.deliveries(shown_id)) == (0 if shown_id in gold else 1)
    finally:
        stores.close()
