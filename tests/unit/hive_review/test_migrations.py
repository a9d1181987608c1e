"""The schema is kept by Alembic migrations, on SQLite and on a real PostgreSQL server: a new
database, one made by a version before migrations, one migrated by a newer version, and several
studio processes starting at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from hive_review.db import DatabaseError, SchemaTooNewError, metadata
from hive_review.log import columns as col
from hive_review.log.entries import LogEntry
from hive_review.migrations import head
from hive_review.stores import open_stores


def _revision(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as db:
            return list(db.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()


def test_a_new_database_is_migrated_to_head_and_matches_the_stores_tables(database_url):
    open_stores(database_url).close()
    assert _revision(database_url) == [head()]
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as db:
            # What the migrations made is what the stores declare: no column, type or index apart.
            assert compare_metadata(MigrationContext.configure(db, opts={"compare_type": True}), metadata) == []
    finally:
        engine.dispose()
    open_stores(database_url).close()  # a second start finds it at head and changes nothing
    assert _revision(database_url) == [head()]


def test_a_database_made_before_migrations_gets_what_it_lacks_and_keeps_its_rows(database_url):
    engine = sa.create_engine(database_url)
    with engine.begin() as db:  # as an earlier version left it: no alembic_version, older columns
        metadata.create_all(db)
        db.exec_driver_sql("DROP INDEX ix_feedback_outbox_connection_id")
        for table, column in (("log_entries", "ab_position"), ("feedback_outbox", "lease_owner"),
                              ("feedback_outbox", "lease_until"), ("feedback_outbox", "connection_id")):  # fmt: skip
            db.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        db.exec_driver_sql(
            "INSERT INTO review_sessions (id, name, reviewer, created_at, revision) "
            "VALUES ('s-old', 'Kept', 'qa-1', '2025-01-01T00:00:00+00:00', 3)"
        )
    engine.dispose()

    stores = open_stores(database_url)
    try:
        assert _revision(database_url) == [head()]
        assert [session.name for session in stores.log.list_sessions()] == ["Kept"]
        inspector = sa.inspect(stores.database.engine)
        assert {"lease_owner", "lease_until", "connection_id"} <= {
            column["name"] for column in inspector.get_columns("feedback_outbox")
        }
        indexes = {index["name"] for index in inspector.get_indexes("feedback_outbox")}
        assert "ix_feedback_outbox_connection_id" in indexes
        stores.log.add_entry(LogEntry(generation_id="g-1", session_id="s-old", reviewer="qa-1", task="t",
                                      prompt_version="1", completion="c"))  # fmt: skip
        assert col.AB_POSITION in stores.log.load_log("s-old").columns
    finally:
        stores.close()


def test_a_database_migrated_by_a_newer_version_is_refused_and_left_alone(database_url):
    open_stores(database_url).close()
    engine = sa.create_engine(database_url)
    with engine.begin() as db:
        db.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    engine.dispose()

    with pytest.raises(SchemaTooNewError) as refused:
        open_stores(database_url)
    message = str(refused.value)
    assert "9999_from_the_future" in message and head() in message  # the database's and the code's
    assert "Upgrade Hive Review" in message  # and the fix
    assert isinstance(refused.value, DatabaseError)
    assert _revision(database_url) == ["9999_from_the_future"]


def test_studio_processes_starting_together_on_a_new_database_all_open_it(database_url):
    with ThreadPoolExecutor(4) as pool:
        opened = list(pool.map(lambda _: open_stores(database_url), range(4)))
    for stores in opened:
        assert stores.feedback.counts() == {}
        stores.close()
    assert _revision(database_url) == [head()]


def test_an_unreachable_database_is_a_message_not_a_traceback():
    # Port 1 on loopback: nothing listens there.
    with pytest.raises(DatabaseError) as refused:
        open_stores("postgresql+psycopg://hive@127.0.0.1:1/hive_review")
    assert "Cannot open the database" in str(refused.value)
    assert "HIVE_REVIEW_DATABASE_URL" in str(refused.value)
