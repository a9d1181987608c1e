"""Shared review queues (team mode) on a real SQLite file and a real PostgreSQL server: slots and
reservations, skips, expiry (time moved with ``now=``, never slept), reviews written with the
rating, progress and agreement checked against numbers worked out by hand.

One file a little over 300 lines: every test builds on the same seeded log, queue helpers and
moved clock (``at``) defined at the top."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.stores import Stores, open_stores
from hive_review.team import QueueError, ReservationLost, ReviewerProgress

T0 = datetime(2025, 6, 20, 9, 0, tzinfo=UTC)
CONNECTION = "test-connection"


@pytest.fixture
def stores(database_url):
    stores = open_stores(database_url)
    yield stores
    stores.close()


def seed(stores: Stores, count: int) -> list[str]:
    """``count`` generations in the session log, as a batch would leave them."""
    session = stores.log.create_session("lead")
    ids = [f"g-{n:02d}" for n in range(1, count + 1)]
    stores.log.add_entries([LogEntry(generation_id=gid, session_id=session.id, reviewer="lead", task="t",
                                     prompt_version="1", completion=f"answer {gid}") for gid in ids])  # fmt: skip
    return ids


def make_queue(stores: Stores, ids: list[str], **settings):
    return stores.queues.create("Launch QA", ids, created_by="lead", source="batch b-1", **settings)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def review(stores: Stores, queue_id: str, reviewer: str, rating: Rating, now: datetime = T0) -> str:
    """Open the next item and rate it; the generation rated."""
    item = stores.queues.next_item(queue_id, reviewer, now=now)
    assert item is not None, f"{reviewer} got nothing"
    stores.queues.submit_review(queue_id, item.generation_id, reviewer, rating, connection_id=CONNECTION, now=now)
    return item.generation_id


def test_a_queue_keeps_its_settings_and_refuses_what_cannot_work(stores):
    ids = seed(stores, 3)
    first = make_queue(stores, [*ids, ids[0]])  # a repeated id counts once
    second = stores.queues.create("Refusals", ids[:1], overlap=3, reservation_seconds=30, created_by="pm",
                                  source="log filter: thumbs=down")  # fmt: skip
    assert (first.overlap, first.reservation_seconds, first.source) == (1, 600, "batch b-1")
    assert stores.queues.get(second.id) == second
    assert {queue.id for queue in stores.queues.list()} == {first.id, second.id}
    assert stores.queues.progress(first.id).items_total == 3
    with pytest.raises(ValueError, match="not in the session log"):
        make_queue(stores, [ids[0], "g-unknown"])
    for bad in ({"overlap": 0}, {"reservation_seconds": 0}):
        with pytest.raises(ValueError):
            make_queue(stores, ids, **bad)
    with pytest.raises(ValueError, match="at least one generation"):
        make_queue(stores, [])
    with pytest.raises(KeyError):
        stores.queues.next_item("no-such-queue", "qa-1")
    assert len(stores.queues.list()) == 2  # nothing half-made by the refusals


def test_with_overlap_two_two_reviewers_hold_an_item_a_third_does_not_and_nobody_holds_two(stores):
    ids = seed(stores, 3)
    queue = make_queue(stores, ids, overlap=2)
    a = stores.queues.next_item(queue.id, "qa-a", now=T0)
    b = stores.queues.next_item(queue.id, "qa-b", now=T0)
    c = stores.queues.next_item(queue.id, "qa-c", now=T0)
    assert (a.generation_id, b.generation_id, c.generation_id) == ("g-01", "g-01", "g-02")
    assert (a.position, c.position) == (1, 2)
    assert a.reserved_until == at(600)
    # Asking again while the reservation lives: the same item, renewed, not a second one.
    again = stores.queues.next_item(queue.id, "qa-a", now=at(100))
    assert (again.generation_id, again.reserved_until) == ("g-01", at(700))
    progress = stores.queues.progress(queue.id, now=at(100))
    assert progress.reserved == 3
    assert progress.reviewers["qa-a"] == ReviewerProgress(reviewed=0, skipped=0, reserved=1)


def test_a_reviewer_never_gets_an_item_they_reviewed(stores):
    ids = seed(stores, 3)
    queue = make_queue(stores, ids, overlap=2)
    seen = [review(stores, queue.id, "qa-a", Rating(thumbs="up")) for _ in ids]
    assert seen == ids
    assert stores.queues.next_item(queue.id, "qa-a", now=T0) is None  # every item still needs a second review
    assert [review(stores, queue.id, "qa-b", Rating(stars=4)) for _ in ids] == ids
    assert stores.queues.next_item(queue.id, "qa-c", now=T0) is None  # all done
    progress = stores.queues.progress(queue.id)
    assert (progress.items_done, progress.reviews_done, progress.reviews_needed) == (3, 6, 6)


def test_a_skip_means_not_me_the_item_goes_to_others_and_never_back_to_the_skipper(stores):
    ids = seed(stores, 2)
    queue = make_queue(stores, ids)
    assert stores.queues.next_item(queue.id, "qa-a", now=T0).generation_id == "g-01"
    stores.queues.skip(queue.id, "g-01", "qa-a", now=T0)
    assert stores.queues.next_item(queue.id, "qa-a", now=T0).generation_id == "g-02"
    assert stores.queues.next_item(queue.id, "qa-b", now=T0).generation_id == "g-01"  # back in the pool
    stores.queues.skip(queue.id, "g-01", "qa-b", now=T0)
    stores.queues.submit_review(queue.id, "g-02", "qa-a", Rating(thumbs="up"), connection_id=CONNECTION, now=T0)
    assert stores.queues.next_item(queue.id, "qa-a", now=at(10_000)) is None  # skipped: never offered again
    assert review(stores, queue.id, "qa-c", Rating(thumbs="down")) == "g-01"
    progress = stores.queues.progress(queue.id)
    assert progress.reviewers == {
        "qa-a": ReviewerProgress(reviewed=1, skipped=1),
        "qa-b": ReviewerProgress(skipped=1),
        "qa-c": ReviewerProgress(reviewed=1),
    }
    with pytest.raises(KeyError):
        stores.queues.skip(queue.id, "g-unknown", "qa-a")


def test_an_abandoned_reservation_expires_and_the_item_is_reviewed_by_someone_else(stores):
    ids = seed(stores, 3)
    queue = make_queue(stores, ids, reservation_seconds=30)
    assert stores.queues.next_item(queue.id, "qa-gone", now=T0).generation_id == "g-01"  # and never comes back
    assert review(stores, queue.id, "qa-b", Rating(thumbs="up"), now=at(5)) == "g-02"
    assert review(stores, queue.id, "qa-b", Rating(thumbs="up"), now=at(29)) == "g-03"  # g-01 still held
    assert stores.queues.next_item(queue.id, "qa-b", now=at(29.5)) is None
    assert review(stores, queue.id, "qa-b", Rating(thumbs="down", comment="late but fine"), now=at(31)) == "g-01"
    # The reviewer who left comes back: their slot was given away, so their rating is refused,
    # and, being one transaction with it, nothing of it reached the log or the outbox.
    with pytest.raises(ReservationLost):
        stores.queues.submit_review(queue.id, "g-01", "qa-gone", Rating(thumbs="up"), connection_id=CONNECTION,
                                    now=at(40))  # fmt: skip
    entry = stores.log.get_entry("g-01")
    assert (entry["reviewer"], entry["thumbs"], entry["comment"]) == ("qa-b", "down", "late but fine")
    assert len(stores.feedback.deliveries("g-01")) == 1
    assert [(r["generation_id"], r["reviewer"]) for r in stores.queues.reviews(queue.id)] == [
        ("g-01", "qa-b"), ("g-02", "qa-b"), ("g-03", "qa-b"),
    ]  # fmt: skip


def test_a_review_after_expiry_is_taken_while_nobody_else_took_the_slot(stores):
    ids = seed(stores, 2)
    queue = make_queue(stores, ids, reservation_seconds=30)
    assert stores.queues.next_item(queue.id, "qa-a", now=T0).generation_id == "g-01"
    assert stores.queues.progress(queue.id, now=at(31)).reserved == 0  # expired: holds nothing
    # Nobody took it meanwhile: asking again gives the same item, and a late review is kept.
    assert stores.queues.next_item(queue.id, "qa-a", now=at(31)).generation_id == "g-01"
    stores.queues.submit_review(queue.id, "g-01", "qa-a", Rating(stars=5), connection_id=CONNECTION, now=at(200))
    assert stores.queues.progress(queue.id).reviews_done == 1


def test_the_review_the_log_row_and_the_outbox_item_are_one_commit_and_an_edit_is_a_revision(stores):
    ids = seed(stores, 1)
    queue = make_queue(stores, ids, overlap=2)
    stores.queues.next_item(queue.id, "qa-a", now=T0)
    first = stores.queues.submit_review(queue.id, "g-01", "qa-a", Rating(thumbs="down", labels=("rude", "long")),
                                        connection_id=CONNECTION, now=T0)  # fmt: skip
    second = stores.queues.submit_review(queue.id, "g-01", "qa-a", Rating(thumbs="up", stars=4, comment="ok"),
                                         connection_id=CONNECTION, now=at(5))  # fmt: skip
    [kept] = stores.queues.reviews(queue.id)  # the blind verdict stays
    assert (kept["thumbs"], kept["stars"], kept["labels"], kept["comment"]) == ("down", None, "rude, long", None)
    assert kept["rating_id"] == first != second
    [revision] = stores.queues.revisions(queue.id)
    assert (revision["revision"], revision["thumbs"], revision["stars"], revision["rating_id"]) == (1, "up", 4, second)
    assert [d["status"] for d in stores.feedback.deliveries("g-01")] == ["superseded", "pending"]
    assert stores.log.get_entry("g-01")["rating"] == 4
    progress = stores.queues.progress(queue.id)
    assert (progress.reviews_done, progress.items_done) == (1, 0)  # an edit is not a second review
    with pytest.raises(QueueError):
        stores.queues.submit_review(queue.id, "g-01", "qa-b", Rating(), connection_id=CONNECTION)
    # record_review joins a transaction the caller opened, e.g. around its own save_rating.
    with pytest.raises(RuntimeError), stores.database.transaction() as db:
        rating_id = stores.feedback.save_rating("g-01", Rating(stars=1), reviewer="qa-b", connection_id="c", db=db)
        stores.queues.record_review(queue.id, "g-01", "qa-b", Rating(stars=1), rating_id=rating_id, db=db)
        raise RuntimeError("the caller fails after both writes")
    assert len(stores.queues.reviews(queue.id)) == 1
    assert stores.log.get_entry("g-01")["rating"] == 4


def test_an_edit_after_the_reveal_keeps_the_blind_verdict_adds_a_revision_and_leaves_agreement_alone(stores):
    ids = seed(stores, 2)
    queue = make_queue(stores, ids, overlap=2)
    for gid, (a, b) in zip(ids, [("up", "up"), ("down", "up")], strict=True):
        review(stores, queue.id, "qa-a", Rating(thumbs=a, stars=4))
        review(stores, queue.id, "qa-b", Rating(thumbs=b, stars=4))
        assert [r["generation_id"] for r in stores.queues.item_reviews(queue.id, gid)] == [gid, gid]
    before = stores.queues.agreement(queue.id)

    # qa-a sees qa-b's "up" on g-02 and changes their mind, twice.
    stores.queues.submit_review(queue.id, "g-02", "qa-a", Rating(thumbs="up", stars=5, comment="on second thought"),
                                connection_id=CONNECTION, now=at(60))  # fmt: skip
    assert stores.log.get_entry("g-02")["rating"] == 5  # the log row (and HoneyHive) get the latest, as today
    stores.queues.submit_review(queue.id, "g-02", "qa-a", Rating(thumbs="up"), connection_id=CONNECTION, now=at(120))

    blind = {(r["generation_id"], r["reviewer"]): r["thumbs"] for r in stores.queues.reviews(queue.id)}
    assert blind == {("g-01", "qa-a"): "up", ("g-01", "qa-b"): "up", ("g-02", "qa-a"): "down", ("g-02", "qa-b"): "up"}
    revisions = stores.queues.revisions(queue.id)
    assert [(r["generation_id"], r["reviewer"], r["revision"], r["thumbs"], r["stars"]) for r in revisions] == [
        ("g-02", "qa-a", 1, "up", 5),
        ("g-02", "qa-a", 2, "up", None),
    ]
    assert revisions[0]["comment"] == "on second thought"
    assert stores.queues.agreement(queue.id) == before  # agreement reads the blind verdicts only
    assert before.thumbs.items == 2 and before.thumbs.cohen_kappa != 1.0
    latest = {r["reviewer"]: (r["thumbs"], r["revision"]) for r in stores.queues.item_reviews(queue.id, "g-02")}
    assert latest == {"qa-a": ("up", 2), "qa-b": ("up", 0)}
    progress = stores.queues.progress(queue.id)
    assert (progress.reviews_done, progress.items_done) == (4, 2)  # a revision is not another review


def test_progress_per_queue_and_per_reviewer_on_a_seeded_scenario(stores):
    ids = seed(stores, 5)
    queue = make_queue(stores, ids, overlap=2, reservation_seconds=60)
    for _ in range(3):
        review(stores, queue.id, "qa-a", Rating(thumbs="up"))  # g-01, g-02, g-03
    assert review(stores, queue.id, "qa-b", Rating(thumbs="up")) == "g-01"
    assert stores.queues.next_item(queue.id, "qa-b", now=T0).generation_id == "g-02"
    stores.queues.skip(queue.id, "g-02", "qa-b", now=T0)
    assert review(stores, queue.id, "qa-b", Rating(thumbs="down")) == "g-03"
    assert stores.queues.next_item(queue.id, "qa-b", now=T0).generation_id == "g-04"  # held
    assert review(stores, queue.id, "qa-c", Rating(thumbs="up")) == "g-02"
    assert stores.queues.next_item(queue.id, "qa-c", now=T0).generation_id == "g-04"  # the second slot
    assert stores.queues.next_item(queue.id, "qa-a", now=T0).generation_id == "g-05"  # g-04's slots are held

    progress = stores.queues.progress(queue.id, now=at(30))
    assert (progress.items_total, progress.items_done) == (5, 3)
    assert (progress.reviews_done, progress.reviews_needed, progress.reserved) == (6, 10, 3)
    assert progress.reviewers == {
        "qa-a": ReviewerProgress(reviewed=3, skipped=0, reserved=1),
        "qa-b": ReviewerProgress(reviewed=2, skipped=1, reserved=1),
        "qa-c": ReviewerProgress(reviewed=1, skipped=0, reserved=1),
    }
    later = stores.queues.progress(queue.id, now=at(61))  # every reservation has expired
    assert later.reserved == 0 and later.reviewers["qa-c"] == ReviewerProgress(reviewed=1)


THUMBS_A = ["up"] * 6 + ["down"] * 4
THUMBS_B = ["up"] * 4 + ["down", "down", "up"] + ["down"] * 3
STARS_A = [5, 4, 3, 5] + [None] * 6
STARS_B = [5, 4, 2, 4] + [None] * 6


def test_agreement_of_two_reviewers_matches_kappas_worked_out_by_hand(stores):
    ids = seed(stores, 10)
    queue = make_queue(stores, ids, overlap=2)
    for reviewer, thumbs, stars in (("qa-a", THUMBS_A, STARS_A), ("qa-b", THUMBS_B, STARS_B)):
        for up, star in zip(thumbs, stars, strict=True):
            review(stores, queue.id, reviewer, Rating(thumbs=up, stars=star))
    result = stores.queues.agreement(queue.id)
    # Thumbs: both up 4, a-up/b-down 2, a-down/b-up 1, both down 3. p_o = 7/10; a says up 6 times, b 5:
    # p_e = .6 × .5 + .4 × .5 = .5, so Cohen's kappa = (.7 - .5) / (1 - .5) = 0.4.
    assert result.thumbs.cohen_kappa == pytest.approx(0.4)
    # Fleiss: P̄ = .7; up is 11 of 20 ratings, P̄_e = .55² + .45² = .505; (.7 - .505) / .495 = 13/33.
    assert result.thumbs.fleiss_kappa == pytest.approx(13 / 33)
    # Krippendorff (nominal): n = 20, n_up = 11, n_down = 9, 6 disagreeing ordered pairs:
    # 1 - (n - 1) × 6 / (2 × 11 × 9) = 1 - 114/198 = 14/33.
    assert result.thumbs.krippendorff_alpha == pytest.approx(14 / 33)
    assert (result.thumbs.raters, result.thumbs.items) == (2, 10)
    # Stars on 4 items: a 5 4 3 5, b 5 4 2 4. p_o = 2/4; p_e = (2·1 [5] + 1·2 [4]) / 16 = 1/4; kappa = 1/3.
    assert result.stars.cohen_kappa == pytest.approx(1 / 3)
    # Fleiss: P̄ = .5; shares 5: 3/8, 4: 3/8, 3: 1/8, 2: 1/8, P̄_e = 10/32; (.5 - .3125) / .6875 = 3/11.
    assert result.stars.fleiss_kappa == pytest.approx(3 / 11)
    assert result.stars.items == 4 and result.stars.krippendorff_alpha_ordinal is not None
    assert result.thumbs.krippendorff_alpha_ordinal is None
    assert [(p.reviewer_a, p.reviewer_b, p.items) for p in result.thumbs.pairs] == [("qa-a", "qa-b", 10)]


def test_agreement_of_three_reviewers_sharing_items_two_by_two(stores):
    """Overlap 2 among three reviewers: no pair rated everything, which Fleiss' kappa does not need."""
    ids = seed(stores, 4)
    queue = make_queue(stores, ids, overlap=2)
    given = {  # item: (reviewer, thumbs), (reviewer, thumbs)
        "g-01": (("qa-a", "up"), ("qa-b", "up")),
        "g-02": (("qa-a", "up"), ("qa-c", "down")),
        "g-03": (("qa-b", "down"), ("qa-c", "down")),
        "g-04": (("qa-a", "down"), ("qa-b", "down")),
    }
    for gid, pair in given.items():
        for reviewer, thumbs in pair:
            stores.queues.record_review(queue.id, gid, reviewer, Rating(thumbs=thumbs), now=T0)
    thumbs = stores.queues.agreement(queue.id).thumbs
    assert (thumbs.raters, thumbs.items, thumbs.cohen_kappa) == (3, 4, None)  # Cohen is for two raters
    # Fleiss: P_i = 1, 0, 1, 1 so P̄ = .75; up is 3 of 8: P̄_e = (3/8)² + (5/8)² = 17/32; (.75 - 17/32) / (15/32) = 7/15.
    assert thumbs.fleiss_kappa == pytest.approx(7 / 15)
    # Krippendorff: n_up = 3, n_down = 5, 2 disagreeing ordered pairs: 1 - 7 × 2 / (2 × 3 × 5) = 8/15.
    assert thumbs.krippendorff_alpha == pytest.approx(8 / 15)
    pairs = {(p.reviewer_a, p.reviewer_b): (p.items, p.cohen_kappa) for p in thumbs.pairs}
    assert pairs == {("qa-a", "qa-b"): (2, 1.0), ("qa-a", "qa-c"): (1, 0.0), ("qa-b", "qa-c"): (1, 1.0)}
    assert stores.queues.agreement(queue.id).stars.items == 0  # no stars given: nothing to agree on


