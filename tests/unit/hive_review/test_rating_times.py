"""Time per item for ratings outside the shared queues: the clock's idle cap, the first submission's
seconds kept, and Numbers' medians per reviewer and per variant counting them beside the shared
queues' timed reviews. On a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hive_review.log.entries import LogEntry
from hive_review.quality.item_timer import IDLE_CAP_SECONDS
from hive_review.quality.rating_times import ItemClock, capped_gap, load_rating_times, record_rating_time
from hive_review.quality.tables import rating_times
from hive_review.quality.time_stats import median_by_reviewer, median_by_variant
from hive_review.stores import open_stores

TASK = "Sandbox - Email Writer"


def test_each_silent_stretch_counts_at_most_the_idle_cap():
    assert IDLE_CAP_SECONDS == 300.0
    assert capped_gap(100.0, 130.0) == 30.0 and capped_gap(0.0, 3600.0) == 300.0
    assert capped_gap(50.0, 40.0) == 0.0  # a clock that went back counts nothing
    clock = ItemClock.start(1000.0)
    assert clock.elapsed(1020.0) == 20.0
    # Drawn at +20 s and +80 s, left open an hour, submitted: 20 + 60 + 300 (the hour, capped).
    clock = clock.seen(1020.0).seen(1080.0)
    assert clock.elapsed(1080.0 + 3600.0) == 380.0
    assert ItemClock.start(0.0).elapsed(7200.0) == 300.0  # shown, then nothing for two hours
    assert tuple(clock) == (1000.0, 1080.0, 80.0)  # a plain tuple: session state keeps it


@pytest.fixture
def stores(database_url):
    stores = open_stores(database_url)
    yield stores
    stores.close()


def test_the_first_submission_is_kept_and_the_medians_count_the_ratings(stores):
    session = stores.log.create_session("lead")
    stores.log.add_entries(
        [LogEntry(generation_id=f"g-{n}", session_id=session.id, reviewer="lead", task=TASK,
                  prompt_version=str(1 + n % 2), prompt_name=f"v{1 + n % 2}", completion="c", inputs={"t": "x"})
         for n in range(4)]
    )  # fmt: skip
    with stores.database.transaction() as db:
        for generation_id, reviewer, seconds in (("g-0", "ana", 10.0), ("g-1", "ana", 30.0), ("g-2", "ana", 50.0),
                                                 ("g-0", "ben", 5.0), ("g-3", "ben", 7.0)):  # fmt: skip
            record_rating_time(db, generation_id, reviewer, seconds)
    with stores.database.transaction() as db:
        record_rating_time(db, "g-0", "ana", 999.0)  # an update of the rating: the first time stays
    with stores.database.engine.connect() as db:
        assert ("ana", "g-0", 10.0) in load_rating_times(db)
        assert db.execute(sa.select(sa.func.count()).select_from(rating_times)).scalar() == 5
    assert [(t.reviewer, t.items, t.median_seconds) for t in median_by_reviewer(stores.database)] == [
        ("ana", 3, 30.0),
        ("ben", 2, 6.0),
    ]
    # Version 1: g-0 (10, 5) and g-2 (50): median 10; version 2: g-1 (30) and g-3 (7): 18.5.
    assert [(t.prompt_version, t.items, t.median_seconds) for t in median_by_variant(stores.database)] == [
        ("1", 3, 10.0),
        ("2", 2, 18.5),
    ]
    # One shared queue's medians are that queue's timed reviews only.
    queue = stores.queues.create("Q", ["g-0"], overlap=1, created_by="lead", source="test")
    assert median_by_reviewer(stores.database, queue.id) == []
