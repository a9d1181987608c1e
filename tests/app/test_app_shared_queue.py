"""Team mode through AppTest: share the review queue's source with the team, then work the shared
queue (reserved items, Skip, Complete and next through ``stores.queues``), with its progress."""

from __future__ import annotations

from apptest_support import open_page, studio_app, texts
from page_checks import shown, shown_generation_ids

from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient
from ui.shared_queue import PREFIX
from ui.state import REVIEW_QUEUE, rating_key

TASK = "Sandbox - Email Writer"


def _seed(emulator, tmp_path, count: int) -> list[str]:
    """``count`` generations in the review session the studio opened."""
    client = HoneyHiveClient(emulator.api_key, emulator.url)
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        session = stores.log.list_sessions()[0]
        ids = []
        for number in range(count):
            inputs = {"topic": f"shared item {number + 1}", "tone": "calm"}
            generation = client.generate(TASK, inputs)
            stores.log.add_entry(
                LogEntry(generation_id=generation.generation_id, session_id=session.id, reviewer=session.reviewer,
                         task=TASK, prompt_name="email-writer-v1", prompt_version=generation.version,
                         model=generation.model or "", completion=generation.generation, inputs=inputs)
            )  # fmt: skip
            ids.append(generation.generation_id)
        return ids
    finally:
        stores.close()


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_sharing_the_queue_and_working_it(studio_env, tmp_path):
    at = open_page(studio_app(), "review_queue")
    ids = _seed(studio_env, tmp_path, 3)
    at.run().button(key=REVIEW_QUEUE.rebuild).click().run()  # the queue was built empty at first
    _ok(at)
    at.text_input(key=REVIEW_QUEUE.share_name).set_value("Calm emails")
    at.segmented_control(key=REVIEW_QUEUE.share_overlap).set_value(2)
    at.number_input(key=REVIEW_QUEUE.share_minutes).set_value(5)
    at.button(key=REVIEW_QUEUE.share_go).click().run()
    _ok(at)

    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        [queue] = stores.queues.list()
        assert (queue.name, queue.overlap, queue.reservation_seconds) == ("Calm emails", 2, 300)
        me = stores.log.list_sessions()[0].reviewer  # the signed-in reviewer
        assert queue.created_by == me
        # The page went straight to the shared queue: a source like the others.
        assert at.selectbox(key=REVIEW_QUEUE.source).value == f"{PREFIX}{queue.id}"
        assert "Item 1 of the queue" in shown(texts(at))
        assert shown_generation_ids(at) == [ids[0]]
        assert "Team: 0 of 3 items done · 0 of 6 reviews · 1 open now" in at.get("progress")[0].proto.text

        # Nothing given: said beside the button, nothing saved.
        at.button(key=REVIEW_QUEUE.shared_next).click().run()
        assert any("Give a rating" in shown(str(w.value)) for w in at.main.warning)
        assert stores.queues.reviews(queue.id) == []

        at.feedback(key=rating_key(ids[0], "thumbs")).set_value(1).run()
        at.feedback(key=rating_key(ids[0], "stars")).set_value(3).run()
        at.button(key=REVIEW_QUEUE.shared_next).click().run()
        _ok(at)
        assert shown_generation_ids(at) == [ids[1]]
        [review] = stores.queues.reviews(queue.id)
        assert (review["generation_id"], review["reviewer"], review["stars"]) == (ids[0], me, 4)
        assert stores.log.get_entry(ids[0])["rating"] == 4  # the ordinary log row too (and its delivery)

        at.button(key=REVIEW_QUEUE.shared_skip).click().run()  # "not me": never offered to me again
        assert shown_generation_ids(at) == [ids[2]]
        progress = stores.queues.progress(queue.id)
        assert (progress.reviews_done, progress.reviewers[me].skipped) == (1, 1)
        assert "1 of 6 reviews" in at.get("progress")[0].proto.text
        assert "Agreement between reviewers" in shown(texts(at))  # overlap 2: agreement is measured
        assert "All shared queues" in [e.label for e in at.expander]

        # Another reviewer (another process, same database) starts from a blank form on item 1.
        other = stores.queues.next_item(queue.id, "qa-bob")
        assert other is not None and other.generation_id == ids[0]

        at.feedback(key=rating_key(ids[2], "thumbs")).set_value(0).run()
        at.button(key=REVIEW_QUEUE.shared_next).click().run()
        _ok(at)
        assert "Nothing open to you in this queue now" in shown(texts(at))
        assert [r["generation_id"] for r in stores.queues.reviews(queue.id)] == [ids[0], ids[2]]
    finally:
        stores.close()


