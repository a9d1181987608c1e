"""Time per item for a rating in the private review queue, through AppTest: the rating form's clock
runs from the item's first draw to Complete and next, idle time capped, and Numbers shows the median
for the reviewer and the variant."""

from __future__ import annotations

import time

import pytest
from apptest_support import open_page, studio_app

from hive_review.production import Selection, load_into_log, read_events
from hive_review.quality.item_timer import IDLE_CAP_SECONDS
from hive_review.quality.rating_times import load_rating_times
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient
from ui.state import REVIEW_QUEUE, rating_key

EMAIL_QUEUE = "Email writer - production sample"
CLOCKS = "rating.clocks"  # ui.rating_form's session state of the clocks


@pytest.fixture
def studio_env(studio_env, monkeypatch):
    """The studio on HoneyHive's current API: production events are read through it."""
    monkeypatch.setenv("HONEYHIVE_API", "current")
    return studio_env


def _database(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'sessions.sqlite3'}"


def _seed(emulator, tmp_path, count: int) -> tuple[list[str], str]:
    """``count`` production events in the studio's review session, and its reviewer."""
    client = HoneyHiveClient(emulator.api_key, emulator.url)
    queue = next(q for q in client.list_queues() if q.name == EMAIL_QUEUE)
    stores = open_stores(_database(tmp_path))
    try:
        session = stores.log.list_sessions()[0]
        events = read_events(client, Selection(queue=queue, limit=count)).events
        ids = load_into_log(stores.log, events, session_id=session.id, reviewer=session.reviewer).event_ids
        return ids, session.reviewer
    finally:
        stores.close()


def _times(tmp_path) -> list[tuple[str, str, float]]:
    stores = open_stores(_database(tmp_path))
    try:
        with stores.database.engine.connect() as db:
            return load_rating_times(db)
    finally:
        stores.close()


def test_a_rating_in_the_review_queue_is_timed_and_numbers_shows_the_median(studio_env, tmp_path):
    at = open_page(studio_app(), "review_queue")
    ids, reviewer = _seed(studio_env, tmp_path, 2)
    at.run().button(key=REVIEW_QUEUE.rebuild).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert ids[0] in at.session_state[CLOCKS]  # the form drew the first item: its clock runs

    # The first item: left open an hour (its clock set back, no draw in between), then rated.
    hour_ago = time.time() - 3600
    at.session_state[CLOCKS] = {**at.session_state[CLOCKS], ids[0]: (hour_ago, hour_ago, 0.0)}
    at.feedback(key=rating_key(ids[0], "thumbs")).set_value(1).run()
    at.button(key=REVIEW_QUEUE.complete_and_next).click().run()
    # The second item: rated at once.
    at.feedback(key=rating_key(ids[1], "thumbs")).set_value(0).run()
    at.button(key=REVIEW_QUEUE.complete_and_next).click().run()
    assert not at.exception, [e.value for e in at.exception]

    timed = {generation_id: seconds for who, generation_id, seconds in _times(tmp_path) if who == reviewer}
    assert set(timed) == {ids[0], ids[1]}
    assert IDLE_CAP_SECONDS <= timed[ids[0]] < IDLE_CAP_SECONDS + 30  # the hour counts 5 minutes
    assert 0 <= timed[ids[1]] < 30

    at.switch_page("pages/numbers.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(frame.value for frame in at.dataframe if "Median seconds per item" in frame.value.columns)
    row = table.set_index("Reviewer").loc[reviewer]
    assert row["Timed items"] == 2
    assert row["Median seconds per item"] == pytest.approx((timed[ids[0]] + timed[ids[1]]) / 2)
    variants = next(frame.value for frame in at.dataframe if "Median seconds" in frame.value.columns)
    assert variants["Timed items"].sum() == 2
