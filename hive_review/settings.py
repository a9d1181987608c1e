"""Every setting of the studio, read in one place and checked once at start.

``StudioSettings.from_environ`` reads the ``HIVE_REVIEW_*`` variables; a value that is not of the
expected form is a ``SettingsError`` whose message names each variable, what it holds and what it
should hold, so a typo is a sentence on the page, not a traceback. The HoneyHive connection comes
from Streamlit secrets, the environment, then the sidebar (``resolve_connection``); with no key
anywhere the studio runs against the local HoneyHive emulator.

Plain functions over mappings, so they are tested without Streamlit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, TypeVar

from hive_review.db import default_database_url
from honeyhive_api import DEFAULT_BASE_URL

API_KEY: Final = "HONEYHIVE_API_KEY"
BASE_URL: Final = "HONEYHIVE_BASE_URL"
API: Final = "HONEYHIVE_API"
MODEL_BASE_URL: Final = "HIVE_REVIEW_MODEL_BASE_URL"
MODEL_API_KEY: Final = "HIVE_REVIEW_MODEL_API_KEY"
MODEL: Final = "HIVE_REVIEW_MODEL"
OPENAI_API_KEY: Final = "OPENAI_API_KEY"
REVIEWER: Final = "HIVE_REVIEW_REVIEWER"
DATABASE_URL: Final = "HIVE_REVIEW_DATABASE_URL"
LABELS: Final = "HIVE_REVIEW_LABELS"
TIMEOUT: Final = "HIVE_REVIEW_TIMEOUT"
BATCH_CONCURRENCY: Final = "HIVE_REVIEW_BATCH_CONCURRENCY"
BATCH_MAX_ATTEMPTS: Final = "HIVE_REVIEW_BATCH_MAX_ATTEMPTS"
BATCH_RETRY_BASE: Final = "HIVE_REVIEW_BATCH_RETRY_BASE_SECONDS"
EMULATOR_PROVIDER: Final = "HIVE_REVIEW_EMULATOR_PROVIDER"
EMULATOR_DB: Final = "HIVE_REVIEW_EMULATOR_DB"

SOURCE_DEFAULT: Final = "playground"
DEFAULT_LABELS: Final = ("accurate", "helpful", "concise", "wrong tone", "off-topic", "hallucination", "unsafe")
MAX_BATCH_CONCURRENCY: Final = 32
EMULATOR_PROVIDERS: Final = ("local", "openai", "offline")

KeySource = Literal["secrets", "environment", "sidebar", "emulator"]
ApiChoice = Literal["auto", "current", "tasks"]
API_CHOICES: Final[tuple[ApiChoice, ...]] = ("auto", "current", "tasks")
ENVIRONMENTS: Final = ("prod", "staging", "dev")
Number = TypeVar("Number", int, float)


class SettingsError(ValueError):
    """One or more settings are malformed; the message lists each with its fix."""


@dataclass(frozen=True)
class StudioSettings:
    database_url: str
    reviewer: str = ""
    labels: tuple[str, ...] = DEFAULT_LABELS
    timeout: float = 120.0
    batch_concurrency: int = 8
    batch_max_attempts: int = 5
    batch_retry_base_seconds: float = 0.5
    emulator_provider: str | None = None  # None: local when installed, else offline
    emulator_db: str | None = None  # None: emulator.sqlite3 in the user's data dir

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> StudioSettings:
        problems: list[str] = []

        def text(name: str) -> str:
            return environ.get(name, "").strip()

        def number(name: str, kind: Callable[[str], Number], default: Number, low: Number, high: Number) -> Number:
            raw = text(name)
            if not raw:
                return default
            what = "a whole number" if kind is int else "a number"
            try:
                value = kind(raw)
            except ValueError:
                problems.append(f"{name} is {raw!r}: it must be {what} from {low} to {high}.")
                return default
            if not low <= value <= high:
                problems.append(f"{name} is {raw!r}: it must be {what} from {low} to {high}.")
                return default
            return value

        provider = text(EMULATOR_PROVIDER) or None
        if provider is not None and provider not in EMULATOR_PROVIDERS:
            problems.append(f"{EMULATOR_PROVIDER} is {provider!r}: it must be one of {', '.join(EMULATOR_PROVIDERS)}.")
            provider = None
        database_url = text(DATABASE_URL) or default_database_url()
        if "://" not in database_url:
            problems.append(
                f"{DATABASE_URL} is not a database URL: give a SQLAlchemy URL such as "
                "sqlite:////path/to/sessions.sqlite3 or postgresql+psycopg://user@host/dbname."
            )
        settings = cls(
            database_url=database_url,
            reviewer=text(REVIEWER),
            labels=tuple(label.strip() for label in text(LABELS).split(",") if label.strip()) or DEFAULT_LABELS,
            timeout=number(TIMEOUT, float, 120.0, 1.0, 3600.0),
            batch_concurrency=number(BATCH_CONCURRENCY, int, 8, 1, MAX_BATCH_CONCURRENCY),
            batch_max_attempts=number(BATCH_MAX_ATTEMPTS, int, 5, 1, 100),
            batch_retry_base_seconds=number(BATCH_RETRY_BASE, float, 0.5, 0.0, 60.0),
            emulator_provider=provider,
            emulator_db=text(EMULATOR_DB) or None,
        )
        if problems:
            raise SettingsError(" ".join(["Fix these settings (environment variables) and restart:", *problems]))
        return settings


@dataclass(frozen=True)
class ConnectionSettings:
    """Resolved connection. ``api_key`` is kept out of ``repr`` so it never reaches a log or a page."""

    base_url: str
    key_source: KeySource
    api_key: str = field(repr=False)
    # Which HoneyHive API to speak: "auto" probes once per connection (current first, then tasks).
    api: ApiChoice = "auto"
    # Names the connection in the feedback queue: set for the local emulator, whose key is new at
    # every start while its database (and so what was rated on it) stays.
    stable_id: str | None = None

    @property
    def fingerprint(self) -> str:
        """A stable, non-reversible name for this connection: a cache key that is not the key."""
        digest = hashlib.sha256(f"{self.base_url}\0{self.api_key}".encode()).hexdigest()
        return digest[:16]

    @property
    def connection_id(self) -> str:
        """Which connection a queued rating belongs to: only this connection's outbox sends it."""
        return self.stable_id or self.fingerprint


