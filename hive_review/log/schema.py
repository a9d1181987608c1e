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

# Not a column of the log frame: bookkeeping of the store (``seq`` is the other).
UPDATED_REVISION = "updated_rev"
# What a write sets before its transaction stamps the row with the session's new revision.
PENDING_REVISION = -1

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
    col.RUBRIC_NAME,
    col.DIMENSIONS_JSON,
)
log_entries = sa.Table(
    "log_entries",
    metadata,
    sa.Column(col.GENERATION_ID, sa.String(200), primary_key=True),
    sa.Column(col.SESSION_ID, sa.String(36), nullable=False, index=True),
    # Order of arrival: nanoseconds since the epoch when the row was added (no read of the table
    # needed to number a row; rows added together get consecutive numbers).
    sa.Column("seq", sa.BigInteger, nullable=False, index=True),
    # The session's ``revision`` as of the last write to this row (PENDING_REVISION until the
    # writing transaction stamps it, see ``LogStore.bump``): the log page reloads only the rows newer
    # than the revision it has, instead of the whole log after every rating.
    sa.Column(UPDATED_REVISION, sa.BigInteger, nullable=False, server_default="0"),
    sa.Column(col.TIMESTAMP, sa.Text, nullable=False),
    sa.Column(col.RATED_AT, sa.Text),
    sa.Column(col.LATENCY_MS, sa.Float),
    sa.Column(col.MODEL_LATENCY_MS, sa.Float),
    sa.Column(col.FIRST_TOKEN_MS, sa.Float),
    sa.Column(col.WAIT_MS, sa.Float),
    sa.Column(col.COST, sa.Float),
    sa.Column(col.PROMPT_TOKENS, sa.Integer),
    sa.Column(col.COMPLETION_TOKENS, sa.Integer),
    sa.Column(col.TOTAL_TOKENS, sa.Integer),
    sa.Column(col.RATING, sa.Integer),
    sa.Column(col.RUBRIC_VERSION, sa.Integer),
    *(sa.Column(name, sa.Text) for name in _TEXT_COLUMNS),
    # The rows of one session changed since a revision: one index range (the page's reload).
    sa.Index("ix_log_entries_session_updated", col.SESSION_ID, UPDATED_REVISION),
    # One session's log in seq order straight from the index: with only the session_id index,
    # SQLite sorted 100k rows in a temporary B-tree (half of the page's load time).
    sa.Index("ix_log_entries_session_seq", col.SESSION_ID, "seq"),
)
