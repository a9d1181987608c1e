"""The tables of the session log: review sessions and their log rows (one per generation)."""

from __future__ import annotations

import sqlalchemy as sa

from hive_review.db import metadata
from hive_review.log import columns as col

review_sessions = sa.Table(
    "review_sessions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    # Grows with every change to the session's log: pages cache the log frame by it.
    sa.Column("revision", sa.Integer, nullable=False, default=0),
)

_TEXT_COLUMNS = (
    col.REVIEWER,
    col.TASK,
    col.PROMPT_NAME,
    col.PROMPT_VERSION,
    col.MODEL,
    col.SOURCE,
    col.ORIGIN,
    col.INPUTS_JSON,
    col.COMPLETION,
    col.THUMBS,
    col.LABELS,
    col.COMMENT,
    col.IDEAL_ANSWER,
    col.FEEDBACK_STATUS,
    col.FEEDBACK_ERROR,
    col.BATCH_ID,
    col.COMPARISON_ID,
    col.PREFERENCE,
    col.AB_POSITION,
)
log_entries = sa.Table(
    "log_entries",
    metadata,
    sa.Column(col.GENERATION_ID, sa.String(200), primary_key=True),
    sa.Column(col.SESSION_ID, sa.String(36), nullable=False, index=True),
    # Order of arrival: nanoseconds since the epoch when the row was added (no read of the table
    # needed to number a row; rows added together get consecutive numbers).
    sa.Column("seq", sa.BigInteger, nullable=False, index=True),
    sa.Column(col.TIMESTAMP, sa.Text, nullable=False),
    sa.Column(col.RATED_AT, sa.Text),
    sa.Column(col.LATENCY_MS, sa.Float),
    sa.Column(col.COST, sa.Float),
    sa.Column(col.PROMPT_TOKENS, sa.Integer),
    sa.Column(col.COMPLETION_TOKENS, sa.Integer),
    sa.Column(col.TOTAL_TOKENS, sa.Integer),
    sa.Column(col.RATING, sa.Integer),
    *(sa.Column(name, sa.Text) for name in _TEXT_COLUMNS),
)
