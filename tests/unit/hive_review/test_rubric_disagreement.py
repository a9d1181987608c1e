"""A rubric's own dimensions in disagreement: shared reviews keep the rubric and dimensions they were
given under, and two reviews that differ only on a categorical or pass/fail dimension, or 2 or more
apart on a scale dimension, make a split item. On a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import pytest

from hive_review.feedback.ratings import Rating
from hive_review.log.entries import LogEntry
from hive_review.quality.disagreement import disagreements
from hive_review.quality.reviews import Review, all_reviews
from hive_review.quality.split_items import split_items
from hive_review.rubrics.models import rubric_from_yaml
from hive_review.stores import Stores, open_stores

TASK = "Sandbox - Email Writer"
SUPPORT = """name: support
dimensions:
  - name: thumbs
    kind: pass_fail
  - name: helpfulness
    kind: scale
  - name: tone
    kind: categorical
    values: {friendly: Warm, neutral: Plain, rude: Impolite}
  - name: safe
    kind: pass_fail
  - name: note
    kind: text
"""


@pytest.fixture
def stores(database_url):
    stores = open_stores(database_url)
    yield stores
    stores.close()


def _review(reviewer: str, **dimensions: object) -> Review:
    return Review("q", "g", 1, reviewer, "up", 4, (), "", "2026-11-26T00:00:00+00:00", None, "support", 1, dimensions)


KINDS = {"helpfulness": "scale", "tone": "categorical", "safe": "pass_fail", "note": "text"}


def test_categorical_and_pass_fail_dimensions_differ_and_a_scale_two_apart_counts_like_stars():
    assert disagreements([_review("a", tone="friendly"), _review("b", tone="rude")], KINDS) == ("tone differs",)
    assert disagreements([_review("a", safe=True), _review("b", safe=False)], KINDS) == ("safe differs",)
    assert disagreements([_review("a", helpfulness=2), _review("b", helpfulness=4)], KINDS) == ("helpfulness 2 to 4",)
    # One apart on a scale, free text that differs, one reviewer alone giving a value: all agree.
    assert disagreements([_review("a", helpfulness=4), _review("b", helpfulness=5)], KINDS) == ()
    assert disagreements([_review("a", note="short"), _review("b", note="long")], KINDS) == ()
    assert disagreements([_review("a", tone="rude"), _review("b")], KINDS) == ()
    # Without the rubric, the kind shows in the value, and text is left alone (it may be free text).
    assert disagreements([_review("a", safe=True), _review("b", safe=False)]) == ("safe differs",)
    assert disagreements([_review("a", tone="friendly"), _review("b", tone="rude")]) == ()


def _rate_under_rubric(stores: Stores, tones: tuple[str, str]) -> str:
    rubric = stores.rubrics.save(rubric_from_yaml(SUPPORT))
    session = stores.log.create_session("lead")
    stores.log.add_entry(
        LogEntry(generation_id="g-tone", session_id=session.id, reviewer="lead", task=TASK, prompt_version="1",
                 completion="Hello.", inputs={"topic": "hours"})
    )  # fmt: skip
    queue = stores.queues.create("Support", ["g-tone"], overlap=2, created_by="lead", source="test")
    for reviewer, tone in zip(("rev-ana", "rev-ben"), tones, strict=True):
        rating = Rating(thumbs="up", stars=4, rubric_name=rubric.name, rubric_version=rubric.version,
                        dimensions={"helpfulness": 4, "tone": tone, "safe": True, "note": reviewer})  # fmt: skip
        stores.queues.next_item(queue.id, reviewer)
        stores.queues.submit_review(queue.id, "g-tone", reviewer, rating, connection_id="elsewhere")
    return queue.id


def test_shared_reviews_keep_their_rubric_and_a_categorical_difference_alone_makes_a_split_item(stores):
    queue_id = _rate_under_rubric(stores, ("friendly", "rude"))
    reviews = all_reviews(stores.database, queue_id)
    assert [(r.reviewer, r.rubric_name, r.rubric_version, dict(r.dimensions)) for r in reviews] == [
        ("rev-ana", "support", 1, {"helpfulness": 4, "tone": "friendly", "safe": True, "note": "rev-ana"}),
        ("rev-ben", "support", 1, {"helpfulness": 4, "tone": "rude", "safe": True, "note": "rev-ben"}),
    ]
    [item] = split_items(stores.database, queue_id)
    assert (item.generation_id, item.reasons) == ("g-tone", ("tone differs",))  # thumbs and stars agree


def test_the_same_reviews_with_the_same_category_are_not_split(stores):
    queue_id = _rate_under_rubric(stores, ("neutral", "neutral"))
    assert split_items(stores.database, queue_id) == []  # the notes differ, but free text never splits
