"""A rating and its three shapes: the log row, the form's widgets, and the feedback HoneyHive gets."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from hive_review.feedback.ratings import (
    Rating,
    join_labels,
    rating_from_widgets,
    split_labels,
    widget_part_for_key,
    widget_values,
)
from hive_review.log import columns as col

FULL = Rating(thumbs="up", stars=4, labels=("helpful", "on topic"), comment="Good.", ideal_answer="Yes, 42.")
RATED_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "rating",
    [FULL, Rating(), Rating(thumbs="down"), Rating(stars=1, labels=("wrong",)), Rating(ideal_answer="only this")],
    ids=["full", "empty", "thumbs-only", "stars-and-label", "ideal-only"],
)
def test_a_rating_comes_back_from_its_log_row(rating: Rating) -> None:
    assert Rating.from_row(rating.row_values()) == rating


def test_the_log_row_holds_none_for_what_was_not_given() -> None:
    row = Rating(stars=3).row_values()
    assert (row[col.THUMBS], row[col.RATING], row[col.LABELS], row[col.COMMENT], row[col.IDEAL_ANSWER]) == (
        None,
        3,
        None,
        None,
        None,
    )
    assert FULL.row_values()[col.LABELS] == "helpful, on topic"


def test_a_row_read_by_pandas_counts_every_kind_of_hole_as_not_given() -> None:
    # A frame's row holds NaN (text columns), NA or NaT where the database held NULL, and stars as a float.
    row = {
        col.THUMBS: float("nan"),
        col.RATING: 5.0,
        col.LABELS: float("nan"),
        col.COMMENT: pd.NA,
        col.IDEAL_ANSWER: pd.NaT,
    }
    assert Rating.from_row(row) == Rating(stars=5)
    assert Rating.from_row({col.THUMBS: "sideways"}).thumbs is None  # an unknown value is no thumb


def test_a_rating_comes_back_from_its_widget_values() -> None:
    values = widget_values(FULL)
    assert (values["thumbs"], values["stars"]) == (1, 3)  # st.feedback: thumbs up is 1, 4 stars is index 3
    assert rating_from_widgets(values) == FULL
    assert widget_values(Rating(thumbs="down"))["thumbs"] == 0
    assert rating_from_widgets(widget_values(Rating())) == Rating()


def test_the_widgets_text_is_trimmed() -> None:
    rating = rating_from_widgets({"thumbs": None, "stars": None, "comment": "  fine \n", "ideal": "   "})
    assert (rating.comment, rating.ideal_answer, rating.is_empty) == ("fine", "", False)


@pytest.mark.parametrize(
    ("key", "part"),
    [("u", ("thumbs", 1)), ("d", ("thumbs", 0)), ("1", ("stars", 0)), ("5", ("stars", 4)), ("n", None)],
)
def test_a_queue_key_sets_the_widget_value_of_its_part(key: str, part: tuple[str, int] | None) -> None:
    assert widget_part_for_key(key) == part
    if part is not None:  # the same encoding as the form's: the key's value reads back as the rating
        rating = rating_from_widgets({part[0]: part[1]})
        assert rating.thumbs == {"u": "up", "d": "down"}.get(key)
        assert rating.stars == (int(key) if key.isdigit() else None)


def test_labels_are_joined_and_split_as_the_log_column_holds_them() -> None:
    assert join_labels(("a", "b c")) == "a, b c"
    assert join_labels(()) is None
    assert join_labels([]) is None
    assert split_labels("a, b c") == ("a", "b c")
    assert split_labels(join_labels(FULL.labels)) == FULL.labels
    assert split_labels(" a ,, b ,") == ("a", "b")  # stray commas and spaces from a hand-edited file
    assert split_labels(None) == () and split_labels(float("nan")) == ()


def test_feedback_json_sends_every_key_with_null_for_what_was_not_given() -> None:
    sent = Rating(stars=2).feedback_json(reviewer="ana", rated_at=RATED_AT, rating_id="r-1")
    assert sent["accepted"] is None and sent["comment"] is None and sent["labels"] == []
    assert (sent["rating"], sent["reviewer"], sent["rating_id"]) == (2, "ana", "r-1")
    assert sent["rated_at"] == "2026-01-02T03:04:05+00:00"
    full = FULL.feedback_json(reviewer="ana", rated_at=RATED_AT, rating_id="r-2")
    assert (full["accepted"], full["labels"], full["comment"]) == (True, ["helpful", "on topic"], "Good.")
    assert Rating(thumbs="down").feedback_json(reviewer="ana", rated_at=RATED_AT, rating_id="r-3")["accepted"] is False


def test_an_edit_without_an_ideal_answer_clears_the_one_sent_before() -> None:
    # HoneyHive keeps a ground truth that is missing or null: only an empty string clears it.
    assert FULL.ground_truth == "Yes, 42."
    cleared = Rating(thumbs="up", stars=4)
    assert cleared.ground_truth == ""
    assert cleared.row_values()[col.IDEAL_ANSWER] is None