def configured_value(name: str, secrets: Mapping[str, object], environ: Mapping[str, str]) -> tuple[str, str] | None:
    """A setting from secrets first, then the environment: ``(value, "secrets" | "environment")``."""
    value = secrets.get(name)
    if isinstance(value, str) and value.strip():
        return value.strip(), "secrets"
    env_value = environ.get(name, "")
    if env_value.strip():
        return env_value.strip(), "environment"
    return None


def resolve_connection(
    secrets: Mapping[str, object],
    environ: Mapping[str, str],
    *,
    sidebar_key: str = "",
    sidebar_base_url: str = "",
    sidebar_api: str = "",
) -> ConnectionSettings | None:
    """The connection to use, or ``None`` when no key is configured (then the emulator is started)."""
    api = api_choice(secrets, environ, sidebar_api)
    configured_url = configured_value(BASE_URL, secrets, environ)
    base_url = configured_url[0] if configured_url else (sidebar_base_url.strip() or DEFAULT_BASE_URL)
    configured_key = configured_value(API_KEY, secrets, environ)
    if configured_key is not None:
        key, source = configured_key
        return ConnectionSettings(base_url=base_url, api_key=key, key_source=source, api=api)  # type: ignore[arg-type]
    if sidebar_key.strip():
        return ConnectionSettings(base_url=base_url, api_key=sidebar_key.strip(), key_source="sidebar", api=api)
    return None


def api_choice(secrets: Mapping[str, object], environ: Mapping[str, str], sidebar_api: str = "") -> ApiChoice:
    """``HONEYHIVE_API`` from secrets, the environment, then the sidebar; ``auto`` when none."""
    configured = configured_value(API, secrets, environ)
    value = (configured[0] if configured else sidebar_api.strip()).lower() or "auto"
    if value not in API_CHOICES:
        raise SettingsError(f"{API} is {value!r}: it must be one of {', '.join(API_CHOICES)} (auto detects it).")
    return value  # type: ignore[return-value]


@dataclass(frozen=True)
class ModelEndpointSettings:
    """The OpenAI-compatible endpoint that runs prompts for the current API (HoneyHive has no proxy
    any more). The key follows every rule of the HoneyHive key: never shown, logged or exported."""

    base_url: str
    api_key: str = field(repr=False)
    model: str | None = None  # overrides the model each configuration names


def resolve_model_endpoint(secrets: Mapping[str, object], environ: Mapping[str, str]) -> ModelEndpointSettings | None:
    """``HIVE_REVIEW_MODEL_BASE_URL`` (+ ``HIVE_REVIEW_MODEL_API_KEY``, else ``OPENAI_API_KEY``, and an
    optional ``HIVE_REVIEW_MODEL``) from secrets, then the environment; ``None`` when not configured."""
    base_url = configured_value(MODEL_BASE_URL, secrets, environ)
    if base_url is None:
        return None
    key = configured_value(MODEL_API_KEY, secrets, environ) or configured_value(OPENAI_API_KEY, secrets, environ)
    model = configured_value(MODEL, secrets, environ)
    return ModelEndpointSettings(base_url=base_url[0], api_key=key[0] if key else "", model=model[0] if model else None)
