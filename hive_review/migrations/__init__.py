"""The studio database's schema, kept by Alembic migrations (``versions/``), run from code: no
``alembic.ini``. ``open_stores`` upgrades every database it opens to this code's head.

* A new database gets every table from the first revision.
* A database made before migrations existed (its tables, no ``alembic_version``) is adopted by the
  first revision: it adds the nullable columns and the indexes that database lacks, and Alembic then
  stamps it.
* A database migrated by a newer Hive Review (a revision this code does not know) is refused with
  ``SchemaTooNewError``: this code would misread a schema it does not know.

Several studio processes may start at once on one PostgreSQL database: the upgrade runs in one
transaction under an advisory lock, so one migrates and the others then find it at head. On SQLite
the engine's ``BEGIN IMMEDIATE`` does the same.

A new revision: ``python -m hive_review.migrations revision -m "what changes"`` writes a file in
``versions/`` (from ``script.py.mako``); fill in its ``upgrade()``, and add the change to the tables
in ``hive_review`` too (``tests/unit/hive_review/test_migrations.py`` checks that both agree).
"""

from __future__ import annotations

import functools
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection, Engine

from hive_review.db import SchemaTooNewError

HERE = Path(__file__).resolve().parent
# Any fixed 64-bit number, the same in every studio process: names the migration lock.
_LOCK_KEY = 0x48495645_52455649  # "HIVEREVI"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code; ``env.py`` migrates the ``connection`` given here."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


@functools.cache
def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """This code's newest revision."""
    current = script().get_current_head()
    assert current is not None, "hive_review/migrations/versions has no revision"
    return current


def current_revisions(connection: Connection) -> tuple[str, ...]:
    """The database's revisions (none for a new database or one made before migrations)."""
    return tuple(MigrationContext.configure(connection).get_current_heads())


def _known(revision: str) -> bool:
    try:
        return script().get_revision(revision) is not None
    except CommandError:  # Alembic's word for "no such revision in these scripts"
        return False


def upgrade(engine: Engine, database_key: str) -> None:
    """Bring the database to this code's head, or refuse one that a newer version migrated."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Held to the end of this transaction: processes starting together migrate one at a time.
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        found = current_revisions(connection)
        unknown = [revision for revision in found if not _known(revision)]
        if unknown:
            raise SchemaTooNewError(
                f"The database {database_key} has schema revision {', '.join(unknown)}, which this Hive "
                f"Review does not know: its newest is {head()}. A newer Hive Review has migrated it. "
                "Upgrade Hive Review (git pull, then scripts/setup) to open it; this version will not "
                "change it."
            )
        if found == (head(),):
            return  # the usual start: nothing to migrate
        command.upgrade(alembic_config(connection), "head")
