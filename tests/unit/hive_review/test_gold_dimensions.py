"""Gold items that expect a rubric's own dimensions: read from CSV columns and a JSONL ``expected``
object, checked against the active rubric (every refusal names the row, the column and the fix),
kept in the database (SQLite and PostgreSQL, migration 0010) and judged in each reviewer's accuracy."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from hive_review.feedback.ratings import Rating
from hive_review.migrations import alembic_config, head
from hive_review.quality.gold_accuracy import gold_results, reviewer_accuracy
from hive_review.quality.gold_rules import Expected, is_right
from hive_review.quality.gold_store import add_gold_items, all_gold_items
from hive_review.quality.gold_upload import read_gold_file
from hive_review.rubrics.models import DEFAULT_RUBRIC, Dimension, Rubric
from hive_review.runs.uploads import UploadError
from hive_review.stores import open_stores

CONNECTION = "test-connection"
TASK = "Emails"
RUBRIC = Rubric(
    name="support",
    version=3,
    dimensions=[
        Dimension(name="thumbs", kind="pass_fail"),
        Dimension(name="tone", kind="categorical", values={"warm": "", "curt": "", "neutral": ""}),
        Dimension(name="accuracy", kind="scale"),
        Dimension(name="safe", kind="pass_fail"),
        Dimension(name="notes", kind="text"),
    ],
)


@pytest.fixture
def stores(database_url):
    stores = open_stores(database_url)
    yield stores
    stores.close()


def test_expected_dimensions_from_csv_columns_and_a_jsonl_expected_object():
    csv = (
        "completion,expected_thumbs,expected_tone,expected_accuracy,expected_safe\n"
        "Refunds take 14 days.,up,Warm,4-5,pass\n"
        "We are sorry.,,curt,2,false\n"
        "Hello.,down,,,\n"
    )
    first, second, third = read_gold_file(csv.encode(), "gold.csv", RUBRIC)
    assert first.expected == Expected(thumbs="up", dimensions={"tone": "warm", "accuracy": (4, 5), "safe": True})
    assert second.expected == Expected(dimensions={"tone": "curt", "accuracy": (2, 2), "safe": False})
    assert third.expected == Expected(thumbs="down")  # an empty cell is not checked
    jsonl = (
        b'{"completion": "Hi", "expected": {"tone": "neutral", "accuracy": 3, "safe": true, "thumbs": false}}\n'
        b'{"completion": "Ho", "expected.accuracy": "1-2"}\n'
    )
    one, two = read_gold_file(jsonl, "gold.jsonl", RUBRIC)
    assert one.expected == Expected(thumbs="down", dimensions={"tone": "neutral", "accuracy": (3, 3), "safe": True})
    assert two.expected == Expected(dimensions={"accuracy": (1, 2)})


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "completion,expected_tone\nHi,warm\nHo,friendly\n",
            "row 2: 'expected_tone' is 'friendly'; write one of warm, curt, neutral (the values of 'tone')",
        ),
        (
            "completion,expected_accuracy\nHi,6\n",
            "row 1: 'expected_accuracy' is '6'; write a value from 1 to 5 (4) or a range (4-5)",
        ),
        ("completion,expected_accuracy\nHi,5-3\n", "row 1: 'expected_accuracy' is '5-3'; write a value from 1 to 5"),
        (
            "completion,expected_safe\nHi,maybe\n",
            "row 1: 'expected_safe' is 'maybe'; write pass or fail (or true / false)",
        ),
        (
            "completion,expected_notes\nHi,be kind\n",
            "row 1: 'expected_notes': 'notes' is a text dimension, which has no right answer to expect; delete it",
        ),
        (
            "completion,expected_clarity\nHi,4\n",
            "row 1: 'expected_clarity' expects 'clarity', which is not a dimension of the active rubric 'support' "
            "(version 3); rename it to one of thumbs, tone, accuracy, safe (as expected_<dimension>), or make the "
            "rubric that has it active on the Rubrics page",
        ),
        (  # the form's own stars: not a dimension of this rubric either
            "completion,expected_stars\nHi,4\n",
            "row 1: 'expected_stars' expects 'stars', which is not a dimension of the active rubric 'support'",
        ),
        (
            'completion,expected_tone,expected\nHi,warm,"{""tone"": ""curt""}"\n',
            "row 1: 'expected' key 'tone' and 'expected_tone' both expect 'tone'; keep one of them",
        ),
        ("completion,expected\nHi,[1]\n", "row 1: 'expected' must be a JSON object"),
        ("completion,expected_tone\nHi,\n", "row 1: no expected value; fill in 'expected_thumbs'"),
        (
            "completion,notes\nHi,x\n",
            "at least one of 'expected_thumbs', 'expected_stars', 'expected_labels', 'expected_<dimension>'",
        ),
    ],
)
def test_an_expected_value_the_rubric_cannot_check_is_refused_naming_the_row_the_column_and_the_fix(text, says):
    with pytest.raises(UploadError) as refused:
        read_gold_file(text.encode(), "gold.csv", RUBRIC)
    assert says in str(refused.value)


def test_a_jsonl_expected_object_is_checked_key_by_key():
    jsonl = b'{"completion": "Hi", "expected": {"tone": "shouty", "tone_of_voice": "warm"}}\n'
    with pytest.raises(UploadError) as refused:
        read_gold_file(jsonl, "gold.jsonl", RUBRIC)
    message = str(refused.value)
    assert message.startswith("2 problems in the gold file: row 1: 'expected' key 'tone' is 'shouty'")
    assert "row 1: 'expected' key 'tone_of_voice' expects 'tone_of_voice', which is not a dimension" in message


def test_the_default_rubric_knows_no_other_dimension():
    with pytest.raises(UploadError, match="'expected_tone' expects 'tone', which is not a dimension of the active "
                       "rubric 'default'"):  # fmt: skip
        read_gold_file(b"completion,expected_tone\nHi,warm\n", "gold.csv", DEFAULT_RUBRIC)


def test_the_rule_of_a_right_answer_on_rubric_dimensions():
    expected = Expected(dimensions={"tone": "warm", "accuracy": (4, 5), "safe": False})
    right = {"tone": "warm", "accuracy": 4, "safe": False}
    assert is_right(expected, None, None, (), right)
    assert is_right(expected, None, None, (), {**right, "accuracy": 5, "other": "anything"})
    assert not is_right(expected, None, None, (), {**right, "accuracy": 3})  # outside the range
    assert not is_right(expected, None, None, (), {**right, "tone": "curt"})
    assert not is_right(expected, None, None, (), {**right, "safe": True})
    assert not is_right(expected, None, None, (), {**right, "safe": None})  # not given is wrong
    assert not is_right(expected, None, None, (), {"tone": "warm", "accuracy": 4})
    assert not is_right(expected, None, None, ())
    assert not is_right(Expected(dimensions={"safe": True}), None, None, (), {"safe": 1})  # a verdict, not a number
    both = Expected(thumbs="up", dimensions={"tone": "warm"})
    assert not is_right(both, "down", None, (), {"tone": "warm"})  # every checked value must match


def test_gold_accuracy_with_a_rubric_dimension(stores):
    stores.rubrics.save(RUBRIC)
    stores.rubrics.set_active(RUBRIC.name)
    rubric = stores.rubrics.active()
    csv = "completion,expected_tone,expected_accuracy,expected_safe\nKnown warm,warm,4-5,\nKnown unsafe,,,fail\n"
    rows = read_gold_file(csv.encode(), "gold.csv", rubric)
    warm, unsafe = add_gold_items(stores.database, stores.log, rows, gold_set="gold.csv", uploaded_by="lead",
                                  task=TASK)  # fmt: skip
    assert {item.generation_id: item.expected for item in all_gold_items(stores.database)} == {
        warm: Expected(dimensions={"tone": "warm", "accuracy": (4, 5)}),
        unsafe: Expected(dimensions={"safe": False}),
    }
    queue = stores.queues.create("Gold", [warm, unsafe], overlap=2, created_by="lead", source="test")
    given = {
        "qa-good": {warm: {"tone": "warm", "accuracy": 5}, unsafe: {"safe": False, "tone": "curt"}},
        "qa-weak": {warm: {"tone": "warm", "accuracy": 3}, unsafe: {"safe": False}},
    }
    for reviewer, by_item in given.items():
        for _ in by_item:
            item = stores.queues.next_item(queue.id, reviewer)
            assert item is not None
            rating = Rating(rubric_name=rubric.name, rubric_version=rubric.version,
                            dimensions=by_item[item.generation_id])  # fmt: skip
            stores.queues.submit_review(queue.id, item.generation_id, reviewer, rating, connection_id=CONNECTION)
    results = {(r.reviewer, r.generation_id): r.right for r in gold_results(stores.database, queue.id)}
    assert results == {("qa-good", warm): True, ("qa-good", unsafe): True,
                       ("qa-weak", warm): False, ("qa-weak", unsafe): True}  # fmt: skip
    good, weak = reviewer_accuracy(gold_results(stores.database))
    assert (good.reviewer, good.right, good.reviewed, good.flagged) == ("qa-good", 2, 2, False)
    assert (weak.reviewer, weak.right, weak.reviewed, weak.flagged) == ("qa-weak", 1, 2, True)


def test_migration_0010_adds_the_expected_dimensions_and_keeps_the_gold_items(stores, database_url):
    rows = read_gold_file(b"completion,expected_thumbs\nKnown,up\n", "gold.csv")
    [gold] = add_gold_items(stores.database, stores.log, rows, gold_set="gold.csv", uploaded_by="lead", task=TASK)
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as db:
            command.downgrade(alembic_config(db), "0009_review_dimensions")
        with engine.connect() as db:
            assert "expected_dimensions" not in {c["name"] for c in sa.inspect(db).get_columns("gold_items")}
        with engine.begin() as db:
            command.upgrade(alembic_config(db), "head")
        with engine.connect() as db:
            assert "expected_dimensions" in {c["name"] for c in sa.inspect(db).get_columns("gold_items")}
            assert db.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head()
            upgraded = db.execute(sa.text("SELECT generation_id, expected_thumbs FROM gold_items")).all()
        assert [tuple(row) for row in upgraded] == [(gold, "up")]
    finally:
        engine.dispose()
    [item] = all_gold_items(stores.database)
    assert item.expected == Expected(thumbs="up")
