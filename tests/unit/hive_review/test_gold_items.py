"""Gold items: the lead's file (every refusal names the row, the column and the fix), the mixing into a
queue, the rule of a right answer, the clock of a review, and a gold rating that never reaches
HoneyHive (the emulator over HTTP, the database on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from emulator_support import deliveries_at, log_generations

from hive_review.feedback.ratings import Rating
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.log import columns as col
from hive_review.quality.gold_mix import gold_count, mix_gold
from hive_review.quality.gold_rules import Expected, is_right
from hive_review.quality.gold_store import add_gold_items, all_gold_items
from hive_review.quality.gold_upload import read_gold_file
from hive_review.quality.item_timer import IDLE_CAP_SECONDS, mark_shown, record_review_time
from hive_review.quality.reviews import all_reviews
from hive_review.runs.uploads import UploadError
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient

T0 = datetime(2025, 6, 20, 9, 0, tzinfo=UTC)
CONNECTION = "test-connection"


@pytest.fixture
def stores(database_url):
    stores = open_stores(database_url)
    yield stores
    stores.close()


def test_a_gold_file_in_csv_and_jsonl():
    csv = (
        "input.topic,inputs,completion,expected_thumbs,expected_stars,expected_labels,task\n"
        'refunds,"{""tone"": ""calm""}",Refunds take 14 days.,Up,4-5,"off-topic, verbose",Emails\n'
        "delays,,We are sorry.,,3,,\n"
    )
    first, second = read_gold_file(csv.encode(), "gold.csv")
    assert first.inputs == {"tone": "calm", "topic": "refunds"}
    assert first.expected == Expected(thumbs="up", stars=(4, 5), labels=("off-topic", "verbose"))
    assert (first.task, second.task) == ("Emails", None)
    assert second.expected == Expected(stars=(3, 3))
    jsonl = b'{"completion": "Hi", "expected_thumbs": false, "expected_stars": 2.0, "expected_labels": ["rude"]}\n'
    [row] = read_gold_file(jsonl, "gold.jsonl")
    assert row.expected == Expected(thumbs="down", stars=(2, 2), labels=("rude",))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("completion,model\nHi,m\n", "needs a 'completion' column and at least one of 'expected_thumbs'"),
        ("prompt,expected_thumbs\nHi,up\n", "needs a 'completion' column"),
        ("completion,expected_thumbs\nHi,maybe\n", "row 1: 'expected_thumbs' is 'maybe'; write up or down"),
        ("completion,expected_stars\nHi,4\nHo,6\n", "row 2: 'expected_stars' is '6'; write stars from 1 to 5"),
        ("completion,expected_stars\nHi,5-3\n", "row 1: 'expected_stars' is '5-3'"),
        ("completion,expected_thumbs\n,up\n", "row 1: 'completion' is empty"),
        ("completion,expected_thumbs,expected_stars\nHi,,\n", "row 1: no expected value; fill in 'expected_thumbs'"),
        ("completion,expected_thumbs,inputs\nHi,up,[1]\n", "row 1: 'inputs' must be a JSON object"),
        ("completion,expected_thumbs\n", "has a header but no data rows"),  # read_table's own refusals
    ],
)
def test_a_bad_gold_file_is_refused_naming_the_row_the_column_and_the_fix(text, says):
    with pytest.raises(UploadError) as refused:
        read_gold_file(text.encode(), "gold.csv")
    assert says in str(refused.value)


def test_every_problem_of_a_file_is_listed_at_once():
    text = "completion,expected_thumbs,expected_stars\nHi,sideways,\nHo,up,9\nHa,,\n"
    with pytest.raises(UploadError) as refused:
        read_gold_file(text.encode(), "gold.csv")
    message = str(refused.value)
    assert message.startswith("3 problems in the gold file: row 1:")
    assert "row 2: 'expected_stars'" in message and "row 3: no expected value" in message
    assert "upload the file again" in message


def test_the_rule_of_a_right_answer():
    thumbs_down = Expected(thumbs="down")
    assert is_right(thumbs_down, "down", 5, ())
    assert not is_right(thumbs_down, None, 1, ())  # not given is wrong
    assert is_right(Expected(stars=(4, 5)), None, 4, ()) and not is_right(Expected(stars=(4, 5)), None, 3, ())
    assert not is_right(Expected(stars=(2, 2)), None, 3, ())
    labels = Expected(labels=("rude",))
    assert is_right(labels, None, None, ("rude", "verbose")) and not is_right(labels, None, None, ("verbose",))
    both = Expected(thumbs="down", stars=(1, 2))
    assert not is_right(both, "down", 3, ())  # every checked value must match


def test_mixing_one_in_ten_keeps_the_order_and_puts_one_gold_item_in_each_block():
    items = [f"i{n}" for n in range(54)]
    gold = [f"g{n}" for n in range(8)]
    mixed = mix_gold(items, gold, every=10, seed=3)
    assert len(mixed) == 60 and [gid for gid in mixed if gid in items] == items
    assert [sum(gid in gold for gid in mixed[start : start + 10]) for start in range(0, 60, 10)] == [1] * 6
    assert mix_gold(items, gold, every=10, seed=3) == mixed  # seeded: repeatable
    assert mix_gold(items, gold, every=0) == items and mix_gold(items, [], every=10) == items
    assert (gold_count(54, 10, 8), gold_count(54, 10, 2), gold_count(8, 10, 8), gold_count(20, 5, 9)) == (6, 2, 0, 5)


def test_gold_items_become_log_rows_of_their_own_session(stores):
    rows = read_gold_file(b"completion,expected_thumbs\nHi,up\nHo,down\n", "gold.csv")
    with pytest.raises(ValueError, match="no task"):
        add_gold_items(stores.database, stores.log, rows, gold_set="gold.csv", uploaded_by="lead")
    ids = add_gold_items(stores.database, stores.log, rows, gold_set="gold.csv", uploaded_by="lead", task="Emails")
    assert {item.generation_id for item in all_gold_items(stores.database)} == set(ids)
    [session] = stores.log.list_sessions()
    assert session.name == "Gold items · gold.csv"
    log = stores.log.load_log(session.id)
    assert list(log[col.ORIGIN]) == ["gold", "gold"] and list(log[col.TASK]) == ["Emails", "Emails"]


def test_the_clock_of_a_review_caps_each_silent_stretch(stores):
    ids = log_rows(stores, 2)
    queue = stores.queues.create("Clock", ids, created_by="lead", source="test")
    at = [T0 + timedelta(seconds=s) for s in (0, 100, 1100, 1130)]
    mark_shown(stores.database, queue.id, ids[0], "qa-1", now=at[0])
    mark_shown(stores.database, queue.id, ids[0], "qa-1", now=at[1])  # a page run: 100 s so far
    mark_shown(stores.database, queue.id, ids[0], "qa-1", now=at[2])  # 1000 s of silence: 300 s
    stores.queues.submit_review(queue.id, ids[0], "qa-1", Rating(thumbs="up"), connection_id=CONNECTION, now=at[3])
    assert record_review_time(stores.database, queue.id, ids[0], "qa-1", now=at[3]) == 100 + IDLE_CAP_SECONDS + 30
    # Shown again after the review (an edit), the time stays the first one.
    mark_shown(stores.database, queue.id, ids[0], "qa-1", now=at[3] + timedelta(hours=1))
    assert record_review_time(stores.database, queue.id, ids[0], "qa-1", now=at[3] + timedelta(hours=2)) == 430.0
    assert record_review_time(stores.database, queue.id, ids[1], "qa-1") is None  # never shown
    [review] = all_reviews(stores.database, queue.id)
    assert review.seconds == 430.0


def log_rows(stores, count: int) -> list[str]:
    from hive_review.log.entries import LogEntry

    session = stores.log.create_session("lead")
    ids = [f"g-{n}" for n in range(count)]
    stores.log.add_entries([LogEntry(generation_id=gid, session_id=session.id, reviewer="lead", task="t",
                                     prompt_version="1", completion="c") for gid in ids])  # fmt: skip
    return ids


def test_a_gold_rating_never_reaches_honeyhive(stores, emulator):
    with HoneyHiveClient(emulator.api_key, emulator.url, max_retries=1, timeout=10) as client:
        [real] = log_generations(client, stores, 1)
        [gold] = add_gold_items(stores.database, stores.log, read_gold_file(
            b"completion,expected_thumbs\nA known bad answer,down\n", "gold.csv"), gold_set="gold.csv",
            uploaded_by="lead", task="Sandbox - Email Writer")  # fmt: skip
        queue = stores.queues.create("Mixed", [real, gold], overlap=2, created_by="lead", source="test")
        for reviewer in ("qa-1", "qa-2"):
            for _ in range(2):
                item = stores.queues.next_item(queue.id, reviewer)
                assert item is not None
                stores.queues.submit_review(queue.id, item.generation_id, reviewer, Rating(thumbs="down", stars=2),
                                            connection_id=CONNECTION)  # fmt: skip
        stores.feedback.save_rating(gold, Rating(thumbs="up"), reviewer="qa-3", connection_id=CONNECTION)  # private
        outbox = FeedbackOutbox(stores.feedback, client, connection_id=CONNECTION).start()
        try:
            assert outbox.drain(20)
        finally:
            outbox.stop()
    delivered = deliveries_at(emulator)
    assert {d.get("generation_id") for d in delivered} == {real}  # the real one arrived; the gold one never
    assert len(delivered) == 1  # rev qa-2 superseded qa-1's unsent rating of it
    assert stores.feedback.deliveries(gold) == []
    assert stores.log.get_entry(gold)[col.THUMBS] == "up"  # kept in the log all the same
    assert len(all_reviews(stores.database, queue.id)) == 4
