"""Calling the emulator's current-API routes over HTTP in tests: requests with the key, the
HoneyHive error shape, exports, sessions and events logged in one call."""

from __future__ import annotations

import requests

SESSION_FILTER = {"field": "session_id", "operator": "is", "type": "string"}


def call(emulator, method: str, path: str, *, key: str | None = "default", **kwargs) -> requests.Response:
    headers = kwargs.pop("headers", {})
    if key is not None:
        headers["Authorization"] = f"Bearer {emulator.api_key if key == 'default' else key}"
    return requests.request(method, f"{emulator.url}{path}", headers=headers, timeout=30, **kwargs)


def assert_honeyhive_error(answer: requests.Response, status: int, *words: str) -> dict:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"statusCode", "message", "success", "errorCode"}
    assert body["statusCode"] == status and body["success"] is False and body["errorCode"]
    for word in words:
        assert word in body["message"], body["message"]
    return body


def export(emulator, filters: list[dict], **extra) -> dict:
    answer = call(emulator, "POST", "/v1/events/export", json={"filters": filters, **extra})
    assert answer.status_code == 200, answer.text
    return answer.json()


def new_session(emulator) -> str:
    answer = call(emulator, "POST", "/session/start", json={"session": {"session_name": "test", "source": "test"}})
    assert answer.status_code == 200, answer.text
    return answer.json()["session_id"]


def log_events(emulator, session_id: str, events: list[dict]) -> list[str]:
    body = {"events": [{"event_type": "model", "inputs": {}, "session_id": session_id, **e} for e in events]}
    answer = call(emulator, "POST", "/events/batch", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()["event_ids"]
