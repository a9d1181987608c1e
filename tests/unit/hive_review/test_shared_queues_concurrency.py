"""A team on one shared queue: two studio "processes" (two ``open_stores`` on one database URL, each
its own engine and pool) used from several threads each, on a real SQLite file and a real PostgreSQL
server. Time is moved with ``now=``; threads are joined, never waited for with sleeps."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from hive_review.compare.stats import fleiss_kappa
from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.stores import Stores, open_stores
from hive_review.team import ReservationLost

T0 = datetime(2025, 6, 20, 9, 0, tzinfo=UTC)
CONNECTION = "test-connection"


@pytest.fixture
def processes(database_url):
    first, second = open_stores(database_url), open_stores(database_url)
    yield first, second
    first.close()
    second.close()


def seed(stores: Stores, count: int, prefix: str = "g") -> list[str]:
    session = stores.log.create_session("lead")
    ids = [f"{prefix}-{n:02d}" for n in range(1, count + 1)]
    stores.log.add_entries([LogEntry(generation_id=gid, session_id=session.id, reviewer="lead", task="t",
                                     prompt_version="1", completion=f"answer {gid}") for gid in ids])  # fmt: skip
    return ids


def thumbs_of(reviewer: str, generation_id: str) -> str:
    """Each reviewer's fixed opinion of each item, so agreement is something to compute."""
    return "up" if (int(generation_id[-2:]) + len(reviewer) * int(reviewer[-1])) % 3 else "down"


def review_until_empty(stores: Stores, queue_id: str, reviewer: str, now: datetime, start: threading.Barrier):
    """One reviewer at work: open the next item and rate it, until the queue has nothing for them.
    Everyone asks for a first item at once and waits for the others to have theirs: SQLite's lock is
    not fair, so without that one reviewer may never get a turn, which would test nothing."""
    start.wait(30)
    item = stores.queues.next_item(queue_id, reviewer, now=now)
    start.wait(60)
    handed: list[str] = []
    while item is not None:
        handed.append(item.generation_id)
        rating = Rating(thumbs=thumbs_of(reviewer, item.generation_id))  # type: ignore[arg-type]
        stores.queues.submit_review(queue_id, item.generation_id, reviewer, rating, connection_id=CONNECTION, now=now)
        item = stores.queues.next_item(queue_id, reviewer, now=now)
    return handed


def run_team(team: dict[str, Stores], queue_id: str, now: datetime) -> dict[str, list[str]]:
    start = threading.Barrier(len(team))
    with ThreadPoolExecutor(len(team)) as pool:
        futures = {
            who: pool.submit(review_until_empty, stores, queue_id, who, now, start) for who, stores in team.items()
        }
        return {who: future.result(timeout=240) for who, future in futures.items()}


