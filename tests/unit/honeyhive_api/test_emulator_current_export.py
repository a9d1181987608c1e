"""The emulator's event export over real HTTP: filters on dotted fields, dates, search, projections
and pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from emulator_current_support import SESSION_FILTER, assert_honeyhive_error, call, export, log_events, new_session


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