def test_a_shared_queue_starts_from_a_blank_form_when_the_log_holds_another_reviewers_rating(studio_env, tmp_path):
    at = open_page(studio_app(), "review_queue")
    ids = _seed(studio_env, tmp_path, 1)
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        queue = stores.queues.create("Pairs", ids, overlap=2, created_by="qa-bob", source="test")
        stores.queues.next_item(queue.id, "qa-bob")
        stores.queues.submit_review(queue.id, ids[0], "qa-bob", Rating(stars=1), connection_id="elsewhere")
        at.run()
        at.selectbox(key=REVIEW_QUEUE.source).set_value(f"{PREFIX}{queue.id}").run()
        _ok(at)
        assert shown_generation_ids(at) == [ids[0]]
        assert "Your rating: none yet" in shown(texts(at))  # not qa-bob's one star
        at.button(key=REVIEW_QUEUE.shared_next).click().run()
        assert stores.queues.progress(queue.id).reviews_done == 1  # an empty form submits nothing
    finally:
        stores.close()


def _everything(at) -> str:
    """Every text of the page: Markdown elements (as a reader sees them), ``st.text`` and labels."""
    parts = [shown(texts(at)), *(str(t.value) for t in at.get("text")), *(e.label for e in at.expander)]
    return "\n".join(parts)


def test_commit_then_reveal_the_variant_and_the_other_reviews_show_only_after_submitting(studio_env, tmp_path):
    at = open_page(studio_app(), "review_queue")
    ids = _seed(studio_env, tmp_path, 2)
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        queue = stores.queues.create("Blind", ids, overlap=2, created_by="qa-bob", source="test")
        stores.queues.next_item(queue.id, "qa-bob")
        stores.queues.submit_review(queue.id, ids[0], "qa-bob", Rating(thumbs="down", comment="Bob thinks it rambles"),
                                    connection_id="elsewhere")  # fmt: skip
        model = stores.log.get_entry(ids[0])["model"]
        at.run()
        at.selectbox(key=REVIEW_QUEUE.source).set_value(f"{PREFIX}{queue.id}").run()
        _ok(at)
        assert shown_generation_ids(at) == [ids[0]]
        before = _everything(at)
        assert "Variant hidden until you submit" in before
        assert "shared item 1" in before  # the inputs stay in view
        assert "email-writer-v1" not in before
        assert "Bob thinks it rambles" not in before and "qa-bob:" not in before
        # Nor that someone reviewed it: no count of the others' reviews, no delivery line of the
        # log's latest rating (qa-bob's), no "not submitted yet" measured against it.
        assert "1 other review" not in before and "the others' reviews show once you submit" in before
        assert "to HoneyHive" not in before and "not submitted yet" not in before
        if model:
            assert f"Model {model}" not in before

        at.feedback(key=rating_key(ids[0], "thumbs")).set_value(1).run()
        at.button(key=REVIEW_QUEUE.shared_next).click().run()
        _ok(at)
        assert shown_generation_ids(at) == [ids[1]]  # on to the next item, itself blind
        after = _everything(at)
        assert "Revealed: the item you just submitted" in after
        assert "Variant: email-writer-v1" in after
        assert "qa-bob: thumbs down comment: Bob thinks it rambles" in after
        if model:
            assert f"model {model}" in after
        assert sorted(r["thumbs"] for r in stores.queues.reviews(queue.id)) == ["down", "up"]  # qa-bob's and mine
    finally:
        stores.close()


