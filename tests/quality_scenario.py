"""A seeded team scenario for reviewer quality: 3 reviewers, 60 items (54 of a batch and 6 gold items
mixed in one in ten), every item reviewed by all three, on two days, each review timed.

What it implies, worked out by hand (the tests check the code against these):

* Gold (in queue order g1…g6): rev-ana answers all six right (100%); rev-ben misses g5 (5 of 6,
  83%: not flagged); rev-cy misses g1, g2 and g3 (3 of 6, 50%: flagged), all on day 1 (0 of 3 that
  day, 3 of 3 on day 2).
* Batch item i (0-53): thumbs up unless i is a multiple of 3, stars 4 for up and 2 for down, no
  labels. rev-ben flips the thumbs of items 5 and 17 (thumbs split); rev-cy gives item 9 four stars
  against two (stars 2 to 4), item 30 the label "verbose" (labels differ) and item 40 five stars
  against four (one apart: not a disagreement). So exactly items 5, 9, 17 and 30 are split.
* Time: rev-ana 20 s per item, rev-ben 40 s, rev-cy 10 s, plus 10 s on version 2 (odd items); rev-cy
  leaves item 1 open an hour, which counts 300 s. Medians: ana 20, ben 40, cy 10; version 1: 20,
  version 2: 30.
* Reviews are given ana, then ben, then cy: the log keeps rev-cy's rating of each item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.quality.gold_mix import mix_gold
from hive_review.quality.gold_store import add_gold_items
from hive_review.quality.gold_upload import read_gold_file
from hive_review.quality.item_timer import mark_shown, record_review_time
from hive_review.stores import Stores
from hive_review.team import SharedQueue

TASK = "Sandbox - Email Writer"
ANA, BEN, CY = "rev-ana", "rev-ben", "rev-cy"
REVIEWERS = (ANA, BEN, CY)
WEAK = CY
BATCH_ITEMS = 54
GOLD_ITEMS = 6
SPLIT = {5: ("thumbs split",), 9: ("stars 2 to 4",), 17: ("thumbs split",), 30: ("labels differ",)}
NEAR_MISS = 40  # stars 4 and 5: not split
DAY_1 = datetime(2025, 6, 20, 9, 0, tzinfo=UTC)
SECONDS = {ANA: 20.0, BEN: 40.0, CY: 10.0}
IDLE_ITEM = 1  # rev-cy leaves it open an hour
CONNECTION = "scenario-connection"

# The lead's file: the expected verdicts, and per row a right and a wrong answer.
GOLD_CSV = (
    "input.topic,completion,expected_thumbs,expected_stars,expected_labels,task,prompt_name,prompt_version\n"
    f"refund,Gold answer one,up,,,{TASK},v1,1\n"
    f"refund,Gold answer two,down,,,{TASK},v2,2\n"
    f"refund,Gold answer three,,4-5,,{TASK},v1,1\n"
    f"refund,Gold answer four,,2,,{TASK},v2,2\n"
    f"refund,Gold answer five,,,hallucination,{TASK},v1,1\n"
    f"refund,Gold answer six,down,1-2,,{TASK},v2,2\n"
)
GOLD_ANSWERS: tuple[tuple[Rating, Rating], ...] = (  # (right, wrong), in the file's order
    (Rating(thumbs="up"), Rating(thumbs="down")),
    (Rating(thumbs="down"), Rating(thumbs="up")),
    (Rating(stars=5), Rating(stars=3)),
    (Rating(stars=2), Rating(stars=3)),
    (Rating(labels=("hallucination", "verbose")), Rating(labels=("verbose",))),
    (Rating(thumbs="down", stars=1), Rating(thumbs="down", stars=3)),
)
MISSED = {ANA: set(), BEN: {4}, CY: {0, 1, 2}}  # by place among the gold items in queue order
EXPECTED_ACCURACY = {ANA: (6, 6), BEN: (6, 5), CY: (6, 3)}  # (reviewed, right)


@dataclass(frozen=True)
class Scenario:
    queue: SharedQueue
    batch: list[str]  # batch item i → its generation id
    gold_in_order: list[str]  # gold items by their place in the queue
    gold_by_row: list[str]  # gold items by their row in the file


def base_rating(i: int) -> Rating:
    up = i % 3 != 0
    return Rating(thumbs="up" if up else "down", stars=4 if up else 2)


def batch_rating(reviewer: str, i: int) -> Rating:
    rating = base_rating(i)
    if reviewer == BEN and i in (5, 17):
        return Rating(thumbs="down" if rating.thumbs == "up" else "up", stars=rating.stars)
    if reviewer == CY and i == 9:
        return Rating(thumbs=rating.thumbs, stars=4)
    if reviewer == CY and i == 30:
        return Rating(thumbs=rating.thumbs, stars=rating.stars, labels=("verbose",))
    if reviewer == CY and i == NEAR_MISS:
        return Rating(thumbs=rating.thumbs, stars=5)
    return rating


def seed_items(stores: Stores) -> tuple[list[str], list[str]]:
    """The batch's 54 generations (versions 1 and 2 alternating) and the lead's 6 gold items."""
    session = stores.log.create_session("lead")
    batch = [f"item-{i:02d}" for i in range(BATCH_ITEMS)]
    stores.log.add_entries(
        [
            LogEntry(generation_id=gid, session_id=session.id, reviewer="lead", task=TASK,
                     prompt_name=f"v{i % 2 + 1}", prompt_version=str(i % 2 + 1), completion=f"answer {i}",
                     inputs={"topic": f"topic {i}"}, origin="batch")
            for i, gid in enumerate(batch)
        ]
    )  # fmt: skip
    rows = read_gold_file(GOLD_CSV.encode(), "gold.csv")
    gold = add_gold_items(stores.database, stores.log, rows, gold_set="gold.csv", uploaded_by="lead")
    return batch, gold


def build(stores: Stores) -> Scenario:
    batch, gold = seed_items(stores)
    ids = mix_gold(batch, gold, every=10, seed=14)
    queue = stores.queues.create("Quality week", ids, overlap=3, created_by="lead", source="batch b-14")
    in_order = [gid for gid in ids if gid in set(gold)]
    scenario = Scenario(queue, batch, in_order, gold)
    for reviewer in REVIEWERS:
        review_all(stores, scenario, reviewer)
    return scenario


def rating_of(scenario: Scenario, reviewer: str, generation_id: str) -> Rating:
    if generation_id in scenario.gold_in_order:
        right, wrong = GOLD_ANSWERS[scenario.gold_by_row.index(generation_id)]
        return wrong if scenario.gold_in_order.index(generation_id) in MISSED[reviewer] else right
    return batch_rating(reviewer, scenario.batch.index(generation_id))


def seconds_of(scenario: Scenario, reviewer: str, generation_id: str) -> float:
    if reviewer == CY and generation_id == scenario.batch[IDLE_ITEM]:
        return 3600.0
    odd = generation_id in scenario.batch and scenario.batch.index(generation_id) % 2 == 1
    return SECONDS[reviewer] + (10.0 if odd else 0.0)


def review_all(stores: Stores, scenario: Scenario, reviewer: str) -> None:
    """The reviewer opens and reviews every item in queue order: items 1-30 on day 1, the rest on day 2."""
    while True:
        shown = DAY_1
        item = stores.queues.next_item(scenario.queue.id, reviewer, now=shown)
        if item is None:
            return
        shown = DAY_1 + timedelta(days=item.position > 30, minutes=2 * item.position)
        gid = item.generation_id
        mark_shown(stores.database, scenario.queue.id, gid, reviewer, now=shown)
        done = shown + timedelta(seconds=seconds_of(scenario, reviewer, gid))
        stores.queues.submit_review(scenario.queue.id, gid, reviewer, rating_of(scenario, reviewer, gid),
                                    connection_id=CONNECTION, now=done)  # fmt: skip
        record_review_time(stores.database, scenario.queue.id, gid, reviewer, now=done)
