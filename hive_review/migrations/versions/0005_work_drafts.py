"""Work in progress kept per reviewer: unsent rating drafts and typed run inputs survive a reload.

Revision ID: 0005_work_drafts
Revises: 0003_log_row_revisions
Create Date: 2026-11-25

* ``rating_drafts``: a reviewer's unsubmitted rating of a generation (the form's parts as JSON),
  one per reviewer and generation; deleted when the rating is submitted.
* ``input_drafts``: what a reviewer typed into a page's inputs (JSON), one per reviewer and scope
  (a page and the prompt it runs, e.g. ``playground:<task or configuration>``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_work_drafts"
down_revision = "0003_log_row_revisions"
branch_labels = None
depends_on = None


def _tables() -> dict[str, list[sa.Column]]:
    return {
        "rating_drafts": [
            sa.Column("reviewer", sa.String(200), primary_key=True),
            sa.Column("generation_id", sa.String(200), primary_key=True),
            sa.Column("parts_json", sa.Text, nullable=False),
            sa.Column("updated_at", sa.Text, nullable=False),
        ],
        "input_drafts": [
            sa.Column("reviewer", sa.String(200), primary_key=True),
            sa.Column("scope", sa.String(400), primary_key=True),
            sa.Column("values_json", sa.Text, nullable=False),
            sa.Column("updated_at", sa.Text, nullable=False),
        ],
    }


def upgrade() -> None:
    # A database made before migrations by code that already had these tables (``create_all``) is
    # adopted by 0001 and reaches this revision with them: leave them alone.
    present = set(sa.inspect(op.get_bind()).get_table_names())
    for name, columns in _tables().items():
        if name not in present:
            op.create_table(name, *columns)


def downgrade() -> None:
    op.drop_table("input_drafts")
    op.drop_table("rating_drafts")
