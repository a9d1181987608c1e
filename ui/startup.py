"""What the studio does when its server starts, before any browser connects: start delivering the
feedback a stopped studio left pending.

The objects started here are the ones every session uses afterwards (they are held in
``st.cache_resource``, which is process-wide): the outbox of the configured connection and, with
no API key configured, the local emulator. Ratings made on a key typed into the sidebar are
delivered once that connection is used again (the server never learns that key by itself).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

from hive_review.settings import SettingsError, api_choice, resolve_connection
from ui import services
from ui.connection import read_secrets

log = logging.getLogger(__name__)


def start_delivery() -> None:
    settings = services.settings()
    secrets = read_secrets()
    connection = resolve_connection(secrets, os.environ)
    if connection is None:
        connection = services.emulator_for(settings).connection
    client = services.client_for(connection, settings)
    api = services.detected_api(connection.fingerprint, api_choice(secrets, os.environ), client)
    services.outbox_for(connection, settings, api)


@contextlib.asynccontextmanager
async def deliver_pending_feedback(_app: Any) -> AsyncIterator[None]:
    try:
        start_delivery()
    except SettingsError as problem:  # the page shows the same message to whoever opens it
        log.error("feedback delivery not started: %s", problem)
    except Exception:  # a studio that cannot deliver yet must still start and say why on its pages
        log.exception("feedback delivery not started")
    yield