def test_after_the_reveal_a_revision_is_kept_apart_and_agreement_keeps_the_blind_verdict(studio_env, tmp_path):
    from ui.shared_queue_form import revise_key

    at = open_page(studio_app(), "review_queue")
    ids = _seed(studio_env, tmp_path, 2)
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        queue = stores.queues.create("Revisions", ids, overlap=2, created_by="qa-bob", source="test")
        for generation_id in ids:
            stores.queues.next_item(queue.id, "qa-bob")
            stores.queues.submit_review(queue.id, generation_id, "qa-bob", Rating(thumbs="down"), connection_id="x")
        at.run()
        at.selectbox(key=REVIEW_QUEUE.source).set_value(f"{PREFIX}{queue.id}").run()
        assert shown_generation_ids(at) == [ids[0]]
        assert not [b for b in at.button if b.label == "Save revision"]  # nothing to revise before the reveal
        at.feedback(key=rating_key(ids[0], "thumbs")).set_value(1).run()
        at.feedback(key=rating_key(ids[0], "stars")).set_value(4).run()
        at.text_area(key=rating_key(ids[0], "ideal")).set_value("Three lines at most.").run()
        at.button(key=REVIEW_QUEUE.shared_next).click().run()
        _ok(at)
        me = stores.log.list_sessions()[0].reviewer
        agreement = stores.queues.agreement(queue.id)
        after = _everything(at)
        assert "Yours: thumbs up 5 stars" in after and "qa-bob: thumbs down" in after

        # Seeing qa-bob's "down", this reviewer changes their mind: a revision.
        assert at.feedback(key=revise_key(ids[0], "thumbs")).value == 1  # the form starts from their review
        assert at.text_area(key=revise_key(ids[0], "ideal")).value == "Three lines at most."
        at.feedback(key=revise_key(ids[0], "thumbs")).set_value(0)
        at.feedback(key=revise_key(ids[0], "stars")).set_value(1)
        at.text_area(key=revise_key(ids[0], "comment")).set_value("on second thought, it rambles")
        at.button(key=revise_key(ids[0], "save")).click().run()
        _ok(at)
        mine = [r for r in stores.queues.reviews(queue.id) if r["reviewer"] == me]
        assert [(r["generation_id"], r["thumbs"], r["stars"]) for r in mine] == [(ids[0], "up", 5)]  # blind verdict
        [revision] = stores.queues.revisions(queue.id)
        assert (revision["reviewer"], revision["revision"], revision["thumbs"], revision["stars"]) == (me, 1, "down", 2)
        assert revision["comment"] == "on second thought, it rambles"
        assert stores.queues.agreement(queue.id) == agreement  # computed on the verdicts given before the reveal
        row = stores.log.get_entry(ids[0])
        assert (row["thumbs"], row["rating"], row["reviewer"]) == ("down", 2, me)  # HoneyHive gets the latest
        assert row["ideal_answer"] == "Three lines at most."  # kept through the revision
        said = _everything(at)
        assert "Yours: thumbs down 2 stars comment: on second thought, it rambles (revised after the reveal" in said
        assert "Revision saved; your blind verdict still counts for agreement." in said
        assert shown_generation_ids(at) == [ids[1]]  # the next item, still blind, is where it was
        assert stores.queues.progress(queue.id).reviews_done == 3  # a revision is not another review
    finally:
        stores.close()


RUBRIC = """name: support
guidelines: |
  Read the reply as the customer would.
dimensions:
  - name: helpfulness
    kind: scale
  - name: tone
    kind: categorical
    values: {friendly: Warm, neutral: Plain, rude: Impolite}
"""


def test_a_shared_queue_rates_with_the_active_rubric(studio_env, tmp_path):
    """Before its reveal, a shared item's blind form is the active rubric's: its guidelines and its
    dimensions, not the default form."""
    from hive_review.rubrics.models import rubric_from_yaml

    at = open_page(studio_app(), "review_queue")
    _seed(studio_env, tmp_path, 2)
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        stores.rubrics.save(rubric_from_yaml(RUBRIC))
        stores.rubrics.set_active("support")
    finally:
        stores.close()
    at.run().button(key=REVIEW_QUEUE.rebuild).click().run()
    at.text_input(key=REVIEW_QUEUE.share_name).set_value("Support replies")
    at.button(key=REVIEW_QUEUE.share_go).click().run()
    _ok(at)
    assert "Item 1 of the queue" in shown(texts(at))
    assert "Read the reply as the customer would." in [str(t.value).strip() for t in at.text]  # the guidelines
    assert "Ideal answer" not in [area.label for area in at.text_area]  # not the default form
    assert {"helpfulness"} <= {str(c.value) for c in at.caption}
