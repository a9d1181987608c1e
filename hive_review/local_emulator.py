"""Start the local HoneyHive emulator in this process, for when no HoneyHive API key is configured.

The key is made fresh for each start and never leaves the process: the studio talks to the
emulator over loopback HTTP exactly as it talks to HoneyHive.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from hive_review.settings import ConnectionSettings
from honeyhive_api.emulator import EmulatorConfig, EmulatorServer, default_db_path, default_provider

log = logging.getLogger(__name__)

# Which model the emulator runs: local (llama.cpp on the CPU), openai (any OpenAI-compatible
# endpoint) or offline (deterministic, instant). Unset: local when installed, else offline.
PROVIDER_ENV = "HIVE_REVIEW_EMULATOR_PROVIDER"
DB_ENV = "HIVE_REVIEW_EMULATOR_DB"


@dataclass(frozen=True)
class LocalEmulator:
    server: EmulatorServer
    provider: str
    model: str

    @property
    def connection(self) -> ConnectionSettings:
        return ConnectionSettings(base_url=self.server.url, api_key=self.server.api_key, key_source="emulator")


def start_local_emulator() -> LocalEmulator:
    provider = os.environ.get(PROVIDER_ENV, "").strip() or default_provider()
    db_path = Path(os.environ[DB_ENV]) if os.environ.get(DB_ENV) else default_db_path()
    config = EmulatorConfig(
        host="127.0.0.1",
        port=0,
        api_key=secrets.token_urlsafe(32),
        db_path=str(db_path),
        provider=provider,
    )
    server = EmulatorServer(config)
    server.start()
    health = server.health()
    log.info("local HoneyHive emulator on %s (provider %s)", server.url, provider)
    return LocalEmulator(server=server, provider=provider, model=str(health.get("model", provider)))
