"""Comparisons in the session database: what was asked (inputs, variants, for blind pairs the seed)
and how each variant's run stands, so a comparison started on the Compare page survives leaving it.

A *set* is what one click started: one comparison for a side-by-side run, or one blind pair per row
of an input set (typed inputs are a set of one row). The runs are made in the background
(``comparison_runner``); each generation lands in the session log as it completes, under its
comparison's id, and the run here is marked done in the same transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hive_review.db import Database, metadata

QUEUED: Final = "queued"
RUNNING: Final = "running"
DONE: Final = "done"
FAILED: Final = "failed"
UNFINISHED: Final = (QUEUED, RUNNING)
Mode = Literal["side", "blind"]
# How the session log names the origin of each mode's generations (as it did before this store).
ORIGINS: Final[dict[str, str]] = {"side": "compare", "blind": "blind"}

comparisons = sa.Table(
    "comparisons",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("set_id", sa.String(64), nullable=False, index=True),
    sa.Column("session_id", sa.String(64), nullable=False, index=True),
    sa.Column("task", sa.Text, nullable=False),
    sa.Column("mode", sa.String(8), nullable=False),  # side / blind
    sa.Column("set_label", sa.Text, nullable=False),  # where the inputs came from: typed, a file, a batch
    sa.Column("position", sa.Integer, nullable=False),  # the row of the set, from 1
    sa.Column("seed", sa.Integer),  # blind: the seed that drew the sides
    sa.Column("inputs_json", sa.Text, nullable=False),
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)
comparison_runs = sa.Table(
    "comparison_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("comparison_id", sa.String(64), sa.ForeignKey("comparisons.id"), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),  # the variant's column, from 0
    sa.Column("variant", sa.Text, nullable=False),  # the prompt's name
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("generation_id", sa.String(200)),
)


@dataclass(frozen=True)
class Variant:
    """A prompt variant as a comparison records it."""

    name: str
    version: str


@dataclass(frozen=True)
class ComparisonRun:
    id: int
    position: int
    variant: str
    version: str
    status: str
    error: str | None
    generation_id: str | None


@dataclass(frozen=True)
class Comparison:
    id: str
    set_id: str
    session_id: str
    task: str
    mode: str
    set_label: str
    position: int
    seed: int | None
    inputs: dict[str, str]
    reviewer: str
    source: str
    created_at: str
    runs: tuple[ComparisonRun, ...]

    @property
    def origin(self) -> str:
        return ORIGINS[self.mode]

    @property
    def finished(self) -> bool:
        return all(run.status not in UNFINISHED for run in self.runs)

    @property
    def ready(self) -> bool:
        """Every variant answered: a blind pair can be voted on."""
        return all(run.status == DONE for run in self.runs)

    @property
    def failed(self) -> bool:
        return any(run.status == FAILED for run in self.runs)


@dataclass(frozen=True)
class ComparisonSet:
    id: str
    task: str
    mode: str
    label: str
    created_at: str
    size: int


class ComparisonStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def create_set(
        self,
        *,
        session_id: str,
        task: str,
        mode: Mode,
        rows: Sequence[Mapping[str, str]],
        variants: Sequence[Variant],
        reviewer: str,
        source: str,
        label: str,
        seed: int | None = None,
    ) -> str:
        """Record one comparison per row of inputs, each with a queued run per variant; the set's id."""
        if not rows:
            raise ValueError("A comparison needs at least one row of inputs.")
        set_id = f"set-{uuid.uuid4().hex[:12]}"
        created = datetime.now(UTC).isoformat()
        prefix = "ab" if mode == "blind" else "cmp"
        with self.database.transaction() as db:
            for position, row in enumerate(rows, start=1):
                comparison_id = f"{prefix}-{uuid.uuid4().hex[:12]}"
                db.execute(
                    comparisons.insert().values(
                        id=comparison_id,
                        set_id=set_id,
                        session_id=session_id,
                        task=task,
                        mode=mode,
                        set_label=label,
                        position=position,
                        seed=seed,
                        inputs_json=json.dumps(dict(row), ensure_ascii=False),
                        reviewer=reviewer,
                        source=source,
                        created_at=created,
                    )
                )
                db.execute(
                    comparison_runs.insert(),
                    [
                        {
                            "comparison_id": comparison_id,
                            "position": index,
                            "variant": variant.name,
                            "version": variant.version,
                            "status": QUEUED,
                        }
                        for index, variant in enumerate(variants)
                    ],
                )
        return set_id

    def set_comparisons(self, set_id: str) -> list[Comparison]:
        """The comparisons of a set in row order, each with its runs in column order."""
        return self._read(comparisons.c.set_id == set_id)

    def get(self, comparison_id: str) -> Comparison | None:
        found = self._read(comparisons.c.id == comparison_id)
        return found[0] if found else None

    def sets(self, session_id: str, task: str, mode: Mode, *, limit: int = 20) -> list[ComparisonSet]:
        """The session's sets of one task and mode, newest first."""
        query = (
            sa.select(
                comparisons.c.set_id,
                comparisons.c.set_label,
                sa.func.min(comparisons.c.created_at).label("created_at"),
                sa.func.count().label("size"),
            )
            .where(comparisons.c.session_id == session_id, comparisons.c.task == task, comparisons.c.mode == mode)
            .group_by(comparisons.c.set_id, comparisons.c.set_label)
            .order_by(sa.desc("created_at"))
            .limit(limit)
        )
        with self.database.engine.connect() as db:
            rows = db.execute(query).mappings().all()
        return [ComparisonSet(r["set_id"], task, mode, r["set_label"], r["created_at"], int(r["size"])) for r in rows]

    def mark(
        self,
        run_id: int,
        status: str,
        *,
        error: str | None = None,
        generation_id: str | None = None,
        db: Connection | None = None,
    ) -> None:
        """Set a run's status; ``db`` joins the caller's transaction (its log row goes in with it)."""
        values: dict[str, object] = {"status": status, "error": error}
        if generation_id is not None:
            values["generation_id"] = generation_id
        with self.database.transaction(db) as tx:
            tx.execute(comparison_runs.update().where(comparison_runs.c.id == run_id).values(**values))

    def requeue(self, set_id: str, statuses: Sequence[str]) -> int:
        """Put the set's runs in ``statuses`` back in the queue (a resume, or a retry of failed runs)."""
        ids = sa.select(comparisons.c.id).where(comparisons.c.set_id == set_id).scalar_subquery()
        with self.database.transaction() as db:
            result = db.execute(
                comparison_runs.update()
                .where(comparison_runs.c.comparison_id.in_(ids), comparison_runs.c.status.in_(list(statuses)))
                .values(status=QUEUED, error=None)
            )
        return int(result.rowcount or 0)

    def _read(self, condition: sa.ColumnElement[bool]) -> list[Comparison]:
        with self.database.engine.connect() as db:
            heads = db.execute(sa.select(comparisons).where(condition).order_by(comparisons.c.position)).mappings()
            heads = list(heads)
            ids = [head["id"] for head in heads]
            runs: dict[str, list[ComparisonRun]] = {comparison_id: [] for comparison_id in ids}
            if ids:
                query = (
                    sa.select(comparison_runs)
                    .where(comparison_runs.c.comparison_id.in_(ids))
                    .order_by(comparison_runs.c.comparison_id, comparison_runs.c.position)
                )
                for row in db.execute(query).mappings():
                    runs[row["comparison_id"]].append(
                        ComparisonRun(
                            id=int(row["id"]),
                            position=int(row["position"]),
                            variant=str(row["variant"]),
                            version=str(row["version"]),
                            status=str(row["status"]),
                            error=row["error"],
                            generation_id=row["generation_id"],
                        )
                    )
        return [
            Comparison(
                id=head["id"],
                set_id=head["set_id"],
                session_id=head["session_id"],
                task=head["task"],
                mode=head["mode"],
                set_label=head["set_label"],
                position=int(head["position"]),
                seed=head["seed"],
                inputs=json.loads(head["inputs_json"]),
                reviewer=head["reviewer"],
                source=head["source"],
                created_at=head["created_at"],
                runs=tuple(runs[head["id"]]),
            )
            for head in heads
        ]
