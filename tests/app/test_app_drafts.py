"""Work in progress survives a reload: a new AppTest on the same database is a new Streamlit session,
as a browser reload is. What the reviewer typed into the Playground and an unsent rating come back
from the store; a submitted rating leaves no draft behind."""

from __future__ import annotations

from pathlib import Path

from apptest_support import open_page, studio_app, texts
from page_checks import shown, shown_generation_ids
from streamlit.testing.v1 import AppTest

from hive_review.feedback.ratings import Rating
from hive_review.stores import open_stores
from ui.review_queue import KEYBOARD
from ui.state import PLAYGROUND, REVIEW_QUEUE, input_key, rating_key

TASK = "Sandbox - Email Writer"
UNSENT = "Your rating: 👍 up · comment · not submitted yet"


def _playground(task: str = TASK) -> AppTest:
    """The Playground in a new session (a reload), on the task."""
    at = open_page(studio_app(), "playground")
    at.selectbox(key=PLAYGROUND.task).set_value(task).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _run(at: AppTest, topic: str, tone: str) -> str:
    at.text_area(key=input_key(TASK, "topic")).set_value(topic)
    at.text_area(key=input_key(TASK, "tone")).set_value(tone)
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return shown_generation_ids(at)[0]


def _stored_draft(tmp_path: Path, generation_id: str) -> dict | None:
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        reviewer = stores.log.list_sessions()[0].reviewer
        return stores.drafts.rating_draft(reviewer, generation_id)
    finally:
        stores.close()


def test_typed_inputs_and_an_unsent_rating_come_back_in_a_new_session(studio_env, tmp_path):
    at = _playground()
    generation_id = _run(at, "the launch moves to May", "friendly")
    at.feedback(key=rating_key(generation_id, "thumbs")).set_value(1).run()
    at.text_area(key=rating_key(generation_id, "comment")).set_value("Trim the last paragraph.").run()
    at.text_area(key=input_key(TASK, "topic")).set_value("typed, never run").run()  # no Run pressed
    assert UNSENT in shown(texts(at))

    reloaded = _playground()
    assert reloaded.text_area(key=input_key(TASK, "topic")).value == "typed, never run"
    assert reloaded.text_area(key=input_key(TASK, "tone")).value == "friendly"
    assert shown_generation_ids(reloaded) == [generation_id]
    assert UNSENT in shown(texts(reloaded))
    assert reloaded.text_area(key=rating_key(generation_id, "comment")).value == "Trim the last paragraph."
    assert reloaded.feedback(key=rating_key(generation_id, "thumbs")).value == 1

    reloaded.button(key=rating_key(generation_id, "submit")).click().run()
    assert not reloaded.exception, [e.value for e in reloaded.exception]
    said = shown(texts(reloaded))  # the run of the click already shows the rating as submitted
    assert "Your rating: 👍 up · comment" in said and "not submitted yet" not in said
    assert _stored_draft(tmp_path, generation_id) is None  # deleted with the rating's commit
    again = _playground()
    said = shown(texts(again))
    assert "Your rating: 👍 up · comment" in said and "not submitted yet" not in said


def test_a_key_in_the_review_queue_is_a_draft_a_new_session_shows_unsent(studio_env, tmp_path):
    generation_id = _run(_playground(), "the office move", "calm")
    at = open_page(studio_app(), "review_queue")
    at.session_state[KEYBOARD] = {"epoch": "test", "keys": [[1, "u"]]}  # as the key component sends "u"
    at.run()
    at.text_area(key=f"{rating_key(generation_id, 'comment')}.1").set_value("Too formal.").run()  # keys redrew it
    assert not at.exception, [e.value for e in at.exception]
    assert UNSENT in shown(texts(at))

    reloaded = open_page(studio_app(), "review_queue")
    assert shown_generation_ids(reloaded) == [generation_id]
    assert UNSENT in shown(texts(reloaded))
    reloaded.button(key=REVIEW_QUEUE.complete_and_next).click().run()
    assert not reloaded.exception, [e.value for e in reloaded.exception]
    assert _stored_draft(tmp_path, generation_id) is None


def test_a_draft_older_than_the_reviewers_rating_stored_since_is_not_brought_back(studio_env, tmp_path):
    at = _playground()
    generation_id = _run(at, "the lift is fixed", "glad")
    at.feedback(key=rating_key(generation_id, "thumbs")).set_value(0).run()
    assert _stored_draft(tmp_path, generation_id) is not None
    # The reviewer's rating is committed elsewhere (another studio process, a shared queue's
    # review), where this draft was not deleted with it.
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        reviewer = stores.log.list_sessions()[0].reviewer
        stores.feedback.save_rating(generation_id, Rating(stars=5), reviewer=reviewer, connection_id="elsewhere")
    finally:
        stores.close()

    said = shown(texts(_playground()))
    assert "Your rating: ★★★★★" in said and "not submitted yet" not in said and "👎" not in said
    assert _stored_draft(tmp_path, generation_id) is None
