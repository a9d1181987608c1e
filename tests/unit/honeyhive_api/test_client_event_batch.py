"""``CurrentAPI.log_events`` (``POST /events/batch``) against the emulator over HTTP, and the
emulator's request log that tests count calls with."""

from __future__ import annotations

import uuid

import pytest
import requests

from honeyhive_api import HoneyHiveClient
from honeyhive_api.errors import PayloadTooLargeError


@pytest.fixture
def client(emulator):
    return HoneyHiveClient(emulator.api_key, emulator.url, timeout=10)


def request_log(emulator, method: str = "GET") -> requests.Response:
    response = requests.request(
        method,
        f"{emulator.url}/_emulator/requests",
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=10,
    )
    response.raise_for_status()
    return response


def counts(emulator) -> dict[tuple[str, str], tuple[int, int]]:
    rows = request_log(emulator).json()["requests"]
    return {(row["method"], row["path"]): (row["received"], row["refused"]) for row in rows}


def event(n: int, session_id: str, **extra) -> dict:
    return {"event_type": "model", "inputs": {"n": str(n)}, "event_name": f"run {n}", "session_id": session_id,
            "outputs": {"role": "assistant", "content": f"answer {n}"}, **extra}  # fmt: skip


def test_log_events_stores_each_with_the_ids_chosen_by_the_client(client, emulator):
    session_id = str(uuid.uuid4())
    ids = [str(uuid.uuid4()) for _ in range(3)]
    given = [event(n, session_id, event_id=ids[n]) for n in range(3)] + [event(3, session_id)]
    answered = client.current_api.log_events(given)
    assert answered[:3] == ids and len(answered) == 4 and answered[3] not in ids
    for n, event_id in enumerate(answered):
        stored = client.get_event(event_id)
        assert stored.inputs == {"n": str(n)} and stored.session_id == session_id
    assert counts(emulator)[("POST", "/events/batch")] == (1, 0)


def test_a_batch_sent_again_is_still_one_event_each_and_keeps_feedback_given_between(client):
    session_id = str(uuid.uuid4())
    given = [event(n, session_id, event_id=str(uuid.uuid4())) for n in range(2)]
    ids = client.current_api.log_events(given)
    client.update_event(ids[0], feedback={"rating": 5})
    assert client.current_api.log_events(given) == ids  # a resend after a lost answer
    filters = [{"field": "session_id", "operator": "is", "value": session_id, "type": "string"}]
    assert sorted(e.event_id for e in client.export_events(filters)) == sorted(ids)
    assert client.get_event(ids[0]).feedback == {"rating": 5}


def test_log_events_refuses_what_cannot_be_sent_before_sending(client, emulator):
    with pytest.raises(ValueError, match="at least one"):
        client.current_api.log_events([])
    with pytest.raises(ValueError):
        client.current_api.log_events([{"event_type": "nonsense", "inputs": {}}])
    assert ("POST", "/events/batch") not in counts(emulator)


def test_a_batch_larger_than_the_server_takes_is_refused_whole(emulator_factory):
    small = emulator_factory(max_body_bytes=2_000)
    client = HoneyHiveClient(small.api_key, small.url, timeout=10)
    session_id = str(uuid.uuid4())
    with pytest.raises(PayloadTooLargeError):
        client.current_api.log_events([event(n, session_id, metadata={"pad": "x" * 500}) for n in range(5)])
    filters = [{"field": "session_id", "operator": "is", "value": session_id, "type": "string"}]
    assert list(client.export_events(filters)) == []  # none stored


def test_the_request_log_counts_refusals_and_can_be_cleared(client, emulator):
    requests.put(f"{emulator.url}/_emulator/faults", json={"error_rate": 1.0},
                 headers={"Authorization": f"Bearer {emulator.api_key}"}, timeout=10).raise_for_status()  # fmt: skip
    with pytest.raises(Exception, match="503"):
        client.with_options(max_retries=0).current_api.log_events([event(0, str(uuid.uuid4()))])
    requests.put(f"{emulator.url}/_emulator/faults", json={"error_rate": 0.0},
                 headers={"Authorization": f"Bearer {emulator.api_key}"}, timeout=10).raise_for_status()  # fmt: skip
    assert counts(emulator)[("POST", "/events/batch")] == (1, 1)
    assert not any(path.startswith("/_emulator") for _, path in counts(emulator))  # its own controls: not counted
    request_log(emulator, "DELETE")
    assert counts(emulator) == {}
