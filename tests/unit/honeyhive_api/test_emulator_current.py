"""The emulator's current-API routes over real HTTP: events (idempotent POST, merged PUT, export and
search with filters, dates and pages), configurations, queues, sessions, errors and faults."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
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


# ---- writing events --------------------------------------------------------------------------------


def test_posting_an_event_id_again_is_the_same_event_and_keeps_its_feedback(emulator):
    session_id = new_session(emulator)
    event = {"event_id": "retried-1", "event_type": "model", "session_id": session_id, "inputs": {"n": 1}}
    first = call(emulator, "POST", "/events", json={"event": event})
    assert first.json() == {"success": True, "event_id": "retried-1"}
    assert call(emulator, "PUT", "/events", json={"event_id": "retried-1", "feedback": {"rating": 5}}).ok
    # A late retry of the same POST (and one with other content) changes nothing.
    for body in (event, {**event, "inputs": {"n": 2}}):
        again = call(emulator, "POST", "/events", json={"event": body})
        assert again.json() == {"success": True, "event_id": "retried-1"}
    assert call(emulator, "POST", "/v1/events", json=event).json()["event_id"] == "retried-1"
    found = export(emulator, [{"field": "event_id", "operator": "is", "value": "retried-1", "type": "id"}])
    assert found["totalEvents"] == 1
    assert found["events"][0]["inputs"] == {"n": 1}
    assert found["events"][0]["feedback"] == {"rating": 5}


def test_an_event_gets_ids_times_and_every_field(emulator):
    answer = call(emulator, "POST", "/events", json={"event": {"event_type": "tool", "inputs": {"q": "x"}}})
    event_id = answer.json()["event_id"]
    event = call(emulator, "GET", f"/v1/events/{event_id}").json()["event"]
    assert uuid.UUID(event["event_id"]) and uuid.UUID(event["session_id"])
    assert event["parent_id"] == event["session_id"]
    assert abs(event["start_time"] - time.time() * 1000) < 60_000
    for name in ("config", "outputs", "metadata", "feedback", "metrics", "user_properties"):
        assert event[name] == {}
    assert event["children_ids"] == [] and event["error"] is None and event["duration"] == 0


def test_put_events_merges_objects_key_by_key(emulator):
    session_id = new_session(emulator)
    [event_id] = log_events(
        emulator,
        session_id,
        [{"outputs": {"content": "draft"}, "config": {"model": "m"}, "metadata": {"tokens": 10}, "start_time": 1000}],
    )
    first = {
        "event_id": event_id,
        "feedback": {"rating": 4},
        "metrics": {"latency_ok": True},
        "user_properties": {"user_id": "u1"},
        "children_ids": ["child-a"],
    }
    assert call(emulator, "PUT", "/events", json=first).json() == {"success": True, "event_id": event_id}
    second = {
        "feedback": {"accepted": True, "comment": "fine"},
        "metadata": {"reviewer": "qa"},
        "outputs": {"role": "assistant"},
        "config": {"provider": "openai"},
        "children_ids": ["child-a", "child-b"],
        "end_time": 1800,
        "event_id": None,
    }
    assert call(emulator, "PUT", f"/v1/events/{event_id}", json=second).ok
    event = call(emulator, "GET", f"/v1/events/{event_id}").json()["event"]
    assert event["feedback"] == {"rating": 4, "accepted": True, "comment": "fine"}
    assert event["metadata"] == {"tokens": 10, "reviewer": "qa"}
    assert event["outputs"] == {"content": "draft", "role": "assistant"}
    assert event["config"] == {"model": "m", "provider": "openai"}
    assert event["metrics"] == {"latency_ok": True} and event["user_properties"] == {"user_id": "u1"}
    assert event["children_ids"] == ["child-a", "child-b"]
    assert event["end_time"] == 1800 and event["duration"] == 800


def test_feedback_deliveries_of_both_apis_are_listed(emulator):
    [event_id] = log_events(emulator, new_session(emulator), [{}])
    for feedback in ({"rating": 2}, {"rating": 2}, {"accepted": False}):
        assert call(emulator, "PUT", "/events", json={"event_id": event_id, "feedback": feedback}).ok
    assert call(emulator, "PUT", "/events", json={"event_id": event_id, "metadata": {"no": "feedback"}}).ok
    logged = call(
        emulator,
        "POST",
        "/generations/log",
        json={"task": "Sandbox - Email Writer", "model": "m", "hyperparameters": {}, "generation": "g"},
    ).json()
    assert call(
        emulator,
        "POST",
        "/feedback",
        json={"task": "Sandbox - Email Writer", "generation_id": logged["generation_id"], "feedback_json": {"x": 1}},
    ).ok
    everything = call(emulator, "GET", "/_emulator/feedback-events").json()
    assert [d["api"] for d in everything] == ["current", "current", "current", "legacy"]
    mine = call(emulator, "GET", "/_emulator/feedback-events", params={"event_id": event_id}).json()
    assert [d["feedback"] for d in mine] == [{"rating": 2}, {"rating": 2}, {"accepted": False}]
    assert all(d["event_id"] == event_id and d["body"]["event_id"] == event_id for d in mine)
    legacy = call(emulator, "GET", "/_emulator/feedback-events", params={"generation_id": logged["generation_id"]})
    assert [d["feedback_json"] for d in legacy.json()] == [{"x": 1}]


def test_a_batch_in_a_single_session(emulator):
    body = {
        "events": [{"event_type": "model", "inputs": {"n": n}} for n in range(3)],
        "single_session": True,
        "session_properties": {"session_name": "batch-run"},
    }
    answer = call(emulator, "POST", "/v1/events/batch", json=body).json()
    assert answer["success"] and len(answer["event_ids"]) == 3
    found = export(emulator, [{**SESSION_FILTER, "value": answer["session_id"]}])
    assert found["totalEvents"] == 4  # the session and its three events
    assert {e["event_name"] for e in found["events"] if e["event_type"] == "session"} == {"batch-run"}


# ---- errors ----------------------------------------------------------------------------------------


def test_errors_have_honeyhive_shape_and_name_the_problem(emulator):
    assert_honeyhive_error(
        call(emulator, "PUT", "/events", json={"event_id": "ghost", "feedback": {"rating": 1}}), 404, "'ghost'"
    )
    assert_honeyhive_error(call(emulator, "PUT", "/v1/events/ghost", json={"feedback": {"a": 1}}), 404, "'ghost'")
    assert_honeyhive_error(call(emulator, "GET", "/v1/events/ghost"), 404, "'ghost'")
    assert_honeyhive_error(call(emulator, "PUT", "/events", json={"feedback": {"a": 1}}), 400, "event_id")
    missing = call(emulator, "POST", "/events", json={"event": {"event_name": "no type, no inputs"}})
    assert_honeyhive_error(missing, 400, "event.event_type", "event.inputs")
    bad_type = call(emulator, "POST", "/events", json={"event": {"event_type": "banana", "inputs": {}}})
    assert_honeyhive_error(bad_type, 400, "event_type")
    assert_honeyhive_error(call(emulator, "POST", "/v1/events/export", json={"limit": 7501}), 400, "limit", "7500")
    assert_honeyhive_error(call(emulator, "POST", "/v1/events/export", json={"page": 0}), 400, "page")
    bad_date = call(emulator, "POST", "/v1/events/export", json={"dateRange": {"$gte": "last tuesday"}})
    assert_honeyhive_error(bad_date, 400, "last tuesday")
    broken = call(emulator, "POST", "/events", data=b'{"event": ', headers={"Content-Type": "application/json"})
    assert_honeyhive_error(broken, 400, "not valid JSON")
    assert_honeyhive_error(call(emulator, "DELETE", "/v1/configurations/nope"), 404, "'nope'")
    assert_honeyhive_error(call(emulator, "GET", "/v1/no-such-route"), 404, "/v1/no-such-route")
    for key in (None, "wrong-key"):
        refused = call(emulator, "POST", "/v1/events/export", json={}, key=key)
        assert_honeyhive_error(refused, 401, "API key")
        assert emulator.api_key not in refused.text


# ---- export and search -----------------------------------------------------------------------------


def test_export_pages_2500_events_in_pages_of_1000(emulator):
    session_id = new_session(emulator)
    log_events(emulator, session_id, [{"event_name": f"e{n}", "start_time": 1_000_000 + n} for n in range(2500)])
    filters = [{**SESSION_FILTER, "value": session_id}, {"field": "event_type", "operator": "is", "value": "model"}]
    pages = [export(emulator, filters, limit=1000, page=page) for page in (1, 2, 3, 4)]
    assert [p["totalEvents"] for p in pages] == [2500] * 4
    assert [len(p["events"]) for p in pages] == [1000, 1000, 500, 0]
    names = [e["event_name"] for p in pages for e in p["events"]]
    assert names == [f"e{n}" for n in range(2500)]  # oldest first, no repeats, none left out
    big = export(emulator, filters, limit=7500)
    assert len(big["events"]) == 2500


def test_export_filter_operators_on_dotted_fields(emulator):
    session_id = new_session(emulator)
    ids = log_events(
        emulator,
        session_id,
        [
            {"event_name": "a", "feedback": {"rating": 5, "comment": "Great answer"}, "metadata": {"x": "red"}},
            {"event_name": "b", "feedback": {"rating": 2, "accepted": False}, "metadata": {"x": "blue"}},
            {"event_name": "c", "feedback": {"rating": 3.5, "accepted": True}},
            {"event_name": "d"},
        ],
    )
    assert len(ids) == 4
    scope = {**SESSION_FILTER, "value": session_id}

    def names(field: str, operator: str, value=None, kind: str = "string") -> list[str]:
        condition = {"field": field, "operator": operator, "value": value, "type": kind}
        found = export(emulator, [scope, {"field": "event_type", "operator": "is", "value": "model"}, condition])
        return sorted(e["event_name"] for e in found["events"])

    assert names("feedback.rating", "is", 5, "number") == ["a"]
    assert names("feedback.rating", "is", "5") == ["a"]
    assert names("feedback.rating", "is not", 5, "number") == ["b", "c", "d"]
    assert names("feedback.rating", "greater than", 2.5, "number") == ["a", "c"]
    assert names("feedback.rating", "less than", 3.5, "number") == ["b"]
    assert names("feedback.accepted", "is", True, "boolean") == ["c"]
    assert names("feedback.accepted", "is", "false", "boolean") == ["b"]
    assert names("feedback.comment", "contains", "great") == ["a"]
    assert names("feedback.comment", "not contains", "great") == ["b", "c", "d"]
    assert names("metadata.x", "exists") == ["a", "b"]
    assert names("metadata.x", "not exists") == ["c", "d"]
    assert names("metadata.x", "is", "blue") == ["b"]
    assert names("feedback", "contains", "accepted") == ["b", "c"]
    unknown = call(emulator, "POST", "/v1/events/export", json={"filters": [{**scope, "operator": "resembles"}]})
    assert_honeyhive_error(unknown, 400, "resembles", "greater than")
    not_number = {"field": "feedback.rating", "operator": "greater than", "value": "lots", "type": "number"}
    assert_honeyhive_error(call(emulator, "POST", "/v1/events/export", json={"filters": [not_number]}), 400, "lots")


def test_export_date_range_and_search(emulator):
    session_id = new_session(emulator)
    day = datetime(2026, 3, 1, tzinfo=UTC)
    log_events(
        emulator,
        session_id,
        [{"event_name": f"day{n}", "start_time": (day + timedelta(days=n)).timestamp() * 1000} for n in range(5)],
    )
    scope = [{**SESSION_FILTER, "value": session_id}, {"field": "event_type", "operator": "is", "value": "model"}]
    window = {"$gte": "2026-03-02T00:00:00Z", "$lte": "2026-03-04T00:00:00Z"}
    found = export(emulator, scope, dateRange=window)
    assert [e["event_name"] for e in found["events"]] == ["day1", "day2", "day3"]
    since = export(emulator, scope, dateRange={"$gte": "2026-03-04T00:00:00+00:00"})
    assert [e["event_name"] for e in since["events"]] == ["day3", "day4"]
    searched = call(
        emulator,
        "POST",
        "/v1/events/search",
        json={
            "filters": scope,
            "dateRange": {"start_time": "2026-03-03T00:00:00Z", "end_time": "2026-03-10T00:00:00Z"},
        },
    ).json()
    assert searched["count"] == searched["totalEvents"] == 3
    assert_honeyhive_error(call(emulator, "POST", "/v1/events/search", json={"limit": 1001}), 400, "1000")


def test_export_projections(emulator):
    session_id = new_session(emulator)
    log_events(emulator, session_id, [{"feedback": {"rating": 4, "comment": "ok"}, "outputs": {"content": "c"}}])
    found = export(
        emulator,
        [{**SESSION_FILTER, "value": session_id}, {"field": "event_type", "operator": "is", "value": "model"}],
        projections=["feedback.rating", "outputs"],
    )
    [event] = found["events"]
    assert set(event) == {"event_id", "feedback", "outputs"}
    assert event["feedback"] == {"rating": 4} and event["outputs"] == {"content": "c"}


def test_an_export_of_10000_events_comes_back_whole_over_two_pages(emulator):
    # How fast is measured in bench/ (never asserted here: CI runs on a busy machine).
    session_id = new_session(emulator)
    for start in range(0, 10_000, 2500):
        log_events(
            emulator,
            session_id,
            [
                {"inputs": {"topic": f"t{n}"}, "outputs": {"content": "x" * 400}, "metadata": {"n": n}}
                for n in range(start, start + 2500)
            ],
        )
    filters = [{**SESSION_FILTER, "value": session_id}, {"field": "metadata.n", "operator": "exists"}]
    pages = [export(emulator, filters, limit=7500, page=page) for page in (1, 2)]
    assert [len(p["events"]) for p in pages] == [7500, 2500]
    assert {p["totalEvents"] for p in pages} == {10_000}
    numbers = [event["metadata"]["n"] for p in pages for event in p["events"]]
    assert sorted(numbers) == list(range(10_000))


# ---- configurations --------------------------------------------------------------------------------


def test_configurations_crud_with_filters_and_deploys(emulator):
    parameters = {
        "call_type": "chat",
        "model": "gpt-4o-mini",
        "template": [{"role": "user", "content": "Hi {{ name }}"}],
    }
    body = {"name": "greeter-a", "provider": "openai", "parameters": parameters, "env": ["prod"], "tags": ["Greeter"]}
    created = call(emulator, "POST", "/v1/configurations", json=body).json()
    assert created["acknowledged"] is True
    a_id = created["insertedId"]
    assert_honeyhive_error(call(emulator, "POST", "/v1/configurations", json=body), 409, "greeter-a")
    b_id = call(
        emulator, "POST", "/v1/configurations", json={**body, "name": "greeter-b", "env": None, "type": None}
    ).json()["insertedId"]

    [found] = call(emulator, "GET", "/v1/configurations", params={"name": "greeter-a"}).json()["configurations"]
    assert found["id"] == a_id and found["env"] == ["prod"] and found["type"] == "LLM"
    assert found["parameters"]["template"] == parameters["template"]
    # Deploying b to prod takes prod off a (same task), not off other tasks' configurations.
    assert call(emulator, "PUT", f"/v1/configurations/{b_id}", json={"name": "greeter-b", "env": ["prod"]}).ok
    prod = call(emulator, "GET", "/v1/configurations", params={"env": "prod"}).json()["configurations"]
    greeters = [c["name"] for c in prod if "Greeter" in c["tags"]]
    assert greeters == ["greeter-b"] and len(prod) == 4  # one per seeded task, and b
    renamed = call(emulator, "PUT", f"/v1/configurations/{a_id}", json={"name": "greeter-b"})
    assert_honeyhive_error(renamed, 409, "greeter-b")
    assert call(emulator, "DELETE", f"/v1/configurations/{a_id}").json() == {"acknowledged": True, "deletedCount": 1}
    assert_honeyhive_error(call(emulator, "PUT", f"/v1/configurations/{a_id}", json={"name": "x"}), 404, a_id)
    assert_honeyhive_error(call(emulator, "POST", "/v1/configurations", json={"name": "no-parameters"}), 400)


# ---- queues ----------------------------------------------------------------------------------------


def test_queues_crud_and_their_filters_select_events(emulator):
    session_id = new_session(emulator)
    ids = log_events(emulator, session_id, [{"metadata": {"team": "red"}}, {"metadata": {"team": "blue"}}])
    filters = [{**SESSION_FILTER, "value": session_id}, {"field": "metadata.team", "operator": "is", "value": "red"}]
    made = call(
        emulator,
        "POST",
        "/v1/queues",
        json={"name": "Red team", "filters": {"filterArray": filters}, "description": None},
    )
    assert made.status_code == 200, made.text
    queue = made.json()["queue"]
    assert queue["enabled"] is True and queue["description"] == "" and queue["created_at"]
    assert call(emulator, "GET", f"/v1/queues/{queue['id']}").json()["name"] == "Red team"
    assert "Red team" in {q["name"] for q in call(emulator, "GET", "/v1/queues").json()["queues"]}

    stored = call(emulator, "GET", f"/v1/queues/{queue['id']}").json()["filters"]["filterArray"]
    assert [e["event_id"] for e in export(emulator, stored)["events"]] == [ids[0]]

    changes = {"id": queue["id"], "enabled": False, "add_event_ids": [ids[1]], "filters": {"filterArray": filters[:1]}}
    updated = call(emulator, "PUT", f"/v1/queues/{queue['id']}", json=changes).json()["queue"]
    assert updated["enabled"] is False and updated["event_ids"] == [ids[1]]
    assert export(emulator, updated["filters"]["filterArray"])["totalEvents"] == 3  # the session and both
    assert "Red team" not in {q["name"] for q in call(emulator, "GET", "/v1/queues?enabled=true").json()["queues"]}

    bad = {"name": "Bad", "filters": {"filterArray": [{"field": "x", "operator": "near", "value": 1}]}}
    assert_honeyhive_error(call(emulator, "POST", "/v1/queues", json=bad), 400, "near")
    assert call(emulator, "DELETE", f"/v1/queues/{queue['id']}").ok
    assert_honeyhive_error(call(emulator, "GET", f"/v1/queues/{queue['id']}"), 404, queue["id"])
    assert_honeyhive_error(call(emulator, "DELETE", f"/v1/queues/{queue['id']}"), 404, queue["id"])


# ---- sessions --------------------------------------------------------------------------------------


def test_sessions_start_wrapped_or_bare_and_are_events(emulator):
    wrapped = call(emulator, "POST", "/session/start", json={"session": {"session_name": "s1", "source": "t"}}).json()
    assert wrapped["event_id"] == wrapped["session_id"]
    assert {"project_id", "org_id", "workspace_id"} <= set(wrapped)
    bare = call(emulator, "POST", "/v1/sessions", json={"session_id": "chosen-session", "session_name": "s2"}).json()
    assert bare["session_id"] == "chosen-session"
    again = call(emulator, "POST", "/v1/sessions", json={"session_id": "chosen-session", "session_name": "s3"}).json()
    assert again["event_name"] == "s2"  # the same session, not a second one
    event = call(emulator, "GET", "/v1/events/chosen-session").json()["event"]
    assert event["event_type"] == "session" and event["event_name"] == "s2"


# ---- faults ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/events/export", {}),
        ("POST", "/events", {"event": {"event_type": "model", "inputs": {}}}),
        ("GET", "/v1/configurations", None),
        ("GET", "/v1/queues", None),
    ],
)
def test_injected_faults_refuse_the_current_routes_in_honeyhive_shape(emulator_factory, method, path, body):
    server = emulator_factory(error_rate=1.0, retry_after_503=3)
    refused = call(server, method, path, json=body)
    assert_honeyhive_error(refused, 503, "injected fault")
    assert refused.headers["Retry-After"] == "3"
    # The emulator's own controls are never refused: a drill can always turn the faults off.
    assert call(server, "PUT", "/_emulator/faults", json={"error_rate": 0}).ok
    assert call(server, method, path, json=body).status_code == 200


def test_rate_limit_and_latency_apply_to_event_routes(emulator):
    assert call(emulator, "PUT", "/_emulator/faults", json={"rate_limit": 2, "latency_ms": 50}).ok
    began = time.perf_counter()
    answers = [call(emulator, "POST", "/v1/events/export", json={"limit": 1}) for _ in range(6)]
    assert time.perf_counter() - began >= 6 * 0.05
    limited = [a for a in answers if a.status_code == 429]
    assert limited and all(a.headers.get("Retry-After") for a in limited)
    assert_honeyhive_error(limited[0], 429, "rate limit")
