"""Long-lived objects of the studio, one per server process, held in ``st.cache_resource``.

Each is shared by every browser session, so none holds per-user state: the client is keyed by a
fingerprint of the connection (never by the key itself), the store by its database URL.
"""

from __future__ import annotations

import logging
import os
import threading

import pandas as pd
import streamlit as st

from hive_review.batch import BatchRunner
from hive_review.batch_store import BatchStore
from hive_review.local_emulator import LocalEmulator, start_local_emulator
from hive_review.outbox import FeedbackOutbox
from hive_review.settings import ConnectionSettings
from hive_review.store import SessionStore, database_url_from_env
from hive_review.vote_store import VoteStore
from honeyhive_api import HoneyHiveClient, Prompt, Task

log = logging.getLogger(__name__)

# The task and prompt lists change only when someone deploys a prompt: a short TTL keeps the
# pickers fast without hiding a new deployment for long.
CATALOG_TTL_SECONDS = 60


@st.cache_resource(show_spinner="Starting the local HoneyHive emulator…")
def local_emulator() -> LocalEmulator:
    """Started once per server process, on a free loopback port, when no API key is configured."""
    return start_local_emulator()


@st.cache_resource(show_spinner=False)
def session_store(database_url: str) -> SessionStore:
    return SessionStore(database_url)


def current_store() -> SessionStore:
    return session_store(database_url_from_env())


@st.cache_resource(show_spinner=False)
def _client(fingerprint: str, base_url: str, _api_key: str) -> HoneyHiveClient:
    # `_api_key` is excluded from the cache key by its leading underscore; the fingerprint stands in.
    del fingerprint
    return HoneyHiveClient(_api_key, base_url, timeout=float(os.environ.get("HIVE_REVIEW_TIMEOUT", "60")))


def client_for(settings: ConnectionSettings) -> HoneyHiveClient:
    return _client(settings.fingerprint, settings.base_url, settings.api_key)


@st.cache_resource(show_spinner=False)
def _outbox(fingerprint: str, database_url: str, _client: HoneyHiveClient) -> FeedbackOutbox:
    del fingerprint
    outbox = FeedbackOutbox(session_store(database_url), _client)
    outbox.start()  # delivers whatever an earlier run left pending
    return outbox


def outbox_for(settings: ConnectionSettings) -> FeedbackOutbox:
    return _outbox(settings.fingerprint, database_url_from_env(), client_for(settings))


@st.cache_data(ttl=CATALOG_TTL_SECONDS, show_spinner="Loading tasks…")
def list_tasks(fingerprint: str, _client: HoneyHiveClient) -> list[Task]:
    del fingerprint
    return _client.list_tasks()


@st.cache_data(ttl=CATALOG_TTL_SECONDS, show_spinner=False)
def list_prompts(fingerprint: str, task: str, _client: HoneyHiveClient) -> list[Prompt]:
    del fingerprint
    return _client.list_prompts(task)


@st.cache_resource(max_entries=4, show_spinner=False)
def _cached_log(_store: SessionStore, database_key: str, session_id: str | None, revision: int) -> pd.DataFrame:
    # cache_resource, not cache_data: the frame is shared read-only (filters build new frames), so
    # it is not pickled and copied on every rerun. `revision` changes on every write.
    del database_key, revision
    return _store.load_log(session_id)


def cached_log(store: SessionStore, session_id: str | None) -> pd.DataFrame:
    """The log of a session (every session's with ``None``), read from the database only after a
    write: pages rerun on every click, and a 100k-row log takes seconds to load. Do not modify it."""
    return _cached_log(store, store.database_key, session_id, store.revision(session_id))


@st.cache_resource(show_spinner=False)
def _vote_store(database_url: str) -> VoteStore:
    return VoteStore(session_store(database_url).engine)


def current_vote_store() -> VoteStore:
    return _vote_store(database_url_from_env())


@st.cache_resource(show_spinner=False)
def _batch_store(database_url: str) -> BatchStore:
    return BatchStore(database_url)


def current_batch_store() -> BatchStore:
    return _batch_store(database_url_from_env())


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
