"""Start the local HoneyHive emulator in this process, for when no HoneyHive API key is configured.

The key is made fresh for each start and never leaves the process: the studio talks to the
emulator over loopback HTTP exactly as it talks to HoneyHive.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from hive_review.settings import ConnectionSettings, StudioSettings
from honeyhive_api.emulator import EmulatorConfig, EmulatorServer, default_db_path, default_provider

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LocalEmulator:
    server: EmulatorServer
    provider: str
    model: str
    db_path: str

    @property
    def connection(self) -> ConnectionSettings:
        # Ratings queued on the emulator belong to its database, not to this start's key: after a
        # restart the next emulator on the same file delivers what the last one left pending.
        stable = "emulator-" + hashlib.sha256(str(Path(self.db_path).resolve()).encode()).hexdigest()[:16]
        return ConnectionSettings(
            base_url=self.server.url, api_key=self.server.api_key, key_source="emulator", stable_id=stable
        )


def start_local_emulator(settings: StudioSettings) -> LocalEmulator:
    provider = settings.emulator_provider or default_provider()
    db_path = settings.emulator_db or str(default_db_path())
    config = EmulatorConfig(
        host="127.0.0.1",
        port=0,
        api_key=secrets.token_urlsafe(32),
        db_path=db_path,
        provider=provider,
    )
    server = EmulatorServer(config)
    server.start()
    health = server.health()
    log.info("local HoneyHive emulator on %s (provider %s)", server.url, provider)
    return LocalEmulator(server=server, provider=provider, model=str(health.get("model", provider)), db_path=db_path)
