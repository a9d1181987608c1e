"""A shared review's rubric and dimensions, and the time each rating outside shared queues took.

Revision ID: 0009_review_dimensions
Revises: 0008_rubrics
Create Date: 2026-11-26

A frozen copy, as of this revision, of:

* ``shared_reviews.rubric_name`` / ``rubric_version`` / ``dimensions_json`` (``hive_review/team/tables.py``):
  the rubric a review was given under and its dimensions beyond the form's own parts (JSON), so
  disagreement and the training export see them per reviewer (the log keeps only the latest rating);
* ``rating_times`` (``hive_review/quality/tables.py``): how long a reviewer spent on a generation
  rated outside the shared queues (review queue, Playground, Compare), shown → submitted, idle capped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_review_dimensions"
down_revision = "0008_rubrics"
branch_labels = None
depends_on = None

REVIEW_COLUMNS = (
    ("rubric_name", sa.Text),
    ("rubric_version", sa.Integer),
    ("dimensions_json", sa.Text),
)
TIMES = "rating_times"


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    # A database made by code that already had these (``create_all``): leave what is there alone.
    present = {column["name"] for column in inspector.get_columns("shared_reviews")}
    for name, kind in REVIEW_COLUMNS:
        if name not in present:
            op.add_column("shared_reviews", sa.Column(name, kind))
    if TIMES not in set(inspector.get_table_names()):
        op.create_table(
            TIMES,
            sa.Column("generation_id", sa.String(200), primary_key=True),
            sa.Column("reviewer", sa.String(200), primary_key=True),
            sa.Column("seconds", sa.Float, nullable=False),
            sa.Column("submitted_at", sa.Text, nullable=False),
        )


def downgrade() -> None:
    op.drop_table(TIMES)
    for name, _ in reversed(REVIEW_COLUMNS):
        op.drop_column("shared_reviews", name)
