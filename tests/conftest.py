"""Shared fixtures: a real HoneyHive emulator over HTTP on 127.0.0.1, with a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from honeyhive_api.emulator import EmulatorConfig, EmulatorServer

pytest_plugins = ["apptest_support"]

TEST_API_KEY = "test-emulator-key-7f3a"


@pytest.fixture
def emulator_factory(tmp_path: Path) -> Iterator[Callable[..., EmulatorServer]]:
    """Start emulators with settings of the test's choosing; all are stopped after the test."""
    started: list[EmulatorServer] = []

    def start(**overrides: Any) -> EmulatorServer:
        settings: dict[str, Any] = {
            "api_key": TEST_API_KEY,
            "db_path": str(tmp_path / f"emulator-{len(started)}.sqlite3"),
            "provider": "offline",
        }
        settings.update(overrides)
        server = EmulatorServer(EmulatorConfig(**settings)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def emulator(emulator_factory: Callable[..., EmulatorServer]) -> EmulatorServer:
    return emulator_factory()
