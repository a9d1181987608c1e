"""Rubrics in the studio's database: every version of every rubric, and which one is active.

* ``rubrics``: one row per (name, version), the rubric as YAML. Saving a changed rubric adds the
  next version; saving one whose content equals its latest version adds nothing. Versions are never
  changed or deleted: every rating names the version it was given under.
* ``active_rubric``: one row, the name of the rubric every reviewer rates with (its latest version).
  In the database, not the settings: in team mode every studio process shares the database, so one
  lead's choice reaches every reviewer at once, with no restart or settings file per machine.

The built-in default rubric (today's form) is version 1 of ``default`` and needs no row; a lead may
save new versions of it like any other. ``hive_review/migrations/versions/0008_rubrics.py`` holds a
frozen copy of these tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.db import Database, metadata
from hive_review.log.entries import iso, utc_now
from hive_review.rubrics.models import DEFAULT_RUBRIC, DEFAULT_RUBRIC_NAME, Rubric, rubric_from_yaml, rubric_to_yaml

rubrics = sa.Table(
    "rubrics",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),  # 1, 2, … per name: unique (name, version)
    sa.Column("yaml", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),  # ISO 8601 UTC
)
active_rubric = sa.Table(
    "active_rubric",
    metadata,
    sa.Column("slot", sa.String(20), primary_key=True),  # always ACTIVE: one row at most
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("chosen_at", sa.Text, nullable=False),
)
ACTIVE = "active"
_SAVE_ATTEMPTS = 3  # two processes saving the same name at once: the loser numbers again


class RubricStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def save(self, rubric: Rubric) -> Rubric:
        """Keep the rubric as the next version of its name and return it as stored (its version
        set); the latest version itself when its content is the same (its ``version`` is ignored)."""
        for attempt in range(_SAVE_ATTEMPTS):
            latest = self.latest(rubric.name)
            if latest is not None and latest.content() == rubric.content():
                return latest
            saved = rubric.model_copy(update={"version": latest.version + 1 if latest else 1})
            try:
                with self.database.transaction() as db:
                    db.execute(
                        rubrics.insert().values(
                            name=saved.name,
                            version=saved.version,
                            yaml=rubric_to_yaml(saved),
                            created_at=iso(utc_now()),
                        )
                    )
                return saved
            except sa.exc.IntegrityError:
                if attempt == _SAVE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def latest(self, name: str) -> Rubric | None:
        """The newest version of the rubric named so (the built-in default when none is saved)."""
        table = rubrics.c
        query = sa.select(table.yaml).where(table.name == name).order_by(table.version.desc()).limit(1)
        with self.database.engine.connect() as db:
            text = db.execute(query).scalar()
        if text is None:
            return DEFAULT_RUBRIC if name == DEFAULT_RUBRIC_NAME else None
        return rubric_from_yaml(text)

    def get(self, name: str, version: int) -> Rubric | None:
        """One version of a rubric, or ``None``."""
        table = rubrics.c
        with self.database.engine.connect() as db:
            text = db.execute(sa.select(table.yaml).where(table.name == name, table.version == version)).scalar()
        if text is None:
            return DEFAULT_RUBRIC if (name, version) == (DEFAULT_RUBRIC_NAME, DEFAULT_RUBRIC.version) else None
        return rubric_from_yaml(text)

    def versions(self, name: str) -> list[int]:
        """Every version of a rubric, oldest first."""
        table = rubrics.c
        with self.database.engine.connect() as db:
            stored = list(
                db.execute(sa.select(table.version).where(table.name == name).order_by(table.version)).scalars()
            )
        return stored or ([DEFAULT_RUBRIC.version] if name == DEFAULT_RUBRIC_NAME else [])

    def list(self) -> list[Rubric]:
        """The latest version of every rubric, the default first, then by name."""
        table = rubrics.c
        newest = sa.select(table.name, sa.func.max(table.version).label("version")).group_by(table.name).subquery()
        query = (
            sa.select(table.yaml)
            .join(newest, sa.and_(table.name == newest.c.name, table.version == newest.c.version))
            .order_by(table.name)
        )
        with self.database.engine.connect() as db:
            found = [rubric_from_yaml(text) for text in db.execute(query).scalars()]
        if not any(rubric.name == DEFAULT_RUBRIC_NAME for rubric in found):
            found.append(DEFAULT_RUBRIC)
        return sorted(found, key=lambda rubric: (rubric.name != DEFAULT_RUBRIC_NAME, rubric.name))

    # ---- the active rubric ----------------------------------------------------------------------

    def active_name(self) -> str:
        with self.database.engine.connect() as db:
            name = db.execute(sa.select(active_rubric.c.name).where(active_rubric.c.slot == ACTIVE)).scalar()
        return name or DEFAULT_RUBRIC_NAME

    def active(self) -> Rubric:
        """The rubric every reviewer rates with: the latest version of the active name (the default
        rubric when none is chosen, or when the chosen one is gone)."""
        return self.latest(self.active_name()) or DEFAULT_RUBRIC

    def set_active(self, name: str, *, db: Connection | None = None) -> None:
        """Make the latest version of ``name`` the rubric every reviewer rates with."""
        if self.latest(name) is None:
            raise KeyError(f"no rubric is named {name!r}; save it first")
        with self.database.transaction(db) as tx:
            tx.execute(active_rubric.delete().where(active_rubric.c.slot == ACTIVE))
            tx.execute(active_rubric.insert().values(slot=ACTIVE, name=name, chosen_at=iso(utc_now())))
