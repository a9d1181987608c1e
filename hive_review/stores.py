"""Every store of the studio on one database, opened together."""

from __future__ import annotations

from dataclasses import dataclass

from hive_review.compare.votes import VoteStore
from hive_review.db import Database
from hive_review.feedback.queue import FeedbackQueue
from hive_review.log.store import LogStore
from hive_review.runs.batch_store import BatchStore


@dataclass(frozen=True)
class Stores:
    database: Database
    log: LogStore
    feedback: FeedbackQueue
    batches: BatchStore
    votes: VoteStore

    def close(self) -> None:
        self.database.close()


def open_stores(database_url: str) -> Stores:
    """Open the database (creating what is missing of its schema) and every store on it."""
    database = Database(database_url)
    log = LogStore(database)
    feedback = FeedbackQueue(database, log)
    stores = Stores(
        database=database,
        log=log,
        feedback=feedback,
        batches=BatchStore(database),
        votes=VoteStore(database, feedback),
    )
    database.create_schema()  # after the imports above: every table is declared on the metadata
    return stores
