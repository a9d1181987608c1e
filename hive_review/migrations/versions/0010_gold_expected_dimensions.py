"""A gold item's expected values for the rubric's own dimensions.

Revision ID: 0010_gold_expected_dimensions
Revises: 0009_review_dimensions
Create Date: 2026-11-26

A frozen copy, as of this revision, of ``gold_items.expected_dimensions``
(``hive_review/quality/tables.py``): JSON, dimension name -> a scale's accepted range ``[low, high]``,
a categorical value's name, or a pass_fail verdict (``true``: pass). NULL: none expected.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_gold_expected_dimensions"
down_revision = "0009_review_dimensions"
branch_labels = None
depends_on = None

TABLE = "gold_items"
COLUMN = "expected_dimensions"


def upgrade() -> None:
    # A database made by code that already had the column (``create_all``): leave it alone.
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns(TABLE)}
    if COLUMN not in present:
        op.add_column(TABLE, sa.Column(COLUMN, sa.Text))


def downgrade() -> None:
    op.drop_column(TABLE, COLUMN)
