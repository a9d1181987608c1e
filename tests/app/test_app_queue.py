"""The review queue through AppTest: what produced each completion, one form with one clear state,
messages beside their action, keys applied in order, and production events read from HoneyHive."""

from __future__ import annotations

import time

import pytest
from apptest_support import open_page, studio_app, texts
from page_checks import emulator_api, shown, shown_generation_ids

from hive_review.production import Selection, load_into_log, read_events
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient
from ui.review_queue import KEYBOARD, PRODUCTION_EVENTS, SUBMIT
from ui.state import REVIEW_QUEUE, rating_key

EMAIL_QUEUE = "Email writer - production sample"


@pytest.fixture
def studio_env(studio_env, monkeypatch):
    """The studio on HoneyHive's current API: production events are read through it."""
    monkeypatch.setenv("HONEYHIVE_API", "current")
    return studio_env


def _client(emulator) -> HoneyHiveClient:
    return HoneyHiveClient(emulator.api_key, emulator.url)


def _email_queue(emulator):
    return next(queue for queue in _client(emulator).list_queues() if queue.name == EMAIL_QUEUE)


def _reviewer(tmp_path) -> tuple[str, str]:
    """The review session the studio opened (and its reviewer: the signed-in user, or the id typed)."""
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        session = stores.log.list_sessions()[0]
        return session.id, session.reviewer
    finally:
        stores.close()


def _seed(emulator, tmp_path, count: int) -> list[str]:
    """``count`` production events in the studio's review session (as Load would put them there)."""
    session_id, reviewer = _reviewer(tmp_path)
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        events = read_events(_client(emulator), Selection(queue=_email_queue(emulator), limit=count)).events
        return load_into_log(stores.log, events, session_id=session_id, reviewer=reviewer).event_ids
    finally:
        stores.close()


