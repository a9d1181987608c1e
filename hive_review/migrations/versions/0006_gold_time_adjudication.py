"""Gold items with their expected verdicts, the time each review of a shared item took, and the
final verdicts of adjudicated items.

Revision ID: 0006_gold_time_adjudication
Revises: 0005_work_drafts
Create Date: 2026-11-27

A frozen copy of ``hive_review/quality/tables.py`` as of this revision (see 0001 for why not the
metadata):

* ``gold_items``: per gold log row (origin ``gold``), the expected thumbs, stars range and labels.
* ``review_times``: per reviewer and shared item, shown → submitted with idle gaps capped.
* ``adjudications``: per shared item, the adjudicator's final verdict.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_gold_time_adjudication"
down_revision = "0005_work_drafts"
branch_labels = None
depends_on = None


def _item_key() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["queue_id", "generation_id"], ["shared_queue_items.queue_id", "shared_queue_items.generation_id"]
    )


def _tables() -> dict[str, list[sa.SchemaItem]]:
    """Each table of this revision: its columns and constraints, in creation order."""
    return {
        "gold_items": [
            sa.Column("generation_id", sa.String(200), primary_key=True),
            sa.Column("gold_set", sa.Text, nullable=False),
            sa.Column("expected_thumbs", sa.String(8)),
            sa.Column("expected_stars_min", sa.Integer),
            sa.Column("expected_stars_max", sa.Integer),
            sa.Column("expected_labels", sa.Text),
            sa.Column("uploaded_by", sa.Text, nullable=False),
            sa.Column("uploaded_at", sa.Text, nullable=False),
        ],
        "review_times": [
            sa.Column("queue_id", sa.String(36), primary_key=True),
            sa.Column("generation_id", sa.String(200), primary_key=True),
            sa.Column("reviewer", sa.String(200), primary_key=True),
            sa.Column("shown_at", sa.Float, nullable=False),
            sa.Column("last_seen_at", sa.Float, nullable=False),
            sa.Column("active_seconds", sa.Float, nullable=False),
            sa.Column("seconds", sa.Float),
            sa.Column("submitted_at", sa.Text),
            _item_key(),
        ],
        "adjudications": [
            sa.Column("queue_id", sa.String(36), primary_key=True),
            sa.Column("generation_id", sa.String(200), primary_key=True),
            sa.Column("thumbs", sa.String(8)),
            sa.Column("stars", sa.Integer),
            sa.Column("labels", sa.Text),
            sa.Column("comment", sa.Text),
            sa.Column("ideal_answer", sa.Text),
            sa.Column("adjudicator", sa.String(200), nullable=False),
            sa.Column("adjudicated_at", sa.Text, nullable=False),
            _item_key(),
        ],
    }


def upgrade() -> None:
    # A database made before migrations by code that already had these tables (``create_all``) is
    # adopted by 0001 and reaches this revision with them: leave them alone.
    present = set(sa.inspect(op.get_bind()).get_table_names())
    for name, parts in _tables().items():
        if name not in present:
            op.create_table(name, *parts)


def downgrade() -> None:
    for name in reversed(_tables()):
        op.drop_table(name)
