"""Long-lived objects of the studio, one per server process, held in ``st.cache_resource``.

Each is shared by every browser session, so none holds per-user state: the client is keyed by a
fingerprint of the connection (never by the key itself), the stores by their database URL.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from typing import Literal

import pandas as pd
import streamlit as st

from hive_review.backends.current import CurrentBackend
from hive_review.backends.model_endpoint import ModelEndpoint
from hive_review.backends.tasks import TasksBackend
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.local_emulator import LocalEmulator, start_local_emulator
from hive_review.ports import FeedbackSender, ReviewBackend
from hive_review.runs.batch import BatchRunner
from hive_review.settings import ConnectionSettings, ModelEndpointSettings, StudioSettings
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


@st.cache_resource(show_spinner="Asking HoneyHive which API it speaks…")
def _detected_api(fingerprint: str, choice: str, _client: HoneyHiveClient) -> Literal["current", "tasks"]:
    del fingerprint  # the cache key: once per connection
    if choice in ("current", "tasks"):
        return choice  # type: ignore[return-value]
    return _client.detect_api()


def detected_api(fingerprint: str, choice: str, client: HoneyHiveClient) -> Literal["current", "tasks"]:
    """The API this connection speaks: the one chosen, or with ``auto`` the one HoneyHive answers
    (asked once per connection and process; a failure is not cached, so the next run asks again)."""
    return _detected_api(fingerprint, choice, client)


def feedback_sender(api: str, client: HoneyHiveClient) -> FeedbackSender:
    """What delivers feedback: ``POST /feedback`` (task API) or ``PUT /events`` (current API)."""
    return CurrentBackend(client, None, session_name="feedback") if api == "current" else TasksBackend(client)


@st.cache_resource(show_spinner=False)
def _outbox(connection_id: str, database_url: str, api: str, _client: HoneyHiveClient) -> FeedbackOutbox:
    # One outbox per connection and database: it sends only what was rated on its connection.
    outbox = FeedbackOutbox(stores(database_url).feedback, feedback_sender(api, _client), connection_id=connection_id)
    outbox.start()  # delivers whatever an earlier run left pending
    return outbox


def outbox_for(connection: ConnectionSettings, studio_settings: StudioSettings, api: str) -> FeedbackOutbox:
    client = client_for(connection, studio_settings)
    return _outbox(connection.connection_id, studio_settings.database_url, api, client)


@st.cache_resource(show_spinner=False, max_entries=64)
def _backend(
    fingerprint: str,
    api: str,
    environment: str | None,
    session_id: str,
    model_key: str,
    database_url: str,
    _client: HoneyHiveClient,
    _model: ModelEndpointSettings | None,
    timeout: float,
    _events: FeedbackOutbox | None,
) -> ReviewBackend:
    # One backend per connection, environment, review session and database: the current API logs
    # every run of a review session into one HoneyHive session, its events through the outbox of
    # that connection and database (committed before the run shows; a batch commits them with its
    # log rows, and the outbox sends them in groups).
    del fingerprint, model_key, database_url
    if api == "tasks":
        return TasksBackend(_client)
    endpoint = (
        None if _model is None else ModelEndpoint(base_url=_model.base_url, api_key=_model.api_key, timeout=timeout)
    )
    model_override = _model.model if _model is not None else None
    return CurrentBackend(
        _client,
        endpoint,
        environment=environment or "prod",
        session_name=f"Hive Review {session_id}",
        model_override=model_override,
        events=_events,
    )


def backend_for(
    connection: ConnectionSettings,
    studio_settings: StudioSettings,
    api: str,
    client: HoneyHiveClient,
    model: ModelEndpointSettings | None,
    environment: str | None,
    session_id: str,
) -> ReviewBackend:
    """The backend that runs prompts for this connection, in the API it speaks."""
    model_key = (
        ""
        if model is None
        else hashlib.sha256(f"{model.base_url}\0{model.api_key}\0{model.model}".encode()).hexdigest()[:16]
    )
    events = outbox_for(connection, studio_settings, api) if api == "current" else None
    return _backend(
        connection.fingerprint,
        api,
        environment,
        session_id,
        model_key,
        studio_settings.database_url,
        client,
        model,
        studio_settings.timeout,
        events,
    )


@st.cache_data(ttl=CATALOG_TTL_SECONDS, show_spinner="Loading tasks…")
def list_tasks(catalog_key: str, _client: ReviewBackend) -> list[Task]:
    del catalog_key
    return _client.list_tasks()


@st.cache_data(ttl=CATALOG_TTL_SECONDS, show_spinner=False)
def list_prompts(catalog_key: str, task: str, _client: ReviewBackend) -> list[Prompt]:
    del catalog_key
    return _client.list_prompts(task)


def cached_log(studio_stores: Stores, session_id: str | None) -> pd.DataFrame:
    """The log of a session (every session's with ``None``): pages rerun on every click, and a
    100k-row log takes a while to load whole, so the store keeps it in this process and, after a
    write, reads only the rows that changed (``LogStore.cached_log``). Do not modify it."""
    return studio_stores.log.cached_log(session_id)


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
