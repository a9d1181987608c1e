"""Each HTTP status a current-API call can meet is its own error class, as for the task API
(``test_client_transport.py``): caused for real on the emulator over HTTP (a wrong key, an unknown
event, a refused filter, a duplicate name, an oversized body, and its fault injection through
``PUT /_emulator/faults`` for 429 and 503), and through a gateway in front of it for the statuses
the emulator never gives (405, 500). The key is in no message, even when the server echoes it."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
import requests
from gateway_support import gateway

from honeyhive_api import (
    APIStatusError,
    AuthenticationError,
    ConflictError,
    HoneyHiveClient,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
    ServerError,
    ValidationError,
)

CANARY = "hh-canary-current-errors-9d8c7b6a-SECRET"
SMALL_BODY = 4096  # bytes the emulator of the 413 case accepts

Call = Callable[[HoneyHiveClient], Any]


def _faults(emulator, **faults: Any) -> None:
    requests.put(
        f"{emulator.url}/_emulator/faults",
        json=faults,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=10,
    ).raise_for_status()


def _two_queue_listings(client: HoneyHiveClient) -> None:
    client.list_queues()  # takes the rate limit's one token
    client.list_queues()


def _same_name_twice(client: HoneyHiveClient) -> None:
    for _ in range(2):
        client.create_configuration("twice", provider="openai", parameters={"model": "gpt-4o-mini"})


# (status, class, emulator settings, faults, key the client sends, the call)
CASES: list[tuple[int, type[APIStatusError], dict[str, Any], dict[str, Any], str | None, Call]] = [
    (
        400,
        ValidationError,
        {},
        {},
        None,
        lambda hh: list(hh.export_events([{"field": "x", "operator": "sounds like", "value": "y", "type": "string"}])),
    ),
    (401, AuthenticationError, {}, {}, CANARY, lambda hh: hh.list_configurations()),
    (404, NotFoundError, {}, {}, None, lambda hh: hh.get_event("no-such-event")),
    (409, ConflictError, {}, {}, None, _same_name_twice),
    (
        413,
        PayloadTooLargeError,
        {"max_body_bytes": SMALL_BODY},
        {},
        None,
        lambda hh: hh.log_event("model", {"t": "x" * 2 * SMALL_BODY}),
    ),
    (429, RateLimitError, {}, {"rate_limit": 0.001}, None, _two_queue_listings),
    (503, ServerError, {}, {"error_rate": 1.0}, None, lambda hh: hh.update_event("e-1", feedback={"rating": 4})),
]


@pytest.mark.parametrize(
    ("status", "error_class", "settings", "faults", "key", "call"), CASES, ids=[str(case[0]) for case in CASES]
)
def test_each_status_of_a_current_call_is_its_error_class(
    emulator_factory, caplog, status, error_class, settings, faults, key, call
):
    caplog.set_level(logging.DEBUG)
    emulator = emulator_factory(api_key=CANARY if key is None else "the-right-key", **settings)
    if faults:
        _faults(emulator, **faults)
    with HoneyHiveClient(key or emulator.api_key, emulator.url, timeout=10, max_retries=0) as hh:
        with pytest.raises(error_class) as caught:
            call(hh)
        shown = repr(hh)
    assert caught.value.status_code == status
    assert type(caught.value) is error_class  # its own class, not a parent's
    for text in (str(caught.value), repr(caught.value), shown, caplog.text):
        assert CANARY not in text


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(405, APIStatusError), (500, ServerError), (502, ServerError)],
)
def test_statuses_the_emulator_never_gives_are_their_classes_and_an_echoed_key_is_redacted(
    emulator_factory, caplog, status, error_class
):
    caplog.set_level(logging.DEBUG)
    emulator = emulator_factory(api_key=CANARY)
    echo = json.dumps({"statusCode": status, "message": f"bad header Bearer {CANARY}", "success": False})
    refuse_events = lambda method, path: (status, echo.encode()) if path.startswith("/v1/events") else None  # noqa: E731
    with gateway(emulator.url, refuse_events) as server, HoneyHiveClient(CANARY, server.url, max_retries=0) as hh:
        assert hh.list_queues()  # forwarded: the emulator answers
        with pytest.raises(error_class) as caught:
            hh.get_event("e-1")
    assert caught.value.status_code == status
    assert type(caught.value) is error_class
    assert "bad header" in str(caught.value)
    assert CANARY not in str(caught.value) and CANARY not in repr(caught.value) and CANARY not in caplog.text
