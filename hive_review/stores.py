"""Every store of the studio on one database, opened together."""

from __future__ import annotations

from dataclasses import dataclass

from hive_review.compare.comparison_store import ComparisonStore
from hive_review.compare.votes import VoteStore
from hive_review.db import Database
from hive_review.drafts import DraftStore
from hive_review.feedback.queue import FeedbackQueue
from hive_review.log.store import LogStore
from hive_review.rubrics.store import RubricStore
from hive_review.runs.batch_store import BatchStore
from hive_review.team.store import SharedQueues


@dataclass(frozen=True)
class Stores:
    database: Database
    log: LogStore
    feedback: FeedbackQueue
    batches: BatchStore
    votes: VoteStore
    queues: SharedQueues  # team mode: review queues shared by several reviewers
    comparisons: ComparisonStore  # Compare's side-by-side runs and blind pairs, made in the background
    drafts: DraftStore  # each reviewer's unsent rating drafts and typed inputs: a reload keeps them
    rubrics: RubricStore  # rubric versions and the active one (what the rating form asks)

    def close(self) -> None:
        self.database.close()


def open_stores(database_url: str) -> Stores:
    """Open the database, migrated to this code's schema, and every store on it. Raises
    ``DatabaseError`` (``SchemaTooNewError`` for a database a newer Hive Review migrated)."""
    database = Database(database_url)
    log = LogStore(database)
    feedback = FeedbackQueue(database, log)
    stores = Stores(
        database=database,
        log=log,
        feedback=feedback,
        batches=BatchStore(database),
        votes=VoteStore(database, feedback),
        queues=SharedQueues(database, log, feedback),
        comparisons=ComparisonStore(database),
        drafts=DraftStore(database),
        rubrics=RubricStore(database),
    )
    try:
        database.upgrade_schema()
    except Exception:
        database.close()
        raise
    return stores
