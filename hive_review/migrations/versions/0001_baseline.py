"""The schema as of the first migration: session log, feedback outbox, batches, blind votes.

Revision ID: 0001_baseline
Revises:
Create Date: 2025-06-01

A copy of the tables as they were at this revision, not ``hive_review.db.metadata``: the metadata
moves on with the code, and a later revision that adds a column would then find it already made
here. Also adopts a database made before migrations (tables, no ``alembic_version``): the nullable
columns and the indexes added since it was made are added, as ``Database.create_schema`` used to;
Alembic stamps it afterwards.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

_LOG_TEXT = (
    "reviewer", "task", "prompt_name", "prompt_version", "model", "source", "origin", "inputs_json",
    "completion", "thumbs", "labels", "comment", "ideal_answer", "feedback_status", "feedback_error",
    "batch_id", "comparison_id", "preference", "ab_position",
)  # fmt: skip
_VOTE_TEXT = (
    "left_variant", "right_variant", "left_generation_id", "right_generation_id", "left_prompt",
    "right_prompt", "left_completion", "right_completion",
)  # fmt: skip


def tables() -> sa.MetaData:
    """The six tables of this revision, with their indexes."""
    meta = sa.MetaData()
    sa.Table(
        "review_sessions", meta,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
    )  # fmt: skip
    sa.Table(
        "log_entries", meta,
        sa.Column("generation_id", sa.String(200), primary_key=True),
        sa.Column("session_id", sa.String(36), nullable=False, index=True),
        sa.Column("seq", sa.BigInteger, nullable=False, index=True),
        sa.Column("timestamp", sa.Text, nullable=False),
        sa.Column("rated_at", sa.Text),
        sa.Column("latency_ms", sa.Float),
        sa.Column("cost", sa.Float),
        *(sa.Column(name, sa.Integer) for name in ("prompt_tokens", "completion_tokens", "total_tokens", "rating")),
        *(sa.Column(name, sa.Text) for name in _LOG_TEXT),
    )  # fmt: skip
    sa.Table(
        "feedback_outbox", meta,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("generation_id", sa.String(200), nullable=False, index=True),
        sa.Column("task", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("feedback_json", sa.Text, nullable=False),
        sa.Column("ground_truth", sa.Text),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.Float, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("sent_at", sa.Text),
        sa.Column("connection_id", sa.String(64), index=True),
        sa.Column("lease_owner", sa.String(100)),
        sa.Column("lease_until", sa.Float),
    )  # fmt: skip
    sa.Table(
        "batches", meta,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("session_id", sa.String(64), nullable=False, index=True),
        sa.Column("task", sa.Text, nullable=False),
        sa.Column("variants_json", sa.Text, nullable=False),
        sa.Column("repeats", sa.Integer, nullable=False),
        sa.Column("concurrency", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )  # fmt: skip
    sa.Table(
        "batch_items", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(40), sa.ForeignKey("batches.id"), nullable=False, index=True),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("variant", sa.Text, nullable=False),
        sa.Column("repeat", sa.Integer, nullable=False),
        sa.Column("inputs_json", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("generation_id", sa.String(64)),
    )  # fmt: skip
    sa.Table(
        "ab_votes", meta,
        sa.Column("comparison_id", sa.String(64), primary_key=True),
        sa.Column("session_id", sa.String(64), nullable=False, index=True),
        sa.Column("task", sa.Text, nullable=False),
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("inputs_json", sa.Text, nullable=False),
        *(sa.Column(name, sa.Text, nullable=False) for name in _VOTE_TEXT),
        sa.Column("winner", sa.String(8), nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )  # fmt: skip
    return meta


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    present = set(inspector.get_table_names())
    for table in tables().sorted_tables:
        if table.name not in present:
            table.create(bind)  # with its indexes
            continue
        # A table of a database made before migrations: add what an earlier version lacked. Such
        # columns are added nullable, since the rows already there have no value for them.
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in columns:
                op.add_column(table.name, sa.Column(column.name, column.type, nullable=True))
        indexes = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                index.create(bind)


def downgrade() -> None:
    for table in reversed(tables().sorted_tables):
        op.drop_table(table.name)
