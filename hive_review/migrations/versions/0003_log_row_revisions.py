"""Log rows carry the revision of their last change, so the log page reloads only what changed.

Revision ID: 0003_log_row_revisions
Revises: 0004_model_times_and_comparisons
Create Date: 2026-11-26

``log_entries.updated_rev``: the session's ``revision`` as of the last write to the row (every
write stamps it in its own transaction, see ``LogStore.bump``), and an index on
``(session_id, updated_rev)`` for "the rows of this session changed since revision N". Rows already
there get 0: a page that loads them loads them whole the first time anyway. And an index on
``(session_id, seq)``: a session's log in order without sorting it first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_log_row_revisions"
# After the newest revision present when this one was written (0004 was there before this 0003).
down_revision = "0004_model_times_and_comparisons"
branch_labels = None
depends_on = None


_INDEXES = {
    "ix_log_entries_session_updated": ["session_id", "updated_rev"],
    "ix_log_entries_session_seq": ["session_id", "seq"],
}


def upgrade() -> None:
    # A database made before migrations (adopted by 0001) may have been made with these already.
    inspector = sa.inspect(op.get_bind())
    if "updated_rev" not in {column["name"] for column in inspector.get_columns("log_entries")}:
        # NOT NULL with a server default: both SQLite's ALTER TABLE and PostgreSQL's fill the rows at once.
        op.add_column("log_entries", sa.Column("updated_rev", sa.BigInteger, nullable=False, server_default="0"))
    present = {index["name"] for index in inspector.get_indexes("log_entries")}
    for name, columns in _INDEXES.items():
        if name not in present:
            op.create_index(name, "log_entries", columns)


def downgrade() -> None:
    for name in reversed(_INDEXES):
        op.drop_index(name, table_name="log_entries")
    with op.batch_alter_table("log_entries") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("updated_rev")