def test_four_reviewers_on_two_processes_review_forty_items_exactly_twice_and_an_abandoned_item_moves_on(processes):
    first, second = processes
    ids = seed(first, 40)
    queue = second.queues.create("Team QA", ids, overlap=2, reservation_seconds=30, created_by="lead",
                                 source="batch b-1")  # fmt: skip
    # A fifth reviewer opens the first item and leaves for good.
    assert first.queues.next_item(queue.id, "qa-gone", now=T0).generation_id == "g-01"
    team = {"qa-1": first, "qa-2": first, "qa-3": second, "qa-4": second}

    handed = run_team(team, queue.id, now=T0 + timedelta(seconds=10))
    # Every slot but the one still reserved to the reviewer who left.
    progress = first.queues.progress(queue.id, now=T0 + timedelta(seconds=10))
    assert (progress.items_done, progress.reviews_done, progress.reserved) == (39, 79, 1)
    # Once that reservation has expired, someone else takes the slot.
    later = run_team(team, queue.id, now=T0 + timedelta(seconds=31))
    assert [items for items in later.values() if items] == [["g-01"]]
    with pytest.raises(ReservationLost):
        first.queues.submit_review(queue.id, "g-01", "qa-gone", Rating(thumbs="up"), connection_id=CONNECTION,
                                   now=T0 + timedelta(seconds=40))  # fmt: skip

    for who in team:
        items = handed[who] + later[who]
        assert len(items) == len(set(items)), f"{who} was handed an item twice"
    reviews = second.queues.reviews(queue.id)
    by_item: dict[str, list[str]] = defaultdict(list)
    for row in reviews:
        by_item[row["generation_id"]].append(row["reviewer"])
    assert sorted(by_item) == ids
    assert all(len(who) == 2 and len(set(who)) == 2 for who in by_item.values()), by_item
    assert "qa-gone" not in {row["reviewer"] for row in reviews}
    assert sorted(Counter(row["reviewer"] for row in reviews).items()) == sorted(
        (who, len(handed[who]) + len(later[who])) for who in team if handed[who] or later[who]
    )
    assert all(handed.values())  # all four, on both processes, reviewed side by side
    done = first.queues.progress(queue.id, now=T0 + timedelta(seconds=40))
    assert (done.items_done, done.items_total, done.reviews_done, done.reviews_needed) == (40, 40, 80, 80)
    assert sum(p.reviewed for p in done.reviewers.values()) == 80

    # Every rating also went the normal way: the log row holds the item's latest review.
    assert all(first.log.get_entry(gid)["thumbs"] in ("up", "down") for gid in ids)
    # Agreement, live from the database either process reads: four raters, two per item.
    thumbs = second.queues.agreement(queue.id).thumbs
    assert (thumbs.raters, thumbs.items, thumbs.cohen_kappa) == (4, 40, None)
    counts = [[sum(thumbs_of(who, gid) == value for who in by_item[gid]) for value in ("down", "up")] for gid in ids]
    assert thumbs.fleiss_kappa == pytest.approx(fleiss_kappa(counts))
    assert sum(pair.items for pair in thumbs.pairs) == 40


@pytest.mark.parametrize(("items", "overlap"), [(1, 2), (3, 2), (2, 3), (5, 1), (10, 2)])
def test_eight_threads_asking_at_once_never_hand_one_slot_to_two_reviewers(processes, items, overlap):
    first, second = processes
    ids = seed(first, items)
    for round_ in range(3):
        queue = first.queues.create(f"Round {round_}", ids, overlap=overlap, created_by="lead", source="test")
        reviewers = [f"qa-{n}" for n in range(8)]
        start = threading.Barrier(len(reviewers))

        def ask(who: str, queue_id: str = queue.id, start: threading.Barrier = start):
            stores = first if int(who[-1]) % 2 else second
            start.wait(30)
            item = stores.queues.next_item(queue_id, who, now=T0)
            return item.generation_id if item else None

        with ThreadPoolExecutor(len(reviewers)) as pool:
            got = dict(zip(reviewers, pool.map(ask, reviewers, timeout=120), strict=True))
        holders = Counter(gid for gid in got.values() if gid is not None)
        # Every slot handed out once, and none refused while one was free.
        assert sum(holders.values()) == min(len(reviewers), items * overlap), got
        assert all(count <= overlap for count in holders.values()), got
        assert first.queues.progress(queue.id, now=T0).reserved == sum(holders.values())


def test_one_reviewer_in_eight_tabs_on_two_processes_holds_one_item(processes):
    first, second = processes
    ids = seed(first, 5)
    queue = first.queues.create("Tabs", ids, overlap=2, created_by="lead", source="test")
    start = threading.Barrier(8)

    def ask(n: int):
        start.wait(30)
        return (first if n % 2 else second).queues.next_item(queue.id, "qa-1", now=T0).generation_id

    with ThreadPoolExecutor(8) as pool:
        got = set(pool.map(ask, range(8), timeout=120))
    assert len(got) == 1
    progress = second.queues.progress(queue.id, now=T0)
    assert progress.reserved == 1 and progress.reviewers["qa-1"].reserved == 1