def _feedback(emulator, event_id: str, until=lambda fb: "rating" in fb, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        feedback = emulator_api(emulator, "GET", f"/v1/events/{event_id}").json()["event"].get("feedback") or {}
        if until(feedback) or time.monotonic() > deadline:
            return feedback
        time.sleep(0.1)


def _progress(at) -> str:
    return at.get("progress")[0].proto.text


def _queue(studio_env, tmp_path, count: int):
    at = open_page(studio_app(), "review_queue")
    ids = _seed(studio_env, tmp_path, count)
    at.run().button(key=REVIEW_QUEUE.rebuild).click().run()  # the queue was built empty at first
    assert not at.exception, [e.value for e in at.exception]
    return at, ids


def test_the_queue_shows_what_produced_the_completion(studio_env, tmp_path):
    at, ids = _queue(studio_env, tmp_path, 2)
    event = _client(studio_env).get_event(ids[0])
    assert at.toggle(key=REVIEW_QUEUE.blind).value is True
    at.toggle(key=REVIEW_QUEUE.blind).set_value(False).run()
    said = "\n".join(shown(str(c.value)) for c in at.caption)
    assert "Task Sandbox - Email Writer · Prompt email-writer-v1" in said and "Model gpt-3.5-turbo" in said
    values = [t.value for t in at.text]
    assert event.inputs["topic"] in values and event.inputs["tone"] in values  # inputs, as text
    assert event.inputs["chat_history"][-1]["content"] in values  # the prompt the model was sent
    assert "Cut off at max tokens" not in texts(at)  # 38 of 160 tokens, finish_reason "stop"
    assert shown_generation_ids(at) == [ids[0]]


def test_blind_review_hides_the_variant_until_the_item_is_rated(studio_env, tmp_path):
    at, ids = _queue(studio_env, tmp_path, 2)
    event = _client(studio_env).get_event(ids[0])
    assert at.toggle(key=REVIEW_QUEUE.blind).value is True  # commit, then reveal, unless turned off
    said = "\n".join(shown(str(c.value)) for c in at.caption)
    assert "Variant hidden until you submit" in said
    assert "email-writer-v1" not in said and "gpt-3.5-turbo" not in said and "Task Sandbox - Email Writer" in said
    values = [t.value for t in at.text]
    assert event.inputs["topic"] in values and event.inputs["tone"] in values  # the inputs stay in view
    assert event.inputs["chat_history"][-1]["content"] not in values
    at.feedback(key=rating_key(ids[0], "thumbs")).set_value(1).run()
    assert "email-writer-v1" not in "\n".join(shown(str(c.value)) for c in at.caption)  # a draft reveals nothing
    at.button(key=SUBMIT).click().run()
    assert not at.exception, [e.value for e in at.exception]
    said = "\n".join(shown(str(c.value)) for c in at.caption)
    assert "Prompt email-writer-v1" in said and "Model gpt-3.5-turbo" in said, said
    assert event.inputs["chat_history"][-1]["content"] in [t.value for t in at.text]


def test_one_form_rates_and_complete_and_next_sends_it_to_the_event(studio_env, tmp_path):
    at, ids = _queue(studio_env, tmp_path, 3)
    assert "Item 1 of 3" in _progress(at)
    labels = {b.label for b in at.button}
    assert not labels & {"Up", "Down", "1★", "4★"}, labels  # no second set of rating buttons
    assert "Your rating: none yet" in shown(texts(at))
    at.feedback(key=rating_key(ids[0], "thumbs")).set_value(1).run()
    at.feedback(key=rating_key(ids[0], "stars")).set_value(3).run()
    assert "Your rating: 👍 up · ★★★★☆ · not submitted yet" in shown(texts(at))
    at.button(key=REVIEW_QUEUE.complete_and_next).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Item 2 of 3" in _progress(at) and "1 done" in _progress(at)
    assert shown_generation_ids(at) == [ids[1]]
    feedback = _feedback(studio_env, ids[0])
    assert feedback["accepted"] is True and feedback["rating"] == 4
    assert feedback["reviewer"] == _reviewer(tmp_path)[1]
    at.button(key=REVIEW_QUEUE.skip).click().run()
    assert "Item 3 of 3" in _progress(at)
    at.button(key=REVIEW_QUEUE.back).click().run()
    at.button(key=REVIEW_QUEUE.back).click().run()
    assert shown_generation_ids(at) == [ids[0]] and "Your rating: 👍 up · ★★★★☆" in shown(texts(at))


def test_complete_and_next_without_a_rating_says_so_beside_it_and_stays(studio_env, tmp_path):
    at, ids = _queue(studio_env, tmp_path, 2)
    at.button(key=REVIEW_QUEUE.complete_and_next).click().run()
    assert "Item 1 of 2" in _progress(at)
    [warning] = [w.value for w in at.main.warning]
    assert warning.startswith("Nothing to send yet")
    assert not at.toast
    at.feedback(key=rating_key(ids[0], "thumbs")).set_value(0).run()
    assert not at.main.warning  # a new rating clears the message


def _press(at, keys: str, seq: list[int]):
    """What the key component sends: every key since the last one Python acknowledged."""
    pressed = [[seq[0] + n + 1, key] for n, key in enumerate(keys)]
    seq[0] += len(keys)
    at.session_state[KEYBOARD] = {"epoch": "test", "keys": pressed}
    return at.run()


def test_keys_apply_in_order_however_many_arrive_in_one_run(studio_env, tmp_path):
    at, ids = _queue(studio_env, tmp_path, 3)
    seq = [0]
    at = _press(at, "u4nd2n", seq)  # two items rated in one run
    assert not at.exception, [e.value for e in at.exception]
    assert "Item 3 of 3" in _progress(at) and "2 done" in _progress(at)
    first, second = _feedback(studio_env, ids[0]), _feedback(studio_env, ids[1])
    assert (first["accepted"], first["rating"]) == (True, 4)
    assert (second["accepted"], second["rating"]) == (False, 2)
    at = _press(at, "bb", seq)
    assert shown_generation_ids(at) == [ids[0]]
    at = _press(at, "n", seq)  # the stored rating is sent again as it is, and the queue moves on
    assert shown_generation_ids(at) == [ids[1]]
    at = _press(at, "s5", seq)  # a key after a move applies to the item moved to
    assert "Your rating: ★★★★★ · not submitted yet" in shown(texts(at))
    assert shown_generation_ids(at) == [ids[2]]


def test_production_events_are_loaded_from_an_annotation_queue_and_mine_are_marked(studio_env, tmp_path):
    at = open_page(studio_app(), "review_queue")
    client = _client(studio_env)
    first = read_events(client, Selection(queue=_email_queue(studio_env), limit=1)).events[0].event_id
    client.update_event(first, feedback={"rating": 5, "reviewer": _reviewer(tmp_path)[1]})
    at.selectbox(key=REVIEW_QUEUE.source).set_value(PRODUCTION_EVENTS).run()
    assert at.selectbox(key=REVIEW_QUEUE("q")).value  # the first queue is chosen
    at.checkbox(key=REVIEW_QUEUE("unrated")).uncheck()
    at.number_input(key=REVIEW_QUEUE("limit")).set_value(3)
    at.button(key=REVIEW_QUEUE("load")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "3 events loaded, 1 of them already rated by you" in shown(texts(at))
    assert "Item 1 of 3" in _progress(at) and shown_generation_ids(at) == [first]
    assert "Already rated by you" in texts(at)  # st.badge is drawn as Markdown


def test_the_production_source_needs_the_current_api(studio_env, monkeypatch):
    monkeypatch.setenv("HONEYHIVE_API", "tasks")
    at = open_page(studio_app(), "review_queue")
    assert PRODUCTION_EVENTS not in at.selectbox(key=REVIEW_QUEUE.source).options


@pytest.mark.parametrize("keys", [[], [[1, "x"]], [["a", "u"]], None])
def test_malformed_key_states_are_ignored(keys):
    from ui.queue_keys import take_keys

    applied = {"epoch": None, "seq": 0}
    assert list(take_keys({"epoch": "e", "keys": keys}, applied)) == []
    assert list(take_keys({"epoch": "e", "keys": [[2, "u"], [3, "n"]]}, applied)) == ["u", "n"]
    assert list(take_keys({"epoch": "e", "keys": [[2, "u"], [3, "n"], [4, "b"]]}, applied)) == ["b"]
    assert list(take_keys({"epoch": "reloaded", "keys": [[1, "s"]]}, applied)) == ["s"]
