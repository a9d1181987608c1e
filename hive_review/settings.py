"""Where the studio's connection settings come from, in order: Streamlit secrets, the environment,
then the sidebar. With no key anywhere, the studio runs against the local HoneyHive emulator.

Plain functions over mappings, so they are tested without Streamlit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from honeyhive_api import DEFAULT_BASE_URL

API_KEY = "HONEYHIVE_API_KEY"
BASE_URL = "HONEYHIVE_BASE_URL"
REVIEWER = "HIVE_REVIEW_REVIEWER"
SOURCE_DEFAULT = "playground"

KeySource = Literal["secrets", "environment", "sidebar", "emulator"]


@dataclass(frozen=True)
class ConnectionSettings:
    """Resolved connection. ``api_key`` is kept out of ``repr`` so it never reaches a log or a page."""

    base_url: str
    key_source: KeySource
    api_key: str = field(repr=False)

    @property
    def uses_emulator(self) -> bool:
        return self.key_source == "emulator"

    @property
    def fingerprint(self) -> str:
        """A stable, non-reversible name for this connection: a cache key that is not the key."""
        digest = hashlib.sha256(f"{self.base_url}\0{self.api_key}".encode()).hexdigest()
        return digest[:16]


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
) -> ConnectionSettings | None:
    """The connection to use, or ``None`` when no key is configured (then the emulator is started)."""
    configured_url = configured_value(BASE_URL, secrets, environ)
    base_url = configured_url[0] if configured_url else (sidebar_base_url.strip() or DEFAULT_BASE_URL)
    configured_key = configured_value(API_KEY, secrets, environ)
    if configured_key is not None:
        key, source = configured_key
        return ConnectionSettings(base_url=base_url, api_key=key, key_source=source)  # type: ignore[arg-type]
    if sidebar_key.strip():
        return ConnectionSettings(base_url=base_url, api_key=sidebar_key.strip(), key_source="sidebar")
    return None
