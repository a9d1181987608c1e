"""The sidebar connection panel: which HoneyHive, which reviewer, which review session.

Drawn by ``studio.py`` on every run, before the page, so every page gets the same ``Studio``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from hive_review import settings as cfg
from hive_review.feedback.ratings import Rating
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.local_emulator import LocalEmulator
from hive_review.log.store import LogStore, ReviewSession
from hive_review.safe_text import escape_markdown
from hive_review.stores import Stores
from honeyhive_api import (
    APIConnectionError,
    AuthenticationError,
    HoneyHiveClient,
    HoneyHiveError,
    InvalidBaseURLError,
    Prompt,
    Task,
    redact_url,
)
from ui import services
from ui.state import Keys


@dataclass(frozen=True)
class Studio:
    """What a page needs to work: the settings, the connection, the stores, and who is reviewing."""

    settings: cfg.StudioSettings
    connection: cfg.ConnectionSettings
    client: HoneyHiveClient
    stores: Stores
    outbox: FeedbackOutbox
    reviewer: str
    source: str
    session: ReviewSession
    emulator: LocalEmulator | None

    @property
    def log(self) -> LogStore:
        return self.stores.log

    def tasks(self) -> list[Task]:
        return services.list_tasks(self.connection.fingerprint, self.client)

    def prompts(self, task: str) -> list[Prompt]:
        return services.list_prompts(self.connection.fingerprint, task, self.client)

    def save_rating(self, generation_id: str, rating: Rating) -> str:
        """Commit the rating (and queue its delivery on this connection), then wake the outbox."""
        rating_id = self.stores.feedback.save_rating(
            generation_id, rating, reviewer=self.reviewer, connection_id=self.connection.connection_id
        )
        self.outbox.wake()
        return rating_id


def read_secrets() -> Mapping[str, object]:
    """``st.secrets`` as a mapping; empty when no secrets.toml exists (st.secrets raises then)."""
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except FileNotFoundError:
        return {}


def _connection_settings(settings: cfg.StudioSettings) -> tuple[cfg.ConnectionSettings, LocalEmulator | None]:
    configured = cfg.resolve_connection(read_secrets(), os.environ)
    with st.sidebar.expander("HoneyHive connection", expanded=configured is None):
        if configured is not None:
            where = "Streamlit secrets" if configured.key_source == "secrets" else "the environment"
            st.caption(f"API key: set in {where} (hidden).")
            st.caption(f"Base URL: {escape_markdown(redact_url(configured.base_url))}")
            return configured, None
        sidebar_key = st.text_input(
            "HoneyHive API key",
            type="password",
            key=Keys.API_KEY_INPUT,
            help="Leave empty to use the local HoneyHive emulator. Better: set HONEYHIVE_API_KEY "
            "or put it in .streamlit/secrets.toml, so it never passes through the browser.",
        )
        sidebar_url = st.text_input("Base URL", value=cfg.DEFAULT_BASE_URL, key=Keys.BASE_URL_INPUT)
        typed = cfg.resolve_connection({}, {}, sidebar_key=sidebar_key, sidebar_base_url=sidebar_url)
        if typed is not None:
            return typed, None
    emulator = services.emulator_for(settings)
    return emulator.connection, emulator


def _check_connection(studio_client: HoneyHiveClient, connection: cfg.ConnectionSettings) -> list[Task] | None:
    """List the tasks once; a bad key or an unreachable URL becomes a message with the fix."""
    try:
        return services.list_tasks(connection.fingerprint, studio_client)
    except AuthenticationError:
        st.error(
            "**HoneyHive rejected the API key (401).** Check `HONEYHIVE_API_KEY` in "
            "`.streamlit/secrets.toml` or the environment, or the key typed in the sidebar. "
            "You find your key in HoneyHive under *Settings > Account*.",
            icon=":material/key_off:",
        )
    except APIConnectionError as exc:
        st.error(
            f"**Cannot reach HoneyHive at {escape_markdown(redact_url(connection.base_url))}.** "
            f"{escape_markdown(exc.message)} "
            "Check `HONEYHIVE_BASE_URL` (default https://api.honeyhive.ai), or clear the API key to use "
            "the local emulator.",
            icon=":material/cloud_off:",
        )
    except HoneyHiveError as exc:
        st.error(f"**HoneyHive answered with an error.** {escape_markdown(exc.message)}", icon=":material/error:")
    return None


def _review_session(store: LogStore, reviewer: str) -> ReviewSession:
    sessions = store.list_sessions()
    current_id = st.session_state.get(Keys.SESSION_ID)
    current = next((s for s in sessions if s.id == current_id), None)
    if current is None:
        mine = [s for s in sessions if s.reviewer == reviewer]
        current = mine[0] if mine else store.create_session(reviewer)
        st.session_state[Keys.SESSION_ID] = current.id
        sessions = store.list_sessions()
    with st.sidebar.expander("Review session", expanded=False):
        labels = {s.id: f"{s.name} · {s.reviewer}" for s in sessions}
        chosen = st.selectbox(
            "Resume a session",
            options=list(labels),
            index=list(labels).index(current.id),
            format_func=labels.__getitem__,
            key=Keys.SESSION_PICKER,
        )
        if chosen != current.id:
            st.session_state[Keys.SESSION_ID] = chosen
            current = next(s for s in sessions if s.id == chosen)
        if st.button("Start a new session", icon=":material/add:", key=Keys.NEW_SESSION):
            current = store.create_session(reviewer)
            st.session_state[Keys.SESSION_ID] = current.id
            st.rerun()
    return current


def render_connection_panel(settings: cfg.StudioSettings) -> Studio | None:
    """Draw the sidebar; ``None`` (after showing why) when HoneyHive cannot be used."""
    connection, emulator = _connection_settings(settings)
    if emulator is not None:
        st.sidebar.success(
            f"**Local HoneyHive emulator** · model `{emulator.model}`",
            icon=":material/science:",
        )
    try:
        client = services.client_for(connection, settings)
    except InvalidBaseURLError as problem:  # e.g. a key pasted into the URL: refused, never shown
        st.error(escape_markdown(str(problem)), icon=":material/link_off:")
        return None
    reviewer = st.sidebar.text_input(
        "Reviewer id",
        value=settings.reviewer or "anonymous",
        key=Keys.REVIEWER,
        help="Sent with every generation (user_properties.user_id) and every rating.",
    ).strip()
    source = st.sidebar.text_input("Source", value=cfg.SOURCE_DEFAULT, key=Keys.SOURCE).strip()
    if _check_connection(client, connection) is None:
        return None
    if not reviewer:
        st.warning("Enter a **reviewer id** in the sidebar: every rating is sent with it.")
        return None
    stores = services.stores(settings.database_url)
    session = _review_session(stores.log, reviewer)
    return Studio(
        settings=settings,
        connection=connection,
        client=client,
        stores=stores,
        outbox=services.outbox_for(connection, settings),
        reviewer=reviewer,
        source=source or cfg.SOURCE_DEFAULT,
        session=session,
        emulator=emulator,
    )


# The studio of the run in progress. studio.py sets it before running the page; Streamlit runs a
# session's script in one thread, so a thread-local holds exactly this run's studio.
_current = threading.local()


def set_current_studio(studio: Studio | None) -> None:
    _current.studio = studio


def current_studio_or_none() -> Studio | None:
    """The studio studio.py built for this run, if studio.py is running this page."""
    return getattr(_current, "studio", None)
