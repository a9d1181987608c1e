"""Shared fixtures: a real HoneyHive emulator over HTTP on 127.0.0.1, with a real SQLite file; the
studio's database on SQLite and on a real PostgreSQL server (``database_url``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from postgres_server import PostgresServer, PostgresUnavailable

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


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server (Debian's binaries, a temp dir, a free port) for the whole session,
    started by the first test that needs it. Missing binaries fail those tests, never skip them."""
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes new, empty studio databases of one kind (the test runs once per kind); returns URLs."""
    server: PostgresServer | None = None
    if request.param == "postgresql":
        server = request.getfixturevalue("postgresql_server")
    made: list[str] = []

    def make() -> str:
        url = server.create_database() if server else f"sqlite:///{tmp_path / f'sessions-{len(made)}.sqlite3'}"
        made.append(url)
        return url

    yield make
    if server is not None:
        for url in made:
            server.drop_database(url)


@pytest.fixture
def database_url(database_factory: Callable[[], str]) -> str:
    """The studio's database for this test: a SQLite file, or a fresh PostgreSQL database."""
    return database_factory()
