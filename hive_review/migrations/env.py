"""Alembic's environment, driven from code (``hive_review.migrations.upgrade``): it migrates the
connection it is handed, inside the caller's transaction, and compares against the tables every
store declares on ``hive_review.db.metadata`` (for ``revision --autogenerate``)."""

from __future__ import annotations

from alembic import context

import hive_review.stores  # noqa: F401  (declares every store's tables on the metadata)
from hive_review.db import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through hive_review.migrations (python -m hive_review.migrations).")
# SQLite alters tables only by copying them: Alembic's batch mode does that for the ops that need it.
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
