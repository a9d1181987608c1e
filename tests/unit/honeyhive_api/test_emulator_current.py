"""The emulator's current-API routes over real HTTP: events (idempotent POST, merged PUT),
configurations, queues, sessions, errors and faults. Export and search:
``test_emulator_current_export.py``."""

from __future__ import annotations

import time
import uuid

import pytest
from emulator_current_support import SESSION_FILTER, assert_honeyhive_error, call, export, log_events, new_session

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
