"""The current API's answers read in either shape, over a raw server on 127.0.0.1, and which API a
base URL speaks (``detect_api``)."""

from __future__ import annotations

import json

import pytest
from raw_http_support import answer, client_for, replying

from honeyhive_api import (
    AuthenticationError,
    UnsupportedAPIError,
)


def test_configurations_and_queues_are_read_in_either_shape(serve):
    configuration = {
        "id": "c1",
        "name": "email-writer",
        "provider": "openai",
        "parameters": {"call_type": "chat", "model": "gpt-4o-mini", "template": [{"role": "user", "content": "Hi"}]},
        "env": ["prod"],
    }
    other = {**configuration, "id": "c2", "name": "draft", "env": []}
    queue = {"id": "q1", "name": "Low ratings", "filters": {"filterArray": []}}
    server = serve(
        replying(
            answer("200 OK", json.dumps({"configurations": [configuration, other]})),
            answer("200 OK", json.dumps([configuration, other])),  # an older spec: a bare array
            answer("200 OK", json.dumps([queue])),
            answer("200 OK", json.dumps(queue)),
        )
    )
    with client_for(server) as hh:
        assert [c.id for c in hh.list_configurations()] == ["c1", "c2"]
        assert [c.id for c in hh.list_configurations(env="prod")] == ["c1"]  # filtered here too
        assert [q.id for q in hh.list_queues()] == ["q1"]
        assert hh.get_queue("q1").name == "Low ratings"
    assert server.paths()[1] == "/v1/configurations?env=prod"


def test_export_reads_count_as_the_total_and_stops_there(serve):
    def page(start: int, size: int) -> bytes:
        events = [{"event_id": f"e{i}", "event_type": "model", "inputs": {}} for i in range(start, start + size)]
        return answer("200 OK", json.dumps({"events": events, "count": 5}))

    server = serve(replying(page(0, 2), page(2, 2), page(4, 1), answer("500 Internal Server Error", "{}")))
    with client_for(server) as hh:
        ids = [event.event_id for event in hh.export_events([], page_size=2)]
    assert ids == ["e0", "e1", "e2", "e3", "e4"]
    assert len(server.requests) == 3
    bodies = [json.loads(r.partition(b"\r\n\r\n")[2]) for r in server.requests]
    assert [b["page"] for b in bodies] == [1, 2, 3] and bodies[0]["limit"] == 2


def test_detect_api_names_the_url_and_what_was_tried_when_neither_answers(serve):
    server = serve(replying(answer("404 Not Found", '{"message": "no route"}')))
    with client_for(server) as hh, pytest.raises(UnsupportedAPIError) as caught:
        hh.detect_api()
    message = str(caught.value)
    assert server.url in message
    assert "GET /v1/configurations answered 404" in message and "GET /tasks answered 404" in message
    assert server.paths() == ["/v1/configurations", "/tasks"]


def test_detect_api_falls_back_to_tasks_and_keeps_401(serve):
    tasks_only = serve(replying(answer("404 Not Found", "{}"), answer("200 OK", "[]")))
    with client_for(tasks_only) as hh:
        assert hh.detect_api() == "tasks"
    refused = serve(replying(answer("401 Unauthorized", '{"message": "invalid key"}')))
    with client_for(refused) as hh, pytest.raises(AuthenticationError):
        hh.detect_api()
