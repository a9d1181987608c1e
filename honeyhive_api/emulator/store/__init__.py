"""The emulator's data in one SQLite file, one store per job.

``EmulatorStore`` opens the file and holds the stores of both APIs: tasks and prompts,
generations and their feedback (the task-based API); configurations, events and annotation queues
(the current API).
"""

from __future__ import annotations

from typing import Any

from honeyhive_api.emulator.store.configurations import ConfigurationStore
from honeyhive_api.emulator.store.database import Database
from honeyhive_api.emulator.store.events import EventStore
from honeyhive_api.emulator.store.generations import GenerationStore
from honeyhive_api.emulator.store.queues import QueueStore
from honeyhive_api.emulator.store.tasks import TaskStore

# The ids the emulator answers where HoneyHive names the key's project, org and workspace.
PROJECT_ID = "emulator-project"
ORG_ID = "emulator-org"
WORKSPACE_ID = "emulator-workspace"


class EmulatorStore:
    def __init__(self, db_path: str) -> None:
        self.db = Database(db_path)
        self.tasks = TaskStore(self.db)
        self.generations = GenerationStore(self.db)
        self.configurations = ConfigurationStore(self.db)
        self.events = EventStore(self.db, PROJECT_ID)
        self.queues = QueueStore(self.db, PROJECT_ID)

    def close(self) -> None:
        self.db.close()

    def feedback_deliveries(
        self, generation_id: str | None = None, event_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Every feedback delivery as received, through either API, oldest first.

        ``generation_id`` narrows to one generation (``POST /feedback``), ``event_id`` to one event
        (``PUT /events``).
        """
        legacy = [] if event_id is not None else self.generations.feedback_deliveries(generation_id)
        current = [] if generation_id is not None else self.events.feedback_deliveries(event_id)
        return sorted([*legacy, *current], key=lambda delivery: delivery["received_at"])


__all__ = ["ORG_ID", "PROJECT_ID", "WORKSPACE_ID", "EmulatorStore"]