def test_a_queue_of_overlap_one_has_no_agreement_and_its_tables_are_migrated(stores):
    ids = seed(stores, 2)
    queue = make_queue(stores, ids)
    review(stores, queue.id, "qa-a", Rating(thumbs="up"))
    review(stores, queue.id, "qa-b", Rating(thumbs="down"))
    thumbs = stores.queues.agreement(queue.id).thumbs
    assert (thumbs.items, thumbs.fleiss_kappa, thumbs.krippendorff_alpha, thumbs.pairs) == (0, None, None, ())
    tables = set(sa.inspect(stores.database.engine).get_table_names())
    assert {"shared_queues", "shared_queue_items", "shared_queue_reservations", "shared_reviews"} <= tables


def test_a_filter_of_the_log_becomes_a_queue_of_exactly_its_rows_in_the_order_they_were_made(stores):
    from hive_review.log.filters import LogFilter, apply_filter
    from hive_review.team.sources import filtered_generation_ids, log_filter_source

    session = stores.log.create_session("lead")
    made = [("g-03", "t1", "alpha"), ("g-01", "t1", "beta"), ("g-02", "t2", "alpha"), ("g-04", "t1", "alpha")]
    stores.log.add_entries([LogEntry(generation_id=gid, session_id=session.id, reviewer="lead", task=task,
                                     prompt_version="1", completion=f"{word} {gid}", timestamp=at(n))
                            for n, (gid, task, word) in enumerate(made)])  # fmt: skip
    stores.feedback.save_rating("g-04", Rating(thumbs="down"), reviewer="lead", connection_id=CONNECTION)
    log_filter = LogFilter(tasks=("t1",), text="alpha", thumbs=("unrated",))
    view = apply_filter(stores.log.cached_log(session.id), log_filter)
    ids = filtered_generation_ids(view)
    assert ids == ["g-03"]  # t1, "alpha", no thumb: g-04 has one, g-01 says beta, g-02 is t2
    source = log_filter_source(log_filter, scope="this session")
    assert source == "log filter (this session) · task t1 · thumbs unrated · text 'alpha'"
    queue = stores.queues.create("Alpha", ids, created_by="lead", source=source)
    assert stores.queues.generation_ids(queue.id) == ["g-03"]
    assert stores.queues.get(queue.id).source == source

    every = apply_filter(stores.log.cached_log(session.id), LogFilter())
    assert filtered_generation_ids(every) == ["g-03", "g-01", "g-02", "g-04"]  # oldest first, not by id
    assert log_filter_source(LogFilter(), scope="all sessions") == "log filter (all sessions) · every row"
    stars = LogFilter(ratings=(4, 5), include_unrated=True, versions=("1",))
    assert log_filter_source(stars, scope="x") == "log filter (x) · version 1 · stars 4, 5, none"
    assert filtered_generation_ids(every.iloc[0:0]) == []
