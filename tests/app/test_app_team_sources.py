"""Team mode's other sources of a shared queue, through AppTest: the rows a filter of the Session
log shows, and the events of a HoneyHive annotation queue loaded on the Review queue."""

from __future__ import annotations

import pytest
from apptest_support import open_page, studio_app, texts
from page_checks import shown, shown_generation_ids

from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.production import Selection, read_events
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient
from ui.log_share import SHARED
from ui.review_queue import PRODUCTION_EVENTS
from ui.shared_queue import PREFIX
from ui.state import REVIEW_QUEUE, SESSION_LOG

TASK = "Sandbox - Email Writer"
EMAIL_QUEUE = "Email writer - production sample"


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _stores(tmp_path):
    return open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")


def _seed_log(emulator, tmp_path, topics: list[str]) -> list[str]:
    """One generation per topic in the review session the studio opened; the first is rated down."""
    client = HoneyHiveClient(emulator.api_key, emulator.url)
    stores = _stores(tmp_path)
    try:
        session = stores.log.list_sessions()[0]
        ids = []
        for topic in topics:
            inputs = {"topic": topic, "tone": "calm"}
            generation = client.generate(TASK, inputs)
            stores.log.add_entry(
                LogEntry(generation_id=generation.generation_id, session_id=session.id, reviewer=session.reviewer,
                         task=TASK, prompt_name="email-writer-v1", prompt_version=generation.version,
                         model=generation.model or "", completion=generation.generation, inputs=inputs)
            )  # fmt: skip
            ids.append(generation.generation_id)
        stores.feedback.save_rating(ids[0], Rating(thumbs="down"), reviewer=session.reviewer, connection_id="seed")
        return ids
    finally:
        stores.close()


def test_the_rows_the_log_filters_show_are_shared_with_the_team(studio_env, tmp_path):
    at = open_page(studio_app(), "session_log")
    ids = _seed_log(studio_env, tmp_path, ["harbour tour", "harbour dinner", "mountain hike", "harbour boat"])
    at.run()
    _ok(at)
    # Filter: "harbour" in the text, and no thumb given yet. Matches ids[1] and ids[3] only:
    # ids[0] is rated down, ids[2] is about a mountain.
    at.text_input(key=SESSION_LOG.filter("text")).set_value("harbour").run()
    at.multiselect(key=SESSION_LOG.filter("thumbs")).select("unrated").run()
    _ok(at)
    assert "2 of 4 generations match" in shown(texts(at))
    assert at.button(key=SESSION_LOG("share", "go")).label == "Share 2 items"
    at.text_input(key=SESSION_LOG("share", "name")).set_value("Harbour follow-up")
    at.segmented_control(key=SESSION_LOG("share", "overlap")).set_value(2)
    at.button(key=SESSION_LOG("share", "go")).click().run()
    _ok(at)

    stores = _stores(tmp_path)
    try:
        [queue] = stores.queues.list()
        assert stores.queues.generation_ids(queue.id) == [ids[1], ids[3]]  # exactly the filtered rows
        assert (queue.name, queue.overlap) == ("Harbour follow-up", 2)
        assert queue.source == "log filter (this session) · thumbs unrated · text 'harbour'"
        assert queue.created_by == stores.log.list_sessions()[0].reviewer
    finally:
        stores.close()
    assert "Shared: pick Shared queue · Harbour follow-up on the Review queue" in shown(texts(at))
    assert at.session_state[SHARED] == queue.id

    # The queue is a source of the Review queue, for this reviewer as for every other.
    at.switch_page("pages/review_queue.py").run()
    at.selectbox(key=REVIEW_QUEUE.source).set_value(f"{PREFIX}{queue.id}").run()
    _ok(at)
    assert shown_generation_ids(at) == [ids[1]]


def test_a_filter_that_shows_nothing_shares_nothing(studio_env, tmp_path):
    at = open_page(studio_app(), "session_log")
    _seed_log(studio_env, tmp_path, ["harbour tour"])
    at.run()
    at.text_input(key=SESSION_LOG.filter("text")).set_value("no such words").run()
    _ok(at)
    assert at.button(key=SESSION_LOG("share", "go")).disabled
    stores = _stores(tmp_path)
    try:
        assert stores.queues.list() == []
    finally:
        stores.close()


@pytest.fixture
def current_env(studio_env, monkeypatch):
    """The studio on HoneyHive's current API: production events are read through it."""
    monkeypatch.setenv("HONEYHIVE_API", "current")
    return studio_env


def test_the_events_of_a_honeyhive_annotation_queue_are_shared_with_the_team(current_env, tmp_path):
    at = open_page(studio_app(), "review_queue")
    client = HoneyHiveClient(current_env.api_key, current_env.url)
    annotation_queue = next(queue for queue in client.list_queues() if queue.name == EMAIL_QUEUE)
    expected = [event.event_id for event in read_events(client, Selection(queue=annotation_queue, limit=3)).events]
    at.selectbox(key=REVIEW_QUEUE.source).set_value(PRODUCTION_EVENTS).run()
    at.selectbox(key=REVIEW_QUEUE("q")).set_value(annotation_queue.id)
    at.checkbox(key=REVIEW_QUEUE("unrated")).uncheck()
    at.number_input(key=REVIEW_QUEUE("limit")).set_value(3)
    at.button(key=REVIEW_QUEUE("load")).click().run()
    _ok(at)
    assert "3 events loaded" in shown(texts(at))
    at.text_input(key=REVIEW_QUEUE.share_name).set_value("Production sample, shared")
    at.button(key=REVIEW_QUEUE.share_go).click().run()
    _ok(at)

    stores = _stores(tmp_path)
    try:
        [queue] = stores.queues.list()
        assert stores.queues.generation_ids(queue.id) == expected  # the annotation queue's events, in its order
        assert EMAIL_QUEUE in queue.source
        # Straight to working it: the first event, blind (its configuration hidden until submitted).
        assert at.selectbox(key=REVIEW_QUEUE.source).value == f"{PREFIX}{queue.id}"
        assert shown_generation_ids(at) == [expected[0]]
        assert "Variant hidden until you submit" in shown(texts(at))
        # Another reviewer, on another process, gets the next event of the same queue.
        other = stores.queues.next_item(queue.id, "qa-bob")
        assert other is not None and other.generation_id == expected[1]
    finally:
        stores.close()
