"""The ``Studio`` every page gets: the settings, the HoneyHive connection and backend, the stores,
and who is reviewing in which session. ``studio.py`` builds it on every run (``ui.connection``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

from hive_review import settings as cfg
from hive_review.feedback.ratings import Rating
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.local_emulator import LocalEmulator
from hive_review.log.store import LogStore, ReviewSession
from hive_review.ports import ReviewBackend
from hive_review.stores import Stores
from honeyhive_api import HoneyHiveClient, Prompt, Task
from ui import services


@dataclass(frozen=True)
class Studio:
    """What a page needs to work: the settings, the connection, the stores, and who is reviewing."""

    settings: cfg.StudioSettings
    connection: cfg.ConnectionSettings
    api: Literal["current", "tasks"]  # which HoneyHive API this connection speaks
    environment: str | None  # current API: the environment whose deployed configuration runs
    honeyhive: HoneyHiveClient  # the client itself: events and annotation queues (current API)
    client: ReviewBackend  # runs prompts, logs and sends feedback, in whichever API is spoken
    stores: Stores
    outbox: FeedbackOutbox
    reviewer: str
    source: str
    session: ReviewSession
    emulator: LocalEmulator | None

    @property
    def log(self) -> LogStore:
        return self.stores.log

    @property
    def catalog_key(self) -> str:
        """Names what the task and prompt lists depend on, for their cache (never the key)."""
        return f"{self.connection.fingerprint}:{self.api}:{self.environment or ''}"

    def tasks(self) -> list[Task]:
        return services.list_tasks(self.catalog_key, self.client)

    def prompts(self, task: str) -> list[Prompt]:
        return services.list_prompts(self.catalog_key, task, self.client)

    def save_rating(self, generation_id: str, rating: Rating) -> str:
        """Commit the rating (and queue its delivery on this connection), then wake the outbox."""
        rating_id = self.stores.feedback.save_rating(
            generation_id, rating, reviewer=self.reviewer, connection_id=self.connection.connection_id
        )
        self.outbox.wake()
        return rating_id


# The studio of the run in progress. studio.py sets it before running the page; Streamlit runs a
# session's script in one thread, so a thread-local holds exactly this run's studio.
_current = threading.local()


def set_current_studio(studio: Studio | None) -> None:
    _current.studio = studio


def current_studio_or_none() -> Studio | None:
    """The studio studio.py built for this run, if studio.py is running this page."""
    return getattr(_current, "studio", None)
