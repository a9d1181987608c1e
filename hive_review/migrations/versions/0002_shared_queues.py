"""Shared review queues (team mode): queues, their items, reservations and skips, and each
reviewer's review of an item.

Revision ID: 0002_shared_queues
Revises: 0001_baseline
Create Date: 2025-06-20

A frozen copy of ``hive_review/team/tables.py`` as of this revision (see 0001 for why not the
metadata). A table already there is left alone: a database made before migrations by code that
already had these tables (``metadata.create_all``) is adopted by 0001 and then reaches this one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_shared_queues"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def _item_key() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["queue_id", "generation_id"], ["shared_queue_items.queue_id", "shared_queue_items.generation_id"]
    )


def tables() -> sa.MetaData:
    """The four tables of this revision, with their indexes."""
    meta = sa.MetaData()
    sa.Table(
        "shared_queues", meta,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("overlap", sa.Integer, nullable=False),
        sa.Column("reservation_seconds", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
    )  # fmt: skip
    sa.Table(
        "shared_queue_items", meta,
        sa.Column("queue_id", sa.String(36), sa.ForeignKey("shared_queues.id"), primary_key=True),
        sa.Column("generation_id", sa.String(200), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Index("ix_shared_queue_items_queue_position", "queue_id", "position"),
    )  # fmt: skip
    sa.Table(
        "shared_queue_reservations", meta,
        sa.Column("queue_id", sa.String(36), primary_key=True),
        sa.Column("generation_id", sa.String(200), primary_key=True),
        sa.Column("reviewer", sa.String(200), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expires_at", sa.Float),
        sa.Column("updated_at", sa.Text, nullable=False),
        _item_key(),
        sa.Index("ix_shared_queue_reservations_queue_reviewer", "queue_id", "reviewer"),
    )  # fmt: skip
    sa.Table(
        "shared_reviews", meta,
        sa.Column("queue_id", sa.String(36), primary_key=True),
        sa.Column("generation_id", sa.String(200), primary_key=True),
        sa.Column("reviewer", sa.String(200), primary_key=True),
        sa.Column("thumbs", sa.String(8)),
        sa.Column("stars", sa.Integer),
        sa.Column("labels", sa.Text),
        sa.Column("comment", sa.Text),
        sa.Column("rating_id", sa.String(36)),
        sa.Column("reviewed_at", sa.Text, nullable=False),
        _item_key(),
    )  # fmt: skip
    return meta


def upgrade() -> None:
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    for table in tables().sorted_tables:
        if table.name not in present:
            table.create(bind)  # with its indexes


def downgrade() -> None:
    for table in reversed(tables().sorted_tables):
        op.drop_table(table.name)
