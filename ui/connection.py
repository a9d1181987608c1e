"""The sidebar connection panel: which HoneyHive, which of its two APIs, which model endpoint, who is
reviewing and in which review session.

Drawn by ``studio.py`` on every run, before the page, so every page gets the same ``Studio``.
Every failure is a message that names the problem and the fix; server text is shown as text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

import streamlit as st

from hive_review import settings as cfg
from hive_review.db import DatabaseError
from hive_review.local_emulator import LocalEmulator
from hive_review.log.store import LogStore, ReviewSession
from hive_review.safe_text import escape_markdown
from honeyhive_api import (
    APIConnectionError,
    AuthenticationError,
    HoneyHiveClient,
    HoneyHiveError,
    InvalidBaseURLError,
    UnsupportedAPIError,
    redact_url,
)
from ui import services, text
from ui.context import Studio
from ui.state import Keys

REVIEWER_PARAM = "reviewer"  # in the page address: a reload keeps who is reviewing
API_LABELS = {"current": "current API (configurations, events)", "tasks": "task API (the proxy)"}
BASE_URL_HELP = f"Where HoneyHive answers for the key above (HoneyHive's own: {cfg.DEFAULT_BASE_URL})."


def read_secrets() -> Mapping[str, object]:
    """``st.secrets`` as a mapping; empty when no secrets.toml exists (st.secrets raises then)."""
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except FileNotFoundError:
        return {}


def _connection_settings(settings: cfg.StudioSettings) -> tuple[cfg.ConnectionSettings, LocalEmulator | None]:
    secrets = read_secrets()
    configured = cfg.resolve_connection(secrets, os.environ)
    with st.sidebar.expander("HoneyHive connection", expanded=configured is None):
        api_configured = cfg.configured_value(cfg.API, secrets, os.environ)
        sidebar_api = ""
        if api_configured is None:
            sidebar_api = st.selectbox(
                "HoneyHive API",
                cfg.API_CHOICES,
                key=Keys.API_CHOICE,
                help="auto asks HoneyHive once: GET /v1/configurations (today's API), else GET /tasks "
                "(the task API of older deployments). HONEYHIVE_API sets it for everyone.",
            )
        if configured is not None:
            where = "Streamlit secrets" if configured.key_source == "secrets" else "the environment"
            st.caption(f"API key: set in {where} (hidden).")
            st.caption(f"Base URL: {text.code(redact_url(configured.base_url))}")
            return cfg.resolve_connection(secrets, os.environ, sidebar_api=sidebar_api) or configured, None
        sidebar_key = st.text_input(
            "HoneyHive API key",
            type="password",
            key=Keys.API_KEY_INPUT,
            help="Leave empty to use the local HoneyHive emulator. Better: set HONEYHIVE_API_KEY "
            "or put it in .streamlit/secrets.toml, so it never passes through the browser.",
        )
        if sidebar_key.strip():
            # Only with a key is there a HoneyHive to point at: without one, a field prefilled with
            # HoneyHive's address would read as the endpoint in use while the emulator answers.
            configured_url = cfg.configured_value(cfg.BASE_URL, secrets, os.environ)
            if configured_url is not None:  # HONEYHIVE_BASE_URL wins over anything typed: show it, not a field
                sidebar_url = configured_url[0]
                where = "Streamlit secrets" if configured_url[1] == "secrets" else "the environment"
                st.caption(f"Base URL: {text.code(redact_url(sidebar_url))} (set in {where})")
            else:
                sidebar_url = st.text_input(
                    "HoneyHive base URL", value=cfg.DEFAULT_BASE_URL, key=Keys.BASE_URL_INPUT, help=BASE_URL_HELP
                )
            typed = cfg.resolve_connection(
                {}, {}, sidebar_key=sidebar_key, sidebar_base_url=sidebar_url, sidebar_api=sidebar_api
            )
            if typed is not None:
                return typed, None
        emulator = services.emulator_for(settings)
        connection = emulator.connection
        st.caption(f"Endpoint in use: {text.code(connection.base_url)}, the local HoneyHive emulator.")
        st.caption("Type an API key above to use HoneyHive instead; its base URL can be set then.")
    choice = cfg.api_choice(secrets, os.environ, sidebar_api)
    return cfg.ConnectionSettings(
        base_url=connection.base_url,
        key_source=connection.key_source,
        api_key=connection.api_key,
        api=choice,
        stable_id=connection.stable_id,
    ), emulator


def _show_failure(exc: HoneyHiveError, connection: cfg.ConnectionSettings) -> None:
    """A failed first contact with HoneyHive, as a message with the fix."""
    where = text.code(redact_url(connection.base_url))
    if isinstance(exc, AuthenticationError):
        st.error(
            "**HoneyHive rejected the API key (401).** Check `HONEYHIVE_API_KEY` in "
            "`.streamlit/secrets.toml` or the environment, or the key typed in the sidebar. "
            "You find your key in HoneyHive under *Settings > Project > API Keys*.",
            icon=":material/key_off:",
        )
    elif isinstance(exc, APIConnectionError):
        st.error(
            f"**Cannot reach HoneyHive at {where}.** {escape_markdown(exc.message)} "
            "Check `HONEYHIVE_BASE_URL` (default https://api.honeyhive.ai), or clear the API key to use "
            "the local emulator.",
            icon=":material/cloud_off:",
        )
    elif isinstance(exc, UnsupportedAPIError):
        st.error(f"**Which HoneyHive API?** {escape_markdown(exc.message)}", icon=":material/help:")
    else:
        st.error(f"**HoneyHive answered with an error.** {escape_markdown(exc.message)}", icon=":material/error:")


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


def _signed_in_email() -> str | None:
    """The e-mail of the signed-in user: ``st.login`` (OIDC, ``[auth]`` in secrets) or a proxy's
    trusted header (``server.trustedUserHeaders`` mapping it to ``email``)."""
    trusted = st.get_option("server.trustedUserHeaders") or {}
    if isinstance(trusted, str):  # given as JSON through the environment or the command line
        trusted = json.loads(trusted or "{}")
    # Only an identity Streamlit vouches for: a finished OIDC log-in, or a header the operator named
    # as trusted (st.user also holds a placeholder e-mail where neither is configured).
    if not (st.user.get("is_logged_in") or "email" in trusted.values()):
        return None
    email = str(st.user.get("email") or "").strip()
    return email or None


def _reviewer(settings: cfg.StudioSettings) -> str:
    """Who is reviewing. Signed in: the user's e-mail, nothing to type. With ``[auth]`` configured
    and nobody signed in: a log-in button and nothing else. Otherwise the sidebar id, asked for on
    first use (never a silent "anonymous"), prefilled from ``HIVE_REVIEW_REVIEWER`` or the page
    address, and kept in the address so a reload keeps it."""
    email = _signed_in_email()
    if email is not None:
        st.sidebar.caption(f"Reviewing as {text.code(email)} (signed in)")
        return email
    if "auth" in read_secrets():
        st.info("**Sign in to review.** Your e-mail becomes your reviewer id.", icon=":material/login:")
        st.button("Log in", on_click=st.login, type="primary", icon=":material/login:")
        return ""
    remembered = st.query_params.get(REVIEWER_PARAM, "") or settings.reviewer
    reviewer = st.sidebar.text_input(
        "Reviewer id",
        value=remembered,
        key=Keys.REVIEWER,
        placeholder="your name or e-mail",
        help="Sent with every generation (user_properties.user_id) and every rating.",
    ).strip()
    if reviewer and st.query_params.get(REVIEWER_PARAM) != reviewer:
        st.query_params[REVIEWER_PARAM] = reviewer
    return reviewer


def _model_endpoint(
    connection: cfg.ConnectionSettings, emulator: LocalEmulator | None
) -> cfg.ModelEndpointSettings | None:
    """The configured model endpoint; with the local emulator and none configured, the emulator's own
    OpenAI-compatible endpoint (so the current flow runs offline end to end)."""
    configured = cfg.resolve_model_endpoint(read_secrets(), os.environ)
    if configured is not None or emulator is None:
        return configured
    return cfg.ModelEndpointSettings(base_url=f"{connection.base_url}/v1", api_key=connection.api_key)


def render_connection_panel(settings: cfg.StudioSettings) -> Studio | None:
    """Draw the sidebar; ``None`` (after showing why) when HoneyHive cannot be used."""
    try:
        connection, emulator = _connection_settings(settings)
    except cfg.SettingsError as problem:
        st.error(escape_markdown(str(problem)), icon=":material/settings_alert:")
        return None
    if emulator is not None:
        st.sidebar.success(
            f"**Local HoneyHive emulator** at {text.code(connection.base_url)} · model {text.code(emulator.model)}",
            icon=":material/science:",
        )
    try:
        honeyhive: HoneyHiveClient = services.client_for(connection, settings)
    except InvalidBaseURLError as problem:  # e.g. a key pasted into the URL: refused, never shown
        st.error(escape_markdown(str(problem)), icon=":material/link_off:")
        return None
    try:
        api = services.detected_api(connection.fingerprint, connection.api, honeyhive)
    except HoneyHiveError as exc:
        _show_failure(exc, connection)
        return None
    environment = None
    model = _model_endpoint(connection, emulator)
    with st.sidebar:
        st.caption(f"Speaking HoneyHive's {API_LABELS[api]}" + (" (detected)" if connection.api == "auto" else ""))
        if api == "current":
            environment = st.selectbox(
                "Environment",
                cfg.ENVIRONMENTS,
                key=Keys.ENVIRONMENT,
                help="The configuration deployed to this environment is what runs by default.",
            )
            if model is None:
                st.warning(
                    "No model endpoint is configured, so prompts cannot run here: set "
                    "HIVE\\_REVIEW\\_MODEL\\_BASE\\_URL (and HIVE\\_REVIEW\\_MODEL\\_API\\_KEY). "
                    "Reviewing logged events works without it.",
                    icon=":material/power_off:",
                )
    reviewer = _reviewer(settings)
    source = st.sidebar.text_input("Source", value=cfg.SOURCE_DEFAULT, key=Keys.SOURCE).strip()
    if not reviewer:
        if "auth" in read_secrets():
            return None
        st.info(
            "**Who is reviewing?** Enter your reviewer id (your name or e-mail) in the sidebar: every run "
            "and rating is sent to HoneyHive with it, and your review sessions are found by it.",
            icon=":material/badge:",
        )
        return None
    try:
        stores = services.stores(settings.database_url)
    except DatabaseError as problem:  # unreachable, or migrated by a newer Hive Review
        st.error(
            f"**The studio's database cannot be used.** {escape_markdown(str(problem))}", icon=":material/database:"
        )
        return None
    session = _review_session(stores.log, reviewer)
    backend = services.backend_for(connection, settings, api, honeyhive, model, environment, session.id)
    studio = Studio(
        settings=settings,
        connection=connection,
        api=api,
        environment=environment,
        honeyhive=honeyhive,
        client=backend,
        stores=stores,
        outbox=services.outbox_for(connection, settings, api),
        reviewer=reviewer,
        source=source or cfg.SOURCE_DEFAULT,
        session=session,
        emulator=emulator,
    )
    try:
        studio.tasks()
    except HoneyHiveError as exc:
        _show_failure(exc, connection)
        return None
    return studio
