"""Rubrics: the YAML model and its messages, the keys a rubric gives the review queue, ratings that
record their rubric, and the versioned store on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from hive_review.feedback.ratings import Rating, rating_from_widgets, widget_part_for_key, widget_values
from hive_review.log import columns as col
from hive_review.log.entries import LogEntry
from hive_review.rubrics.keys import key_list, queue_key_names, rating_key_parts
from hive_review.rubrics.models import (
    DEFAULT_RUBRIC,
    RubricError,
    dimension_part,
    rubric_from_yaml,
    rubric_to_yaml,
)
from hive_review.stores import open_stores

SUPPORT = """
name: support
guidelines: |
  Read it as the customer would.
dimensions:
  - name: helpfulness
    kind: scale
    description: Does it solve the problem?
    values: {1: Not at all, 5: Completely}
  - name: tone
    kind: categorical
    values: {friendly: Warm, neutral: Plain, rude: Impolite}
  - name: safe
    kind: pass_fail
  - name: notes
    kind: text
  - name: comment
    kind: text
"""
AT = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_a_yaml_rubric_reads_with_each_kind_and_dumps_back_equal():
    rubric = rubric_from_yaml(SUPPORT)
    assert [(d.name, d.kind) for d in rubric.dimensions] == [
        ("helpfulness", "scale"),
        ("tone", "categorical"),
        ("safe", "pass_fail"),
        ("notes", "text"),
        ("comment", "text"),
    ]
    assert rubric.dimension("helpfulness").values == {"1": "Not at all", "5": "Completely"}
    assert rubric.guidelines == "Read it as the customer would.\n"
    assert [d.name for d in rubric.custom_dimensions] == ["helpfulness", "tone", "safe", "notes"]
    assert rubric_from_yaml(rubric_to_yaml(rubric)) == rubric
    assert rubric_from_yaml(rubric_to_yaml(DEFAULT_RUBRIC)) == DEFAULT_RUBRIC
    assert DEFAULT_RUBRIC.is_default and not rubric.is_default


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name: x\ndimensions:\n  - {name: a, kind: stars}", "dimension 1 ('a'), kind: kind must be one of scale"),
        ("name: x\ndimensions:\n  - {name: a, kind: text}\n  - {name: a, kind: scale}", "two dimensions are named 'a'"),
        ("name: x\ndimensions:\n  - {name: tone, kind: categorical}", "a categorical dimension needs values"),
        ("name: x\ndimensions:\n  - {name: q, kind: scale, values: {7: huge}}", "a scale's values are 1 to 5, not 7"),
        ("name: x\ndimensions:\n  - {name: ok, kind: pass_fail, values: {yes: y}}", "pass_fail values are 'pass'"),
        ("name: x\ndimensions:\n  - {name: n, kind: text, values: [a]}", "a text dimension has no values"),
        ("name: x\ndimensions:\n  - {name: stars, kind: text}", "'stars' is the form's own scale part"),
        ("name: x\ndimensions:\n  - {name: rating, kind: scale}", "'rating' is a key feedback_json uses already"),
        ("name: x\ndimensions:\n  - {name: a, kind: text, colour: red}", "'colour' is not a dimension field"),
        ("name: x\ndimensions: []", "a rubric needs at least one dimension"),
        ("dimensions:\n  - {name: a, kind: text}", "name: 'name' is missing; add it"),
        ("name: x\ndimensions: [\n", "The YAML cannot be read at line"),
        ("- just a list", "A rubric is a YAML mapping"),
    ],
)
def test_a_bad_rubric_is_refused_with_the_problem_and_the_fix(text, says):
    with pytest.raises(RubricError) as raised:
        rubric_from_yaml(text)
    assert says in str(raised.value)


def test_the_default_rubric_keeps_the_queue_keys_it_always_had():
    assert rating_key_parts(DEFAULT_RUBRIC) == {
        "u": ("thumbs", 1),
        "d": ("thumbs", 0),
        **{str(n): ("stars", n - 1) for n in range(1, 6)},
    }
    assert widget_part_for_key("u") == ("thumbs", 1) and widget_part_for_key("4") == ("stars", 3)
    assert widget_part_for_key("x") is None
    assert queue_key_names(DEFAULT_RUBRIC) == frozenset("ud12345nsb?") | {"enter"}


def test_a_rubric_gives_digits_to_its_scale_and_free_letters_to_its_values():
    rubric = rubric_from_yaml(SUPPORT)
    keys = rating_key_parts(rubric)
    assert keys["3"] == (dimension_part("helpfulness"), 2)
    # friendly -> f; neutral: n is the queue's (Next), e is free; rude -> r is Streamlit's rerun, u
    # is thumbs up, d thumbs down, e taken: the alphabet's first free letter, a. pass -> p; fail:
    # f taken, a taken -> i.
    assert {k: v for k, v in keys.items() if k.isalpha()} == {
        "f": (dimension_part("tone"), "friendly"),
        "e": (dimension_part("tone"), "neutral"),
        "a": (dimension_part("tone"), "rude"),
        "p": (dimension_part("safe"), "pass"),
        "i": (dimension_part("safe"), "fail"),
    }
    assert not set(keys) & set("nsbudrc")
    overlay = dict(key_list(rubric))
    assert overlay["1"] == "helpfulness: 1 (Not at all)" and overlay["E"] == "tone: neutral"
    assert overlay["?"] == "Show or hide this list of keys" and "N" in overlay and "Ctrl+Enter" in overlay


def test_a_rating_records_its_rubric_and_feedback_json_carries_each_dimension():
    rubric = rubric_from_yaml(SUPPORT).model_copy(update={"version": 3})
    parts = {
        "comment": "  fine  ",
        dimension_part("helpfulness"): 3,
        dimension_part("tone"): "friendly",
        dimension_part("safe"): "fail",
        dimension_part("notes"): "",
    }
    rating = rating_from_widgets(parts, rubric)
    assert (rating.rubric_name, rating.rubric_version) == ("support", 3)
    assert rating.dimensions == {"helpfulness": 4, "tone": "friendly", "safe": False, "notes": None}
    feedback = rating.feedback_json(reviewer="qa-1", rated_at=AT, rating_id="r-1")
    assert feedback["rubric"] == "support" and feedback["rubric_version"] == 3
    assert (feedback["helpfulness"], feedback["tone"], feedback["safe"], feedback["notes"]) == (
        4,
        "friendly",
        False,
        None,
    )
    assert feedback["comment"] == "fine" and feedback["rating"] is None
    # the widgets take back what they gave; the log row gives back the same rating
    assert rating_from_widgets(widget_values(rating), rubric) == rating
    assert Rating.from_row(rating.row_values()) == rating
    assert not rating.is_empty and rating_from_widgets({}, rubric).is_empty


def test_the_default_rubric_keeps_feedback_json_as_it_was_plus_its_version():
    feedback = Rating(thumbs="up", stars=4).feedback_json(reviewer="qa-1", rated_at=AT, rating_id="r-1")
    assert feedback == {
        "accepted": True,
        "rating": 4,
        "labels": [],
        "comment": None,
        "reviewer": "qa-1",
        "rated_at": AT.isoformat(),
        "rating_id": "r-1",
        "rubric_version": 1,
    }


def test_editing_makes_a_new_version_and_the_same_content_does_not(database_url):
    stores = open_stores(database_url)
    try:
        rubrics = stores.rubrics
        assert rubrics.latest("default") == DEFAULT_RUBRIC and rubrics.active() == DEFAULT_RUBRIC
        assert rubrics.latest("support") is None and rubrics.versions("support") == []
        first = rubrics.save(rubric_from_yaml(SUPPORT))
        assert first.version == 1
        assert rubrics.save(rubric_from_yaml(SUPPORT + "# a comment changes nothing\n")) == first
        edited = rubric_from_yaml(SUPPORT.replace("Read it as", "Read it slowly as"))
        second = rubrics.save(edited.model_copy(update={"version": 40}))  # the store numbers versions
        assert second.version == 2 and rubrics.versions("support") == [1, 2]
        assert rubrics.get("support", 1) == first and rubrics.get("support", 2) == second
        assert rubrics.get("support", 3) is None
        assert [(r.name, r.version) for r in rubrics.list()] == [("default", 1), ("support", 2)]
        with pytest.raises(KeyError):
            rubrics.set_active("nothing-saved")
        rubrics.set_active("support")
        assert rubrics.active() == second
    finally:
        stores.close()
    stores = open_stores(database_url)  # another studio process on the same database
    try:
        assert stores.rubrics.active() == second and stores.rubrics.active_name() == "support"
    finally:
        stores.close()


def test_the_log_keeps_the_rubric_and_the_dimensions_of_a_rating(database_url):
    stores = open_stores(database_url)
    try:
        session = stores.log.create_session("qa-1")
        entry = LogEntry(
            generation_id="g-1", session_id=session.id, reviewer="qa-1", task="t", prompt_version="1", completion="c"
        )
        stores.log.add_entry(entry)
        rubric = stores.rubrics.save(rubric_from_yaml(SUPPORT))
        rating = rating_from_widgets({dimension_part("tone"): "rude", dimension_part("helpfulness"): 0}, rubric)
        stores.feedback.save_rating(entry.generation_id, rating, reviewer="qa-1", connection_id="c")
        row = stores.log.get_entry(entry.generation_id)
        assert (row[col.RUBRIC_NAME], row[col.RUBRIC_VERSION]) == ("support", 1)
        assert json.loads(row[col.DIMENSIONS_JSON])["tone"] == "rude"
        assert Rating.from_row(row) == rating
        [delivery] = stores.feedback.deliveries()
        sent = json.loads(delivery["feedback_json"])
        assert (sent["tone"], sent["helpfulness"], sent["rubric_version"]) == ("rude", 1, 1)
        frame = stores.log.load_log(session.id)
        assert frame[col.RUBRIC_VERSION].tolist() == [1] and frame[col.RUBRIC_NAME].tolist() == ["support"]
    finally:
        stores.close()
