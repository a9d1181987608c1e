"""The client's current-API calls against the emulator over real HTTP on 127.0.0.1: every method,
merged updates, paging through 2,500 exported events, retries that never double an event, the
error classes, which API is there, and the API key absent from every error."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from honeyhive_api import (
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    Event,
    HoneyHiveClient,
    HoneyHiveError,
    NotFoundError,
    ValidationError,
)

CANARY = "hh-canary-current-0a1b2c3d4e5f-SECRET"


def admin(emulator, method: str, path: str, **kwargs) -> requests.Response:
    answer = requests.request(
        method,
        f"{emulator.url}{path}",
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=30,
        **kwargs,
    )
    answer.raise_for_status()
    return answer


def set_faults(emulator, **faults) -> None:
    admin(emulator, "PUT", "/_emulator/faults", json=faults)


def session_filter(session_id: str) -> list[dict]:
    return [{"field": "session_id", "operator": "is", "value": session_id, "type": "string"}]


@pytest.fixture
def client(emulator):
    with HoneyHiveClient(emulator.api_key, emulator.url, timeout=10, max_retries=3) as hh:
        yield hh


# ---- configurations ---------------------------------------------------------------------------------


def test_list_configurations_by_env_and_name(client):
    every = client.list_configurations()
    assert len(every) >= 3
    prod = client.list_configurations(env="prod")
    assert prod and all("prod" in c.env for c in prod)
    assert len(prod) < len(every)
    one = client.list_configurations(name=every[0].name)
    assert [c.id for c in one] == [every[0].id]
    assert one[0].parameters.model


def test_create_configuration_then_find_it_deployed(client):
    new_id = client.create_configuration(
        "qa-scratch-writer",
        provider="openai",
        parameters={
            "call_type": "chat",
            "model": "gpt-4o-mini",
            "hyperparameters": {"temperature": 0.2},
            "template": [{"role": "user", "content": "Write about {{ topic }}"}],
        },
        env=["dev"],
        tags=["qa"],
    )
    [found] = client.list_configurations(name="qa-scratch-writer")
    assert found.id == new_id
    assert found.env == ["dev"]
    assert [c.id for c in client.list_configurations(env="dev")] == [new_id]
    with pytest.raises(ConflictError) as caught:  # the emulator, like HoneyHive, keeps names unique
        client.create_configuration("qa-scratch-writer", provider="openai", parameters={"model": "m"})
    assert caught.value.status_code == 409


# ---- sessions and events ------------------------------------------------------------------------------


def test_start_session_then_read_it_back_as_an_event(client):
    session_id = str(uuid.uuid4())
    started = client.start_session("QA review", source="hive-review", session_id=session_id, metadata={"by": "qa"})
    assert started.session_id == session_id
    stored = client.get_event(session_id)
    assert stored.event_type == "session"
    assert stored.metadata == {"by": "qa"}
    again = client.start_session("QA review", source="hive-review", session_id=session_id)
    assert again.session_id == session_id  # the same session: what makes its retry safe


def test_log_event_then_get_it_with_every_field(client):
    session = client.start_session("QA", source="hive-review")
    event_id = client.log_event(
        "model",
        {"topic": "the offsite"},
        event_name="email-writer-v1",
        session_id=session.session_id,
        parent_id=session.session_id,
        source="hive-review",
        config={"model": "gpt-4o-mini", "provider": "openai"},
        outputs={"role": "assistant", "content": "Dear team"},
        start_time=1_700_000_000_000,
        end_time=1_700_000_000_812,
        duration=812,
        metadata={"total_tokens": 14},
        user_properties={"user_id": "qa-1"},
    )
    event = client.get_event(event_id)
    assert isinstance(event, Event)
    assert event.event_id == event_id
    assert event.inputs == {"topic": "the offsite"}
    assert event.outputs["content"] == "Dear team"
    assert event.session_id == session.session_id
    assert event.duration == 812
    assert event.user_properties == {"user_id": "qa-1"}


def test_logging_the_same_event_id_twice_is_one_event(client):
    session = client.start_session("QA", source="hive-review")
    event_id = str(uuid.uuid4())
    for _ in range(2):
        assert client.log_event("model", {"x": "1"}, event_id=event_id, session_id=session.session_id) == event_id
    events = list(client.export_events(session_filter(session.session_id)))
    assert [e.event_id for e in events if e.event_type == "model"] == [event_id]


def test_update_event_merges_feedback_metrics_and_metadata(client, emulator):
    event_id = client.log_event("model", {"x": "1"}, metadata={"model": "m"})
    client.update_event(event_id, feedback={"rating": 4, "comment": "ok"})
    client.update_event(event_id, feedback={"accepted": True, "comment": None}, metrics={"latency_ok": True})
    client.update_event(event_id, metadata={"reviewed_by": "qa-1"})
    event = client.get_event(event_id)
    assert event.feedback["rating"] == 4 and event.feedback["accepted"] is True
    assert event.feedback.get("comment") is None  # an explicit null is sent, and clears the value
    assert event.metrics == {"latency_ok": True}
    assert event.metadata == {"model": "m", "reviewed_by": "qa-1"}
    deliveries = admin(emulator, "GET", "/_emulator/feedback-events", params={"event_id": event_id}).json()
    assert len(deliveries) == 2


def test_update_and_get_of_an_unknown_event_are_not_found(client):
    with pytest.raises(NotFoundError) as caught:
        client.update_event("no-such-event", feedback={"rating": 1})
    assert caught.value.status_code == 404 and "no-such-event" in str(caught.value)
    with pytest.raises(NotFoundError):
        client.get_event("no-such-event")
    with pytest.raises(ValueError, match="at least one"):
        client.update_event("no-such-event")


@pytest.mark.timeout(120)
def test_export_pages_through_2500_events(client, emulator):
    session = client.start_session("bulk", source="hive-review")
    batch = [
        {
            "event_id": f"bulk-{n:05d}",
            "event_type": "model",
            "inputs": {"n": n},
            "session_id": session.session_id,
            "start_time": 1_700_000_000_000 + n,
        }
        for n in range(2_500)
    ]
    for start in range(0, len(batch), 500):
        admin(emulator, "POST", "/events/batch", json={"events": batch[start : start + 500]})
    exported = client.export_events(
        [*session_filter(session.session_id), {"field": "event_type", "operator": "is", "value": "model"}],
        page_size=1000,
    )
    ids = [event.event_id for event in exported]
    assert ids == [f"bulk-{n:05d}" for n in range(2_500)]  # every one, once, oldest first


def test_export_with_a_date_range(client):
    session = client.start_session("dated", source="hive-review")
    now = datetime.now(UTC)
    for days_ago in (10, 3, 1):
        when = (now - timedelta(days=days_ago)).timestamp() * 1000
        client.log_event("model", {"days_ago": days_ago}, session_id=session.session_id, start_time=when)
    recent = client.export_events(
        [*session_filter(session.session_id), {"field": "event_type", "operator": "is", "value": "model"}],
        date_range={"$gte": (now - timedelta(days=5)).isoformat(), "$lte": now.isoformat()},
    )
    assert sorted(e.inputs["days_ago"] for e in recent) == [1, 3]


def test_export_refuses_a_bad_page_size_before_sending(client):
    with pytest.raises(ValueError, match="page_size"):
        client.export_events([], page_size=0)
    with pytest.raises(ValueError, match="page_size"):
        client.export_events([], page_size=7_501)


def test_a_filter_the_server_refuses_is_a_validation_error(client):
    bad = [{"field": "session_id", "operator": "sounds like", "value": "x", "type": "string"}]
    with pytest.raises(ValidationError) as caught:
        list(client.export_events(bad))
    assert caught.value.status_code == 400


# ---- queues ---------------------------------------------------------------------------------------------


def test_list_queues_and_get_one(client):
    queues = client.list_queues()
    assert queues
    first = client.get_queue(queues[0].id)
    assert first.id == queues[0].id and first.name == queues[0].name
    assert first.filters.filterArray
    events = list(client.export_events([f.model_dump() for f in first.filters.filterArray]))
    assert events  # the seeded queues select seeded events
    with pytest.raises(NotFoundError):
        client.get_queue("no-such-queue")


# ---- which API, retries, errors -------------------------------------------------------------------------


def test_detect_api_on_the_emulator_is_current(client):
    assert client.detect_api() == "current"


def test_log_and_update_retry_through_503s_without_doubling(emulator):
    with HoneyHiveClient(emulator.api_key, emulator.url, timeout=30, max_retries=8) as client:
        session = client.start_session("flaky", source="hive-review")
        set_faults(emulator, error_rate=0.4, fault_seed=11)
        logged = [client.log_event("model", {"n": n}, session_id=session.session_id) for n in range(8)]
        for event_id in logged:
            client.update_event(event_id, feedback={"rating": 5})
        set_faults(emulator, error_rate=0.0)
        exported = [e for e in client.export_events(session_filter(session.session_id)) if e.event_type == "model"]
    assert sorted(e.event_id for e in exported) == sorted(logged)
    assert all(e.feedback == {"rating": 5} for e in exported)
    deliveries = admin(emulator, "GET", "/_emulator/feedback-events", params={"event_id": logged[0]}).json()
    assert len(deliveries) == 1  # a refused PUT was not processed; the one that got through counts once


def test_a_slow_server_is_a_timeout_for_the_current_api_too(emulator):
    set_faults(emulator, latency_ms=1500)
    with (
        HoneyHiveClient(emulator.api_key, emulator.url, timeout=0.5, max_retries=2) as hh,
        pytest.raises(APITimeoutError),
    ):
        hh.list_queues()


def test_a_wrong_key_is_401_on_every_current_call_and_never_shown(emulator, caplog):
    caplog.set_level(logging.DEBUG)
    failures: list[HoneyHiveError] = []
    with HoneyHiveClient(CANARY, emulator.url, max_retries=0) as bad:
        for call in (
            bad.list_configurations,
            lambda: bad.create_configuration("x", provider="p", parameters={"model": "m"}),
            lambda: bad.start_session("s", source="t"),
            lambda: bad.log_event("model", {}),
            lambda: bad.update_event("e", feedback={"rating": 1}),
            lambda: bad.get_event("e"),
            lambda: list(bad.export_events([])),
            bad.list_queues,
            lambda: bad.get_queue("q"),
            bad.detect_api,
        ):
            with pytest.raises(AuthenticationError) as caught:
                call()
            failures.append(caught.value)
        assert CANARY not in repr(bad)
    for failure in failures:
        assert failure.status_code == 401
        assert CANARY not in str(failure) and CANARY not in repr(failure)
    assert CANARY not in caplog.text
