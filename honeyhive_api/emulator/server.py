"""Run the emulator in-process on a free loopback port (for the studio and the tests)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

import requests
import uvicorn

from honeyhive_api.emulator.app import create_app
from honeyhive_api.emulator.config import SEED_PATH, EmulatorConfig
from honeyhive_api.emulator.faults import FaultState
from honeyhive_api.emulator.providers import Provider, make_provider
from honeyhive_api.emulator.seed import seed_if_empty
from honeyhive_api.emulator.store import EmulatorStore

log = logging.getLogger(__name__)
STARTUP_TIMEOUT = 30.0


def build(config: EmulatorConfig, provider: Provider | None = None) -> tuple[Any, EmulatorStore]:
    """The ASGI app and its store for ``config``: what both the CLI and ``EmulatorServer`` serve."""
    store = EmulatorStore(config.db_path)
    seed_if_empty(store, Path(config.seed_path) if config.seed_path else SEED_PATH)
    faults = FaultState(
        latency_ms=config.latency_ms,
        error_rate=config.error_rate,
        rate_limit=config.rate_limit,
        fault_seed=config.fault_seed,
        retry_after_503=config.retry_after_503,
    )
    app = create_app(config, store, provider or make_provider(config.provider), faults)
    return app, store


class EmulatorServer:
    """``with EmulatorServer(EmulatorConfig(...)) as emulator: HoneyHiveClient(emulator.api_key, emulator.url)``"""

    def __init__(self, config: EmulatorConfig, provider: Provider | None = None) -> None:
        self.config = config
        self._provider = provider
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._store: EmulatorStore | None = None
        self._socket: socket.socket | None = None
        self.port: int | None = None

    @property
    def api_key(self) -> str:
        return self.config.api_key

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("the emulator is not started")
        return f"http://{self.config.host}:{self.port}"

    def __repr__(self) -> str:
        where = self.url if self.port else "not started"
        return f"EmulatorServer({where}, provider={self.config.provider!r})"

    def start(self) -> EmulatorServer:
        # No access log: request lines of a server inside the studio's process are noise there.
        logging.getLogger("uvicorn.access").disabled = True
        app, self._store = build(self.config, self._provider)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.config.host, self.config.port))
        self._socket = sock
        self.port = sock.getsockname()[1]
        uv_config = uvicorn.Config(
            app,
            log_level=self.config.log_level,
            access_log=False,
            log_config=None,  # in-process: leave the host application's logging alone
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(uv_config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="honeyhive-emulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the HoneyHive emulator did not start on {self.config.host}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        if self._store is not None:
            self._store.close()
        self._server = self._thread = self._store = self._socket = None

    def health(self) -> dict[str, Any]:
        answer = requests.get(f"{self.url}/health", timeout=5)
        answer.raise_for_status()
        return answer.json()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
