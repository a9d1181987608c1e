"""Reading what production logged in HoneyHive (the emulator's seeded events and annotation queues)
into the session log, page by page, over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from hive_review import production
from hive_review.feedback.ratings import Rating
from hive_review.log import columns as col
from hive_review.production import ORIGIN, Selection, load_into_log, read_events
from hive_review.stores import Stores, open_stores
from honeyhive_api import HoneyHiveClient
from honeyhive_api.current_models import Event, EventFilter

EMAIL_QUEUE = "Email writer - production sample"
SLOW_QUEUE = "Slow ticket summaries"


@pytest.fixture
def client(emulator) -> HoneyHiveClient:
    return HoneyHiveClient(emulator.api_key, emulator.url)


@pytest.fixture
def stores(tmp_path) -> Stores:
    opened = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    yield opened
    opened.close()


def _queue(client: HoneyHiveClient, name: str):
    return next(queue for queue in client.list_queues() if queue.name == name)


def _exported(client: HoneyHiveClient, filters) -> list[Event]:
    return list(client.export_events(filters, page_size=1000))


def test_a_queue_s_events_become_log_rows_of_origin_production(client, stores):
    queue = _queue(client, EMAIL_QUEUE)
    expected = _exported(client, queue.filters.filterArray)
    session = stores.log.create_session("qa-alice")
    reading = read_events(client, Selection(queue=queue, limit=10))
    result = load_into_log(stores.log, reading.events, session_id=session.id, reviewer="qa-alice", batch_id="b")

    assert result.added == 10 and len(result.event_ids) == 10
    assert result.event_ids == [event.event_id for event in expected[:10]]  # oldest first, as exported
    first = expected[0]
    row = stores.log.get_entry(first.event_id)
    assert row[col.ORIGIN] == ORIGIN and row[col.GENERATION_ID] == first.event_id
    assert row[col.SESSION_ID] == session.id and row[col.BATCH_ID] == "b"
    assert row[col.TASK] == "Sandbox - Email Writer" and row[col.PROMPT_NAME] == "email-writer-v1"
    assert row[col.MODEL] == "gpt-3.5-turbo" and row[col.SOURCE] == "production"
    assert row[col.COMPLETION] == first.outputs["content"]
    assert row[col.LATENCY_MS] == pytest.approx(first.duration)
    assert row[col.PROMPT_TOKENS] == first.metadata["prompt_tokens"]
    assert row[col.COMPLETION_TOKENS] == first.metadata["completion_tokens"]
    assert row[col.TOTAL_TOKENS] == first.metadata["total_tokens"]
    assert row[col.COST] == pytest.approx(first.metadata["cost"])
    # The variables are the inputs; the rendered chat is the prompt, shown from the details.
    assert row[col.input_column("topic")] == first.inputs["topic"] and "input.chat_history" not in row
    assert row[col.FEEDBACK_STATUS] == "unrated"
    details = result.details[first.event_id]
    assert details.max_tokens == 160 and details.finish_reason == "stop"
    assert details.messages[-1][0] == "user" and first.inputs["topic"] in details.messages[-1][1]
    assert row[col.TIMESTAMP] == datetime.fromtimestamp(first.start_time / 1000, UTC).isoformat()


def test_events_are_read_page_by_page_up_to_the_limit(client, stores, monkeypatch):
    queue = _queue(client, SLOW_QUEUE)
    everything = [event.event_id for event in _exported(client, queue.filters.filterArray)]
    assert len(everything) > 7
    calls: list[int] = []
    export = client.export_events

    def counting(filters, **kwargs):
        calls.append(kwargs["page_size"])
        return export(filters, **kwargs)

    monkeypatch.setattr(production, "PAGE_SIZE", 4)
    monkeypatch.setattr(client, "export_events", counting)
    reading = read_events(client, Selection(queue=queue, limit=len(everything) + 5))
    assert [event.event_id for event in reading.events] == everything  # every page, in order, once
    assert calls == [4]  # one export, read in pages of 4 as it is iterated
    assert [event.event_id for event in read_events(client, Selection(queue=queue, limit=3)).events] == everything[:3]


def test_filter_by_event_name_and_date_range(client):
    tagline = _exported(client, [{"field": "event_name", "operator": "is", "value": "tagline-v1"}])
    assert tagline
    chosen = read_events(client, Selection(event_name="tagline-v1", limit=500)).events
    assert {event.event_id for event in chosen} == {event.event_id for event in tagline}
    assert all(event.event_type == "model" for event in chosen)

    latest = datetime.fromtimestamp(max(event.start_time for event in tagline) / 1000, UTC).date()
    one_day = read_events(client, Selection(event_name="tagline-v1", since=latest, until=latest, limit=500)).events
    assert one_day and all(datetime.fromtimestamp(event.start_time / 1000, UTC).date() == latest for event in one_day)
    future = latest + timedelta(days=2)
    assert read_events(client, Selection(event_name="tagline-v1", since=future, limit=500)).events == []


def test_no_feedback_yet_leaves_out_rated_events_and_mine_are_marked(client, stores):
    queue = _queue(client, EMAIL_QUEUE)
    first, second, third = (event.event_id for event in read_events(client, Selection(queue=queue, limit=3)).events)
    client.update_event(first, feedback={"rating": 2, "reviewer": "qa-alice"})
    client.update_event(second, feedback={"accepted": True, "reviewer": "qa-bob"})
    unrated = [event.event_id for event in read_events(client, Selection(queue=queue, limit=3)).events]
    assert first not in unrated and second not in unrated and unrated[0] == third

    every = read_events(client, Selection(queue=queue, limit=3, without_feedback=False)).events
    session = stores.log.create_session("qa-alice")
    result = load_into_log(stores.log, every, session_id=session.id, reviewer="qa-alice")
    assert result.event_ids == [first, second, third]
    assert result.rated_by_me == {first}  # qa-bob's feedback is not mine

    # Rated in the log (not yet on HoneyHive): marked too, and loading again keeps the rating.
    stores.feedback.save_rating(third, Rating(stars=5), reviewer="qa-alice", connection_id="c")
    again = load_into_log(stores.log, every, session_id=session.id, reviewer="qa-alice")
    assert again.added == 0 and again.rated_by_me == {first, third}
    assert stores.log.get_entry(third)[col.RATING] == 5


def test_a_queue_s_hand_added_events_come_first_and_missing_ones_are_reported(client, emulator):
    ticket = read_events(client, Selection(event_name="ticket-summary-v1", limit=1)).events[0]
    body = {
        "name": "Hand-picked",
        "filters": {"filterArray": [{"field": "event_name", "operator": "is", "value": "tagline-v1"}]},
        "event_ids": [ticket.event_id, "no-such-event"],
    }
    answer = requests.post(
        f"{emulator.url}/v1/queues", json=body, headers={"Authorization": f"Bearer {emulator.api_key}"}, timeout=10
    )
    answer.raise_for_status()
    queue = _queue(client, "Hand-picked")
    reading = read_events(client, Selection(queue=queue, limit=5))
    assert reading.events[0].event_id == ticket.event_id
    assert {event.event_name for event in reading.events[1:]} == {"tagline-v1"}
    assert reading.missing == ["no-such-event"]


def test_an_event_s_structured_inputs_and_outputs_stay_text(stores):
    event = Event(
        event_id="ev-1",
        event_type="model",
        event_name="router",
        config={"name": "router-v2", "model": "m", "hyperparameters": {"max_tokens": 64}, "tags": ["Routing"]},
        inputs={"question": "Where is ![x](http://127.0.0.1:9/x.png)?", "context": {"k": [1, 2]}, "n": 3},
        outputs={"tool_calls": [{"name": "lookup"}]},
        metadata={"usage": {"completion_tokens": 64}, "finish_reason": "length"},
    )
    entry = production.entry_from_event(event, session_id="s", reviewer="r")
    assert entry.task == "Routing" and entry.prompt_name == "router-v2" and entry.completion_tokens == 64
    question = "Where is ![x](http://127.0.0.1:9/x.png)?"
    assert entry.inputs == {"question": question, "context": '{"k": [1, 2]}', "n": "3"}
    assert entry.completion == '{"tool_calls": [{"name": "lookup"}]}'
    details = production.details_of(event)
    assert details.max_tokens == 64 and details.finish_reason == "length" and details.messages == ()


def test_filters_of_a_selection():
    assert Selection().filters() == [production.MODEL_EVENTS]
    named = Selection(event_name=" tagline-v1 ").filters()
    assert named[1] == EventFilter(field="event_name", operator="is", value="tagline-v1")
    day = datetime(2026, 1, 31, tzinfo=UTC).date()
    assert Selection(since=day, until=day).date_range() == {
        "$gte": "2026-01-31T00:00:00+00:00",
        "$lte": "2026-01-31T23:59:59.999000+00:00",
    }
