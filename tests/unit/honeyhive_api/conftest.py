"""Fixtures of the client's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from raw_http_support import Handler, RawServer


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], RawServer]]:
    servers: list[RawServer] = []

    def start(handler: Handler) -> RawServer:
        server = RawServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
