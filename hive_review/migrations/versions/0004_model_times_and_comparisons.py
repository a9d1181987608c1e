"""The model's own times in the session log (``model_latency_ms``, ``first_token_ms``, ``wait_ms``),
and Compare's comparisons with their runs, made in the background.

Revision ID: 0004_model_times_and_comparisons
Revises: 0002_shared_queues
Create Date: 2025-06-24

A frozen copy of the tables as of this revision (see 0001 for why not the metadata). What is already
there is left alone: a database made before migrations by code that already had these columns and
tables (``metadata.create_all``) is adopted by 0001 and then reaches this one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_model_times_and_comparisons"
down_revision = "0002_shared_queues"
branch_labels = None
depends_on = None

# Nullable: rows logged before this revision, and endpoints that do not say, have no such times.
LOG_TIMES = ("model_latency_ms", "first_token_ms", "wait_ms")


def tables() -> sa.MetaData:
    """The two tables of this revision, with their indexes."""
    meta = sa.MetaData()
    sa.Table(
        "comparisons", meta,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("set_id", sa.String(64), nullable=False, index=True),
        sa.Column("session_id", sa.String(64), nullable=False, index=True),
        sa.Column("task", sa.Text, nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("set_label", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("seed", sa.Integer),
        sa.Column("inputs_json", sa.Text, nullable=False),
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )  # fmt: skip
    sa.Table(
        "comparison_runs", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("comparison_id", sa.String(64), sa.ForeignKey("comparisons.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("variant", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("generation_id", sa.String(200)),
    )  # fmt: skip
    return meta


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    columns = {column["name"] for column in inspector.get_columns("log_entries")}
    for name in LOG_TIMES:
        if name not in columns:
            op.add_column("log_entries", sa.Column(name, sa.Float, nullable=True))
    present = set(inspector.get_table_names())
    for table in tables().sorted_tables:
        if table.name not in present:
            table.create(bind)  # with its indexes


def downgrade() -> None:
    for table in reversed(tables().sorted_tables):
        op.drop_table(table.name)
    with op.batch_alter_table("log_entries") as batch:
        for name in reversed(LOG_TIMES):
            batch.drop_column(name)
