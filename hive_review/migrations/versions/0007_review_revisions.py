"""Revisions of shared reviews: a reviewer's changes after the reveal, kept apart from the blind
verdict in ``shared_reviews``.

Revision ID: 0007_review_revisions
Revises: 0006_gold_time_adjudication
Create Date: 2026-11-25

A frozen copy of ``shared_review_revisions`` in ``hive_review/team/tables.py`` as of this revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_review_revisions"
down_revision = "0006_gold_time_adjudication"
branch_labels = None
depends_on = None

TABLE = "shared_review_revisions"


def upgrade() -> None:
    # A database made by code that already had this table (``create_all``): leave it alone.
    if TABLE in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        TABLE,
        sa.Column("queue_id", sa.String(36), primary_key=True),
        sa.Column("generation_id", sa.String(200), primary_key=True),
        sa.Column("reviewer", sa.String(200), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("thumbs", sa.String(8)),
        sa.Column("stars", sa.Integer),
        sa.Column("labels", sa.Text),
        sa.Column("comment", sa.Text),
        sa.Column("rating_id", sa.String(36)),
        sa.Column("reviewed_at", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id", "generation_id"], ["shared_queue_items.queue_id", "shared_queue_items.generation_id"]
        ),
    )


def downgrade() -> None:
    op.drop_table(TABLE)
