"""What a fresh emulator holds for the current API: the tasks' prompts as configurations, logged
production events without feedback, and annotation queues over them; deterministic, seeded once."""

from __future__ import annotations

import sqlite3
import time

import requests
import yaml

from honeyhive_api.emulator.config import SEED_PATH
from honeyhive_api.templates import template_variables

SEED = yaml.safe_load(SEED_PATH.read_text(encoding="utf-8"))
MODEL_EVENTS = [{"field": "event_type", "operator": "is", "value": "model", "type": "string"}]


def call(emulator, method: str, path: str, **kwargs) -> requests.Response:
    headers = {"Authorization": f"Bearer {emulator.api_key}"}
    return requests.request(method, f"{emulator.url}{path}", headers=headers, timeout=30, **kwargs)


def export(emulator, filters: list[dict], limit: int = 7500) -> dict:
    answer = call(emulator, "POST", "/v1/events/export", json={"filters": filters, "limit": limit})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_every_tasks_prompts_are_configurations_deployed_to_prod_and_staging(emulator):
    configurations = call(emulator, "GET", "/v1/configurations").json()["configurations"]
    for task in SEED["tasks"]:
        mine = {c["name"]: c for c in configurations if c["tags"] == [task["name"]]}
        assert set(mine) == {prompt["name"] for prompt in task["prompts"]}
        deployed = next(p["name"] for p in task["prompts"] if p.get("deployed"))
        assert [name for name, c in mine.items() if "prod" in c["env"]] == [deployed]
        assert len([name for name, c in mine.items() if "staging" in c["env"]]) == 1
        for prompt in task["prompts"]:
            parameters = mine[prompt["name"]]["parameters"]
            assert parameters["call_type"] == "chat" and parameters["model"] == prompt["model"]
            system, user = parameters["template"]
            assert system["role"] == "system" and system["content"] == task["system"]
            assert user["role"] == "user"
            variables = template_variables(prompt["text"])
            assert variables and template_variables(user["content"]) == variables
            assert all(f"{{{{ {name} }}}}" in user["content"] for name in variables)


def test_logged_production_events_are_realistic_spread_over_days_and_without_feedback(emulator):
    found = export(emulator, MODEL_EVENTS)
    events = found["events"]
    assert found["totalEvents"] == len(events) == SEED["logged_events"]["count"]
    assert all(event["feedback"] == {} for event in events)
    now = time.time() * 1000
    days = SEED["logged_events"]["days"]
    starts = [event["start_time"] for event in events]
    assert all(now - (days + 1) * 86_400_000 < start <= now for start in starts)
    assert max(starts) - min(starts) > (days / 2) * 86_400_000
    assert {event["config"]["env"] for event in events} == {"prod", "staging"}
    for event in events:
        assert event["source"] == "production" and event["outputs"]["content"].strip()
        assert event["inputs"]["chat_history"][-1]["role"] == "user"
        assert "{{" not in event["inputs"]["chat_history"][-1]["content"]  # rendered
        assert (
            event["metadata"]["total_tokens"]
            == event["metadata"]["prompt_tokens"] + event["metadata"]["completion_tokens"]
        )
        assert event["duration"] > 0 and event["end_time"] > event["start_time"]
        assert event["user_properties"]["user_id"].startswith("user-")
    sessions = {event["session_id"] for event in events}
    assert 1 < len(sessions) < len(events)
    some_session = next(iter(sessions))
    [session] = export(emulator, [{"field": "event_id", "operator": "is", "value": some_session}])["events"]
    assert session["event_type"] == "session"
    assert sorted(session["children_ids"]) == sorted(e["event_id"] for e in events if e["session_id"] == some_session)


def test_the_seed_is_deterministic(emulator_factory):
    def contents(server) -> list[tuple]:
        events = export(server, MODEL_EVENTS)["events"]
        return [(e["event_id"], e["session_id"], e["inputs"], e["outputs"], e["duration"]) for e in events]

    def ids(server, resource: str) -> list[str]:
        return [item["id"] for item in call(server, "GET", f"/v1/{resource}").json()[resource]]

    first, second = emulator_factory(), emulator_factory()
    assert contents(first) == contents(second)
    assert ids(first, "configurations") == ids(second, "configurations")
    assert ids(first, "queues") == ids(second, "queues")


def test_two_queues_select_some_of_the_logged_events(emulator):
    queues = call(emulator, "GET", "/v1/queues").json()["queues"]
    assert [q["name"] for q in queues] == [q["name"] for q in SEED["queues"]]
    total = SEED["logged_events"]["count"]
    for queue in queues:
        assert queue["enabled"] and queue["description"]
        selected = export(emulator, queue["filters"]["filterArray"])
        assert 0 < selected["totalEvents"] < total, queue["name"]
        assert all(event["event_type"] == "model" for event in selected["events"])
    email, slow = (export(emulator, q["filters"]["filterArray"])["events"] for q in queues)
    assert {e["config"]["name"] for e in email} == {"email-writer-v1"}
    assert all(e["duration"] > 2500 and e["metadata"]["task"] == "Support - Ticket Summarizer" for e in slow)


def test_each_part_is_seeded_once(emulator_factory, tmp_path):
    db = str(tmp_path / "seeded.sqlite3")
    first = emulator_factory(db_path=db)
    queues = call(first, "GET", "/v1/queues").json()["queues"]
    assert call(first, "DELETE", f"/v1/queues/{queues[0]['id']}").ok
    first.stop()
    # A database from before configurations existed: their table is empty and not marked seeded.
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM configurations")
        connection.execute("DELETE FROM seed_state WHERE part = 'configurations'")
    second = emulator_factory(db_path=db)
    assert len(call(second, "GET", "/v1/queues").json()["queues"]) == len(queues) - 1  # stays deleted
    assert len(call(second, "GET", "/v1/configurations").json()["configurations"]) == sum(
        len(task["prompts"]) for task in SEED["tasks"]
    )
    assert export(second, MODEL_EVENTS, limit=1)["totalEvents"] == SEED["logged_events"]["count"]
