"""Migrations by hand, on the database of ``HIVE_REVIEW_DATABASE_URL`` (else the default SQLite file):

python -m hive_review.migrations current             the database's revision and this code's head
python -m hive_review.migrations upgrade             what the studio does on start
python -m hive_review.migrations revision -m "..."   a new, empty revision file in versions/
"""

from __future__ import annotations

import argparse
import os

from alembic import command

from hive_review.db import Database, DatabaseError, default_database_url
from hive_review.migrations import alembic_config, current_revisions, head


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hive_review.migrations")
    parser.add_argument("action", choices=("current", "upgrade", "revision"))
    parser.add_argument("-m", "--message", default="change", help="what a new revision changes")
    args = parser.parse_args()
    if args.action == "revision":
        command.revision(alembic_config(), message=args.message)
        return
    database = Database(os.environ.get("HIVE_REVIEW_DATABASE_URL") or default_database_url())
    try:
        if args.action == "upgrade":
            database.upgrade_schema()
        with database.engine.connect() as connection:
            found = ", ".join(current_revisions(connection)) or "none"
        print(f"{database.key}: revision {found}; this code's head: {head()}")
    except DatabaseError as exc:
        raise SystemExit(str(exc)) from exc
    finally:
        database.close()


if __name__ == "__main__":
    main()
