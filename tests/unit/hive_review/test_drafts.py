"""Work in progress kept per reviewer (rating drafts and typed inputs) on a real SQLite file and a
real PostgreSQL server: it reads back from a store opened afresh, as after a reload or a restart."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.stores import open_stores

PARTS: dict[str, Any] = {
    "thumbs": 1,
    "stars": 3,
    "labels": ["tone", "too long"],
    "comment": "Trim the last paragraph — שלום 👋",
    "ideal": 'Line one\nline "two"',
}
EMPTY_PARTS: dict[str, Any] = {"thumbs": None, "stars": None, "labels": [], "comment": "", "ideal": ""}


def test_a_rating_draft_reads_back_after_a_reopen_per_reviewer_and_generation(database_url):
    stores = open_stores(database_url)
    try:
        stores.drafts.save_rating_draft("qa-1", "g-1", PARTS)
        stores.drafts.save_rating_draft("qa-1", "g-2", EMPTY_PARTS)
    finally:
        stores.close()

    stores = open_stores(database_url)
    try:
        assert stores.drafts.rating_draft("qa-1", "g-1") == PARTS  # every part, types and text as given
        assert stores.drafts.rating_draft("qa-1", "g-2") == EMPTY_PARTS  # None stays None
        assert stores.drafts.rating_draft("qa-2", "g-1") is None  # another reviewer's is theirs alone
        assert stores.drafts.rating_draft("qa-1", "g-3") is None
    finally:
        stores.close()


def test_a_saved_draft_replaces_the_last_and_a_deleted_one_is_gone(database_url):
    stores = open_stores(database_url)
    try:
        stores.drafts.save_rating_draft("qa-1", "g-1", PARTS)
        first = stores.drafts.rating_draft_with_time("qa-1", "g-1")
        stores.drafts.save_rating_draft("qa-1", "g-1", {**PARTS, "thumbs": 0, "labels": []})
        second = stores.drafts.rating_draft_with_time("qa-1", "g-1")
        assert first is not None and second is not None
        assert second.parts == {**PARTS, "thumbs": 0, "labels": []}
        assert second.updated_at >= first.updated_at
        stores.drafts.save_rating_draft("qa-2", "g-1", EMPTY_PARTS)

        stores.drafts.delete_rating_draft("qa-1", "g-1")
        stores.drafts.delete_rating_draft("qa-1", "g-1")  # nothing left to delete: no error
        assert stores.drafts.rating_draft("qa-1", "g-1") is None
        assert stores.drafts.rating_draft("qa-2", "g-1") == EMPTY_PARTS  # only that reviewer's
    finally:
        stores.close()


def test_the_draft_is_deleted_in_the_transaction_of_the_rating(database_url):
    stores = open_stores(database_url)
    try:
        session = stores.log.create_session("qa-1")
        stores.log.add_entry(LogEntry(generation_id="g-1", session_id=session.id, reviewer="qa-1", task="t",
                                      prompt_version="1", completion="c"))  # fmt: skip
        stores.drafts.save_rating_draft("qa-1", "g-1", PARTS)

        with pytest.raises(RuntimeError), stores.database.transaction() as db:
            stores.feedback.save_rating("g-1", Rating(stars=4), reviewer="qa-1", connection_id="c", db=db)
            stores.drafts.delete_rating_draft("qa-1", "g-1", db=db)
            raise RuntimeError("the rating's transaction fails")
        assert stores.drafts.rating_draft("qa-1", "g-1") == PARTS  # rolled back with the rating
        assert stores.log.get_entry("g-1")["rating"] is None

        with stores.database.transaction() as db:
            stores.feedback.save_rating("g-1", Rating(stars=4), reviewer="qa-1", connection_id="c", db=db)
            stores.drafts.delete_rating_draft("qa-1", "g-1", db=db)
        assert stores.drafts.rating_draft("qa-1", "g-1") is None
        assert stores.log.get_entry("g-1")["rating"] == 4
    finally:
        stores.close()


def test_typed_inputs_read_back_per_reviewer_and_scope(database_url):
    stores = open_stores(database_url)
    try:
        stores.drafts.save_inputs("qa-1", "playground:Email", {"topic": "the office move", "tone": ""})
        stores.drafts.save_inputs("qa-1", "playground:Email", {"topic": "the lift — 👋", "tone": "calm"})
        stores.drafts.save_inputs("qa-1", "playground:Summary", {"text": "x"})
        stores.drafts.save_inputs("qa-2", "playground:Email", {"topic": "theirs"})
    finally:
        stores.close()

    stores = open_stores(database_url)
    try:
        assert stores.drafts.inputs("qa-1", "playground:Email") == {"topic": "the lift — 👋", "tone": "calm"}
        assert stores.drafts.inputs("qa-1", "playground:Summary") == {"text": "x"}
        assert stores.drafts.inputs("qa-2", "playground:Email") == {"topic": "theirs"}
        assert stores.drafts.inputs("qa-2", "playground:Summary") is None
    finally:
        stores.close()


def test_saves_of_the_same_draft_from_two_processes_at_once_never_fail(database_url):
    # Two stores on one database, as two studio processes: each save is one upsert, so a save that
    # finds the row another one just inserted replaces it instead of failing on the key.
    first, second = open_stores(database_url), open_stores(database_url)
    try:

        def save(number: int) -> None:
            stores = first if number % 2 else second
            stores.drafts.save_rating_draft("qa-1", "g-1", {**PARTS, "comment": f"edit {number}"})
            stores.drafts.save_inputs("qa-1", "playground:Email", {"topic": f"edit {number}"})

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(save, range(40)))
        draft = first.drafts.rating_draft("qa-1", "g-1")
        assert draft is not None and draft["comment"].startswith("edit ")
        assert (first.drafts.inputs("qa-1", "playground:Email") or {})["topic"].startswith("edit ")
    finally:
        first.close()
        second.close()
