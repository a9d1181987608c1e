"""The tables of reviewer quality, declared on the studio's one ``metadata``.

* ``gold_items``: a gold item's expected verdict; the item itself is a log row (origin ``gold``).
* ``review_times``: how long a reviewer spent on a shared item, one row per reviewer and item (the
  key of ``shared_reviews``): open while the item is shown (``seconds`` NULL), set on submit.
* ``rating_times``: the same for a rating given outside the shared queues (migration 0009).
* ``adjudications``: the final verdict of a shared item whose reviews disagree, one per item.

``hive_review/migrations/versions/0006_gold_time_adjudication.py`` holds a frozen copy. The
references to ``shared_queue_items`` are by name: importing ``hive_review.team`` here would import
the feedback queue, which imports this module.
"""

from __future__ import annotations

import sqlalchemy as sa

from hive_review.db import metadata


def _item_key() -> sa.ForeignKeyConstraint:
    """A timing or an adjudication is of an item of a shared queue (one constraint per table)."""
    return sa.ForeignKeyConstraint(
        ["queue_id", "generation_id"], ["shared_queue_items.queue_id", "shared_queue_items.generation_id"]
    )


gold_items = sa.Table(
    "gold_items",
    metadata,
    sa.Column("generation_id", sa.String(200), primary_key=True),  # its log row
    sa.Column("gold_set", sa.Text, nullable=False),  # the upload it came from, for people to read
    sa.Column("expected_thumbs", sa.String(8)),  # up / down, or NULL: not checked
    sa.Column("expected_stars_min", sa.Integer),  # the accepted stars, both ends included; NULL: not checked
    sa.Column("expected_stars_max", sa.Integer),
    sa.Column("expected_labels", sa.Text),  # "a, b" as the log; NULL: not checked
    # The rubric's other dimensions: JSON name -> [low, high] / "value" / true|false (migration 0010).
    sa.Column("expected_dimensions", sa.Text),
    sa.Column("uploaded_by", sa.Text, nullable=False),
    sa.Column("uploaded_at", sa.Text, nullable=False),  # ISO 8601 UTC
)
review_times = sa.Table(
    "review_times",
    metadata,
    sa.Column("queue_id", sa.String(36), primary_key=True),
    sa.Column("generation_id", sa.String(200), primary_key=True),
    sa.Column("reviewer", sa.String(200), primary_key=True),
    sa.Column("shown_at", sa.Float, nullable=False),  # epoch seconds: first shown to this reviewer
    sa.Column("last_seen_at", sa.Float, nullable=False),  # epoch seconds: the latest run that showed it
    sa.Column("active_seconds", sa.Float, nullable=False),  # the gaps between those runs, each capped
    sa.Column("seconds", sa.Float),  # shown → submitted, idle capped; NULL until submitted
    sa.Column("submitted_at", sa.Text),  # ISO 8601 UTC
    _item_key(),
)
# How long a reviewer spent on a generation rated outside the shared queues (the review queue, the
# Playground, Compare): shown in the rating form → submitted, idle capped. One row per reviewer and
# generation, written with the first submission (an update keeps it, as ``review_times``).
# 0009_review_dimensions holds a copy.
rating_times = sa.Table(
    "rating_times",
    metadata,
    sa.Column("generation_id", sa.String(200), primary_key=True),  # a log row
    sa.Column("reviewer", sa.String(200), primary_key=True),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("submitted_at", sa.Text, nullable=False),  # ISO 8601 UTC
)
adjudications = sa.Table(
    "adjudications",
    metadata,
    sa.Column("queue_id", sa.String(36), primary_key=True),
    sa.Column("generation_id", sa.String(200), primary_key=True),
    sa.Column("thumbs", sa.String(8)),  # up / down, as the log
    sa.Column("stars", sa.Integer),
    sa.Column("labels", sa.Text),  # "a, b", as the log
    sa.Column("comment", sa.Text),
    sa.Column("ideal_answer", sa.Text),  # the adjudicator's ideal answer, if they give one
    sa.Column("adjudicator", sa.String(200), nullable=False),
    sa.Column("adjudicated_at", sa.Text, nullable=False),  # ISO 8601 UTC
    _item_key(),
)
