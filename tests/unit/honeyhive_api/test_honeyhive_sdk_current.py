"""HoneyHive's current published SDK (``honeyhive==1.7.0``, unchanged) against the emulator's current API:
configurations, sessions, events logged, updated twice (merged) and exported, and the refusals."""

from __future__ import annotations

import pytest
import requests
from honeyhive import HoneyHive
from honeyhive._generated.api_config import HTTPException
from honeyhive._generated.models import LegacyPostEventRequest, LegacyPostEventRequestEvent, LegacyUpdateEventRequest

TASK = "Sandbox - Email Writer"


@pytest.fixture
def hh(emulator) -> HoneyHive:
    return HoneyHive(api_key=emulator.api_key, base_url=emulator.url)


def test_configurations_list_has_each_tasks_prod_and_staging_prompt_as_chat_templates(hh):
    configurations = hh.configurations.list()
    assert len(configurations) >= 7
    email = [c for c in configurations if TASK in c.tags]
    assert [c.name for c in email if "prod" in c.env] == ["email-writer-v1"]
    assert [c.name for c in email if "staging" in c.env] == ["email-writer-v2-concise"]
    deployed = next(c for c in email if "prod" in c.env)
    assert deployed.parameters.call_type == "chat"
    assert deployed.parameters.model == "gpt-3.5-turbo"
    assert [message.role for message in deployed.parameters.template] == ["system", "user"]
    assert "{{ topic }}" in deployed.parameters.template[1].content


def test_a_session_an_event_two_updates_merged_and_the_export_by_session(hh, emulator):
    session = hh.sessions.start({"session": {"session_name": "qa-review", "source": "sdk-test"}})
    assert session.session_id and session.event_id == session.session_id and session.project_id

    created = hh.events.create(
        LegacyPostEventRequest(
            event=LegacyPostEventRequestEvent(
                event_type="model",
                event_name="email-writer-v1",
                source="sdk-test",
                session_id=session.session_id,
                config={"model": "gpt-3.5-turbo", "provider": "openai"},
                inputs={"topic": "the fire drill", "tone": "calm"},
                outputs={"role": "assistant", "content": "Hi all, the fire drill is at 10am."},
                duration=812.0,
            )
        )
    )
    assert created.success and created.event_id

    hh.events.update(LegacyUpdateEventRequest(event_id=created.event_id, feedback={"rating": 4}))
    hh.events.update(
        LegacyUpdateEventRequest(event_id=created.event_id, feedback={"accepted": True}, metadata={"reviewer": "qa-1"})
    )

    exported = hh.events.export(
        filters=[{"field": "session_id", "operator": "is", "value": session.session_id, "type": "string"}]
    )
    assert exported.total_events == 2
    by_type = {event.event_type: event for event in exported.events}
    assert set(by_type) == {"session", "model"}
    model = by_type["model"]
    assert model.event_id == created.event_id
    assert model.feedback == {"rating": 4, "accepted": True}
    assert model.metadata == {"reviewer": "qa-1"}
    assert model.outputs["content"].startswith("Hi all")
    assert model.parent_id == session.session_id

    deliveries = requests.get(
        f"{emulator.url}/_emulator/feedback-events",
        params={"event_id": created.event_id},
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=10,
    ).json()
    assert [d["feedback"] for d in deliveries] == [{"rating": 4}, {"accepted": True}]


def test_an_update_of_an_unknown_event_is_refused_naming_it(hh):
    with pytest.raises(HTTPException) as refused:
        hh.events.update(LegacyUpdateEventRequest(event_id="no-such-event", feedback={"rating": 1}))
    assert refused.value.status_code == 404
    assert "no-such-event" in str(refused.value)


def test_a_wrong_key_is_refused(emulator):
    wrong = HoneyHive(api_key="not-the-key", base_url=emulator.url)
    with pytest.raises(HTTPException) as refused:
        wrong.configurations.list()
    assert refused.value.status_code == 401
    assert "API key" in str(refused.value)
    assert emulator.api_key not in str(refused.value)
