"""Long-lived objects of the studio, one per server process, held in ``st.cache_resource``.

Each is shared by every browser session, so none holds per-user state: the client is keyed by a
fingerprint of the connection (never by the key itself), the stores by their database URL.
"""

from __future__ import annotations

import logging
import os
import threading

import pandas as pd
import streamlit as st

from hive_review.feedback.worker import FeedbackOutbox
from hive_review.local_emulator import LocalEmulator, start_local_emulator
from hive_review.runs.batch import BatchRunner
from hive_review.settings import ConnectionSettings, StudioSettings
from hive_review.stores import Stores, open_stores
from honeyhive_api import HoneyHiveClient, Prompt, Task

log = logging.getLogger(__name__)

# The task and prompt lists change only when someone deploys a prompt: a short TTL keeps the
# pickers fast without hiding a new deployment for long.
CATALOG_TTL_SECONDS = 60


def settings() -> StudioSettings:
    """The settings of this run (``SettingsError`` when one is malformed: studio.py shows it)."""
    return StudioSettings.from_environ(os.environ)


@st.cache_resource(show_spinner="Starting the local HoneyHive emulator…")
def local_emulator(_settings: StudioSettings, provider: str | None, db: str | None) -> LocalEmulator:
    """Started once per server process, on a free loopback port, when no API key is configured."""
    del provider, db  # the cache key: another provider or file is another emulator
    return start_local_emulator(_settings)


def emulator_for(studio_settings: StudioSettings) -> LocalEmulator:
    return local_emulator(studio_settings, studio_settings.emulator_provider, studio_settings.emulator_db)


@st.cache_resource(show_spinner=False)
def stores(database_url: str) -> Stores:
    return open_stores(database_url)


@st.cache_resource(show_spinner=False)
def _client(fingerprint: str, base_url: str, _api_key: str, timeout: float) -> HoneyHiveClient:
    # `_api_key` is excluded from the cache key by its leading underscore; the fingerprint stands in.
    del fingerprint
    return HoneyHiveClient(_api_key, base_url, timeout=timeout)


def client_for(connection: ConnectionSettings, studio_settings: StudioSettings) -> HoneyHiveClient:
    return _client(connection.fingerprint, connection.base_url, connection.api_key, studio_settings.timeout)


@st.cache_resource(show_spinner=False)
def _outbox(connection_id: str, database_url: str, _client: HoneyHiveClient) -> FeedbackOutbox:
    # One outbox per connection and database: it sends only what was rated on its connection.
    outbox = FeedbackOutbox(stores(database_url).feedback, _client, connection_id=connection_id)
    outbox.start()  # delivers whatever an earlier run left pending
    return outbox


def outbox_for(connection: ConnectionSettings, studio_settings: StudioSettings) -> FeedbackOutbox:
    return _outbox(connection.connection_id, studio_settings.database_url, client_for(connection, studio_settings))


@st.cache_data(ttl=CATALOG_TTL_SECONDS, show_spinner="Loading tasks…")
def list_tasks(fingerprint: str, _client: HoneyHiveClient) -> list[Task]:
    del fingerprint
    return _client.list_tasks()


@st.cache_data(ttl=CATALOG_TTL_SECONDS, show_spinner=False)
def list_prompts(fingerprint: str, task: str, _client: HoneyHiveClient) -> list[Prompt]:
    del fingerprint
    return _client.list_prompts(task)


@st.cache_resource(max_entries=4, show_spinner=False)
def _cached_log(_stores: Stores, database_key: str, session_id: str | None, revision: int) -> pd.DataFrame:
    # cache_resource, not cache_data: the frame is shared read-only (filters build new frames), so
    # it is not pickled and copied on every rerun. `revision` changes on every write.
    del database_key, revision
    return _stores.log.load_log(session_id)


def cached_log(studio_stores: Stores, session_id: str | None) -> pd.DataFrame:
    """The log of a session (every session's with ``None``), read from the database only after a
    write: pages rerun on every click, and a 100k-row log takes seconds to load. Do not modify it."""
    return _cached_log(studio_stores, studio_stores.database.key, session_id, studio_stores.log.revision(session_id))


class BatchRunners:
    """The batch runners of this server process, by batch id: a batch keeps running while its
    reviewer moves between pages, and any session can show its progress."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runners: dict[str, BatchRunner] = {}

    def get(self, batch_id: str) -> BatchRunner | None:
        with self._lock:
            return self._runners.get(batch_id)

    def start(self, runner: BatchRunner) -> BatchRunner:
        with self._lock:
            current = self._runners.get(runner.batch.id)
            if current is not None and current.running:
                return current
            self._runners[runner.batch.id] = runner
        runner.start()
        return runner


@st.cache_resource(show_spinner=False)
def batch_runners() -> BatchRunners:
    return BatchRunners()
