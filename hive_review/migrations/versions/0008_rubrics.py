"""Rubrics: their versions, the active one, and what each rating was given under.

Revision ID: 0008_rubrics
Revises: 0007_review_revisions
Create Date: 2026-11-26

A frozen copy of ``hive_review/rubrics/store.py``'s tables as of this revision, and of the log's
rubric columns (``hive_review/log/schema.py``):

* ``rubrics``: each version of each rubric, as YAML; unique (name, version).
* ``active_rubric``: the name of the rubric every reviewer rates with (one row).
* ``log_entries.rubric_name`` / ``rubric_version`` / ``dimensions_json``: the rubric a rating was
  given under, and the values of its dimensions beyond the form's own parts (JSON).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_rubrics"
down_revision = "0007_review_revisions"
branch_labels = None
depends_on = None

LOG_COLUMNS = (
    ("rubric_name", sa.Text),
    ("rubric_version", sa.Integer),
    ("dimensions_json", sa.Text),
)


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    tables = set(inspector.get_table_names())
    # A database made by code that already had these (``create_all``): leave what is there alone.
    if "rubrics" not in tables:
        op.create_table(
            "rubrics",
            sa.Column("name", sa.String(200), primary_key=True),
            sa.Column("version", sa.Integer, primary_key=True),
            sa.Column("yaml", sa.Text, nullable=False),
            sa.Column("created_at", sa.Text, nullable=False),
        )
    if "active_rubric" not in tables:
        op.create_table(
            "active_rubric",
            sa.Column("slot", sa.String(20), primary_key=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("chosen_at", sa.Text, nullable=False),
        )
    present = {column["name"] for column in inspector.get_columns("log_entries")}
    for name, kind in LOG_COLUMNS:
        if name not in present:
            op.add_column("log_entries", sa.Column(name, kind))


def downgrade() -> None:
    for name, _ in reversed(LOG_COLUMNS):
        op.drop_column("log_entries", name)
    op.drop_table("active_rubric")
    op.drop_table("rubrics")
