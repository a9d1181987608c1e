"""Reviewer quality on the seeded scenario of ``quality_scenario`` (3 reviewers, 60 items, 6 gold),
on a real SQLite file and a real PostgreSQL server: gold accuracy and its trend, the flagged
reviewer, time per item, the split items, adjudication changing what Numbers computes on, and the
export carrying the individual reviews with the final verdict."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pandas as pd
import pytest
from quality_scenario import (
    ANA,
    BATCH_ITEMS,
    BEN,
    CY,
    DAY_1,
    EXPECTED_ACCURACY,
    GOLD_ITEMS,
    NEAR_MISS,
    SPLIT,
    TASK,
    WEAK,
    Scenario,
    base_rating,
    build,
)

from hive_review.compare.variant_numbers import variant_numbers
from hive_review.log import columns as col
from hive_review.log.exports import export_csv, export_jsonl
from hive_review.log.import_files import read_export
from hive_review.quality.adjudication import adjudicate, final_verdicts
from hive_review.quality.gold_accuracy import gold_results, reviewer_accuracy, trend_by_count, trend_by_day
from hive_review.quality.gold_rows import GOLD_ORIGIN
from hive_review.quality.reviews import all_reviews
from hive_review.quality.split_items import split_items
from hive_review.quality.time_stats import median_by_reviewer, median_by_variant
from hive_review.quality.verdict_frames import FINAL_BY, REVIEWS_JSON, export_frame, numbers_frame
from hive_review.stores import Stores, open_stores


@pytest.fixture
def stores(database_url):
    stores = open_stores(database_url)
    yield stores
    stores.close()


@pytest.fixture
def scenario(stores: Stores) -> Scenario:
    return build(stores)


def test_the_queue_holds_sixty_items_one_in_ten_gold_at_unpredictable_places(stores, scenario):
    assert stores.queues.progress(scenario.queue.id).items_total == BATCH_ITEMS + GOLD_ITEMS == 60
    positions = [r.position for r in all_reviews(stores.database, scenario.queue.id)
                 if r.reviewer == ANA and r.generation_id in scenario.gold_in_order]  # fmt: skip
    assert [(p - 1) // 10 for p in positions] == [0, 1, 2, 3, 4, 5]  # one in each block of ten
    assert len({(p - 1) % 10 for p in positions}) > 1  # not at one fixed place in the block
    gold_rows = [stores.log.get_entry(gid) for gid in scenario.gold_in_order]
    # Shown as any item: the task and variant of the file, an ordinary id; only the origin says gold.
    assert {(r[col.TASK], r[col.ORIGIN]) for r in gold_rows} == {(TASK, GOLD_ORIGIN)}
    assert not any(gid.startswith("gold") for gid in scenario.gold_in_order)


def test_gold_accuracy_per_reviewer_and_the_weak_reviewer_is_flagged(stores, scenario):
    results = gold_results(stores.database)
    accuracy = {row.reviewer: row for row in reviewer_accuracy(results)}
    assert {who: (row.reviewed, row.right) for who, row in accuracy.items()} == EXPECTED_ACCURACY
    assert accuracy[ANA].accuracy == 1.0 and accuracy[BEN].accuracy == pytest.approx(5 / 6)
    assert [who for who, row in accuracy.items() if row.flagged] == [WEAK]
    assert accuracy[CY].accuracy == 0.5
    # A threshold above 5/6 flags rev-ben too.
    assert [row.reviewer for row in reviewer_accuracy(results, threshold=0.9) if row.flagged] == [BEN, CY]


def test_gold_accuracy_trend_per_day_and_per_ten_gold_items(stores, scenario):
    results = gold_results(stores.database, scenario.queue.id)
    days = {(p.reviewer, p.period): (p.reviewed, p.right) for p in trend_by_day(results)}
    first, second = DAY_1.date().isoformat(), (DAY_1 + timedelta(days=1)).date().isoformat()
    assert days == {
        (ANA, first): (3, 3), (ANA, second): (3, 3),
        (BEN, first): (3, 3), (BEN, second): (3, 2),
        (CY, first): (3, 0), (CY, second): (3, 3),
    }  # fmt: skip
    blocks = {(p.reviewer, p.period): (p.reviewed, p.right) for p in trend_by_count(results, block=3)}
    assert blocks[(CY, "1-3")] == (3, 0) and blocks[(CY, "4-6")] == (3, 3)


def test_time_per_item_with_idle_capped_median_per_reviewer_and_variant(stores, scenario):
    reviews = all_reviews(stores.database, scenario.queue.id)
    assert len(reviews) == 180 and all(review.seconds is not None for review in reviews)
    idle = next(r for r in reviews if r.reviewer == CY and r.generation_id == scenario.batch[1])
    assert idle.seconds == 300.0  # an hour open counts five minutes
    medians = {row.reviewer: (row.items, row.median_seconds) for row in median_by_reviewer(stores.database)}
    assert medians == {ANA: (60, 20.0), BEN: (60, 40.0), CY: (60, 10.0)}
    variants = {
        (v.prompt_version, v.prompt_name): (v.items, v.median_seconds) for v in median_by_variant(stores.database)
    }
    assert variants == {("1", "v1"): (81, 20.0), ("2", "v2"): (81, 30.0)}  # 27 items × 3, gold left out


def test_split_items_are_exactly_the_disagreeing_ones(stores, scenario):
    split = split_items(stores.database, scenario.queue.id)
    found = {scenario.batch.index(item.generation_id): item.reasons for item in split}
    assert found == SPLIT
    assert NEAR_MISS not in found  # stars 4 and 5 agree
    assert not {item.generation_id for item in split} & set(scenario.gold_in_order)  # rev-cy's gold misses too
    five = next(item for item in split if item.generation_id == scenario.batch[5])
    assert [(r.reviewer, r.thumbs) for r in five.reviews] == [(ANA, "up"), (BEN, "down"), (CY, "up")]
    assert split_items(stores.database, None) == split  # every queue: the same, there is one


def test_adjudication_changes_what_numbers_use_and_leaves_the_list(stores, scenario):
    log = stores.log.load_log(None)
    before = {n.version: n for n in variant_numbers(numbers_frame(log, final_verdicts(stores.database)))}
    # Gold items are left out: 27 batch items per version, not 30.
    assert {version: n.generations for version, n in before.items()} == {"1": 27, "2": 27}
    item_5, item_9 = scenario.batch[5], scenario.batch[9]
    assert base_rating(5).thumbs == "up"  # the log holds rev-cy's up
    adjudicate(stores.database, scenario.queue.id, item_5, thumbs="down", stars=2, comment="Ben is right: the refund "
               "policy is wrong", adjudicator="lead", now=DAY_1 + timedelta(days=2))  # fmt: skip
    adjudicate(stores.database, scenario.queue.id, item_9, thumbs="down", stars=2, adjudicator="lead")

    verdicts = final_verdicts(stores.database, scenario.queue.id)
    assert set(verdicts) == {item_5, item_9} and verdicts[item_5].adjudicator == "lead"
    assert final_verdicts(stores.database) == verdicts
    after = {n.version: n for n in variant_numbers(numbers_frame(log, verdicts))}
    assert after["2"].ups == before["2"].ups - 1  # item 5 (version 2) counts as a thumbs down now
    assert after["2"].thumbs == before["2"].thumbs
    # Both items are of version 2 (odd): 4 → 2 stars each (item 9's 4 was rev-cy's).
    assert after["2"].stars.sum() == before["2"].stars.sum() - 4
    assert after["1"].ups == before["1"].ups and after["1"].stars.sum() == before["1"].stars.sum()
    assert stores.log.get_entry(item_5)[col.THUMBS] == "up"  # the log and the reviews are not changed

    left = {scenario.batch.index(item.generation_id) for item in split_items(stores.database, scenario.queue.id)}
    assert left == {17, 30}
    settled = split_items(stores.database, scenario.queue.id, which="settled")
    assert {item.generation_id for item in settled} == {item_5, item_9}
    # Setting it again replaces it.
    adjudicate(stores.database, scenario.queue.id, item_5, thumbs="up", stars=None, adjudicator="pm")
    assert final_verdicts(stores.database)[item_5].thumbs == "up"
    assert final_verdicts(stores.database)[item_5].adjudicator == "pm"


def test_a_verdict_must_say_something_and_be_of_an_item_of_the_queue(stores, scenario):
    item = scenario.batch[5]
    with pytest.raises(ValueError, match="Give the final verdict"):
        adjudicate(stores.database, scenario.queue.id, item, thumbs=None, stars=None, adjudicator="lead")
    with pytest.raises(ValueError, match="reviewer id"):
        adjudicate(stores.database, scenario.queue.id, item, thumbs="up", stars=None, adjudicator=" ")
    with pytest.raises(ValueError, match="Stars are 1 to 5"):
        adjudicate(stores.database, scenario.queue.id, item, thumbs=None, stars=7, adjudicator="lead")
    with pytest.raises(KeyError):
        adjudicate(stores.database, scenario.queue.id, "not-an-item", thumbs="up", stars=None, adjudicator="lead")
    assert final_verdicts(stores.database) == {}


def test_the_export_carries_the_individual_reviews_and_the_final_verdict(stores, scenario):
    item_5, item_17 = scenario.batch[5], scenario.batch[17]
    adjudicate(stores.database, scenario.queue.id, item_5, thumbs="down", stars=2, labels=("wrong policy",),
               comment="Refunds take 14 days", ideal_answer="Your refund arrives within 14 days.",
               adjudicator="lead")  # fmt: skip
    frame = export_frame(stores.log.load_log(None), final_verdicts(stores.database), all_reviews(stores.database))
    lines = [json.loads(line) for line in export_jsonl(frame).decode().splitlines()]
    by_id = {line[col.GENERATION_ID]: line for line in lines}
    settled = by_id[item_5]
    assert (settled[col.THUMBS], settled[col.RATING], settled[col.LABELS]) == ("down", 2, "wrong policy")
    assert settled[col.COMMENT] == "Refunds take 14 days" and settled[FINAL_BY] == "lead"
    assert settled[col.IDEAL_ANSWER] == "Your refund arrives within 14 days."
    reviews = json.loads(settled[REVIEWS_JSON])
    assert [(r["reviewer"], r["thumbs"], r["stars"]) for r in reviews] == [
        (ANA, "up", 4),
        (BEN, "down", 4),
        (CY, "up", 4),
    ]
    assert all(r["seconds"] is not None for r in reviews)
    open_item = by_id[item_17]  # not adjudicated yet: the log's rating, and still every review
    assert open_item[col.THUMBS] == "up" and open_item[FINAL_BY] is None
    assert len(json.loads(open_item[REVIEWS_JSON])) == 3
    # The CSV export imports back: the final verdict in the rating columns, the reviews beside them.
    back = read_export(export_csv(frame), "log.csv")
    row = back[back[col.GENERATION_ID] == item_5].iloc[0]
    assert row[col.THUMBS] == "down" and len(json.loads(row[REVIEWS_JSON])) == 3
    assert isinstance(pd.read_json(io.BytesIO(export_jsonl(frame)), lines=True), pd.DataFrame)
