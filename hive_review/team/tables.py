"""The tables of shared review queues, declared on the studio's one ``metadata`` (so a queue's
reviews can be written in the same transaction as the rating's log row and outbox item).

* ``shared_queues``: a queue and its settings (reviews per item, how long a reservation lasts).
* ``shared_queue_items``: its generations (log rows), in order. Every change to an item's slots
  locks this row first (``FOR UPDATE`` on PostgreSQL), so a count read after the lock is the truth.
* ``shared_queue_reservations``: who holds which item until when (``reserved``), and who said "not
  me" (``skipped``, kept so the item is never offered to them again). One row per reviewer and item.
* ``shared_reviews``: each reviewer's rating of an item. The session log keeps ONE rating per
  generation (the latest), which cannot tell two reviewers apart; agreement needs every one.

``hive_review/migrations/versions/0002_shared_queues.py`` holds a frozen copy of these tables.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa

from hive_review.db import metadata

RESERVED: Final = "reserved"
SKIPPED: Final = "skipped"

shared_queues = sa.Table(
    "shared_queues",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),  # ISO 8601 UTC, as the log's times
    sa.Column("overlap", sa.Integer, nullable=False),  # reviews wanted per item
    sa.Column("reservation_seconds", sa.Integer, nullable=False),
    sa.Column("source", sa.Text, nullable=False),  # where the items came from, for people to read
)
shared_queue_items = sa.Table(
    "shared_queue_items",
    metadata,
    sa.Column("queue_id", sa.String(36), sa.ForeignKey("shared_queues.id"), primary_key=True),
    sa.Column("generation_id", sa.String(200), primary_key=True),  # a log_entries row
    sa.Column("position", sa.Integer, nullable=False),  # 1-based order in which items are offered
    sa.Index("ix_shared_queue_items_queue_position", "queue_id", "position"),
)


def _item_key() -> sa.ForeignKeyConstraint:
    """A reservation or review is of an item of the queue (one constraint object per table)."""
    return sa.ForeignKeyConstraint(
        ["queue_id", "generation_id"], ["shared_queue_items.queue_id", "shared_queue_items.generation_id"]
    )


shared_queue_reservations = sa.Table(
    "shared_queue_reservations",
    metadata,
    sa.Column("queue_id", sa.String(36), primary_key=True),
    sa.Column("generation_id", sa.String(200), primary_key=True),
    sa.Column("reviewer", sa.String(200), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),  # RESERVED or SKIPPED
    # Epoch seconds (as the outbox's leases): compared with a number, the same on every database.
    sa.Column("expires_at", sa.Float),  # NULL for a skip
    sa.Column("updated_at", sa.Text, nullable=False),
    _item_key(),
    sa.Index("ix_shared_queue_reservations_queue_reviewer", "queue_id", "reviewer"),
)
shared_reviews = sa.Table(
    "shared_reviews",
    metadata,
    sa.Column("queue_id", sa.String(36), primary_key=True),
    sa.Column("generation_id", sa.String(200), primary_key=True),
    sa.Column("reviewer", sa.String(200), primary_key=True),  # the key: one review per reviewer and item
    sa.Column("thumbs", sa.String(8)),  # up / down, as the log
    sa.Column("stars", sa.Integer),
    sa.Column("labels", sa.Text),  # "a, b", as the log
    sa.Column("comment", sa.Text),
    sa.Column("rating_id", sa.String(36)),  # the rating's id in the outbox and at HoneyHive
    sa.Column("reviewed_at", sa.Text, nullable=False),
    # The rubric the review was given under and its dimensions beyond the form's own parts (JSON, as
    # the log's columns of the same names); 0009_review_dimensions holds a copy.
    sa.Column("rubric_name", sa.Text),
    sa.Column("rubric_version", sa.Integer),
    sa.Column("dimensions_json", sa.Text),
    _item_key(),
)
# A reviewer's change of their review after it was submitted (and the item's variant, model and the
# other reviews were revealed to them): ``shared_reviews`` keeps the blind verdict, which agreement
# uses; each later change is one row here, numbered from 1. 0007_review_revisions holds a copy.
shared_review_revisions = sa.Table(
    "shared_review_revisions",
    metadata,
    sa.Column("queue_id", sa.String(36), primary_key=True),
    sa.Column("generation_id", sa.String(200), primary_key=True),
    sa.Column("reviewer", sa.String(200), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),  # 1, 2, … per reviewer and item
    sa.Column("thumbs", sa.String(8)),
    sa.Column("stars", sa.Integer),
    sa.Column("labels", sa.Text),
    sa.Column("comment", sa.Text),
    sa.Column("rating_id", sa.String(36)),
    sa.Column("reviewed_at", sa.Text, nullable=False),
    _item_key(),
)
