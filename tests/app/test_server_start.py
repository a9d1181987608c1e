"""Delivery starts with the server: ratings a stopped studio left pending reach HoneyHive after
``streamlit run app.py`` starts, before (and without) anyone opening a page."""

from __future__ import annotations

import time

from browser_support import streamlit_server
from emulator_support import deliveries_at, log_generations

from hive_review.feedback.ratings import Rating
from hive_review.settings import resolve_connection
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient


def test_pending_ratings_are_delivered_when_the_server_starts_with_no_page_open(emulator, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'sessions.sqlite3'}"
    env = {
        "HONEYHIVE_API_KEY": emulator.api_key,
        "HONEYHIVE_API": "tasks",  # the ratings below are on task-API generations
        "HONEYHIVE_BASE_URL": emulator.url,
        "HIVE_REVIEW_DATABASE_URL": database_url,
        "HIVE_REVIEW_REVIEWER": "qa-restart",
    }
    connection = resolve_connection({}, env)
    assert connection is not None
    # Ratings committed by a studio that stopped before delivering them.
    stores = open_stores(database_url)
    with HoneyHiveClient(emulator.api_key, emulator.url, timeout=10) as client:
        generation_ids = log_generations(client, stores, 5)
    for stars, generation_id in enumerate(generation_ids, start=1):
        stores.feedback.save_rating(
            generation_id, Rating(stars=stars), reviewer="qa-restart", connection_id=connection.connection_id
        )
    assert deliveries_at(emulator) == []

    with streamlit_server(env, tmp_path / "streamlit.log"):
        deadline = time.monotonic() + 60
        while len(deliveries_at(emulator)) < len(generation_ids) and time.monotonic() < deadline:
            time.sleep(0.1)  # waiting for the state: the emulator has every rating
        delivered = deliveries_at(emulator)
    assert sorted(d["generation_id"] for d in delivered) == sorted(generation_ids)
    assert stores.feedback.counts() == {"sent": len(generation_ids)}
    stores.close()
