"""The sidebar's HoneyHive connection through AppTest: with no key it shows the local emulator as the
endpoint in use and no base URL field; a typed key brings the field (HoneyHive's own address first),
and what is typed there is where the studio connects."""

from __future__ import annotations

from apptest_support import studio_app

from ui.state import PLAYGROUND, Keys

TASK = "Sandbox - Email Writer"


def _sidebar_captions(at) -> str:
    return "\n".join(str(caption.value) for caption in at.sidebar.caption)


def test_no_key_shows_the_emulator_in_use_and_a_typed_key_brings_the_base_url_field(studio_env, monkeypatch, tmp_path):
    monkeypatch.delenv("HONEYHIVE_API_KEY")
    monkeypatch.delenv("HONEYHIVE_BASE_URL")
    monkeypatch.setenv("HIVE_REVIEW_EMULATOR_PROVIDER", "offline")
    monkeypatch.setenv("HIVE_REVIEW_EMULATOR_DB", str(tmp_path / "own-emulator.sqlite3"))
    at = studio_app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Endpoint in use: `http://127.0.0.1:" in _sidebar_captions(at)
    assert Keys.BASE_URL_INPUT not in [field.key for field in at.sidebar.text_input]

    at.sidebar.text_input(key=Keys.API_KEY_INPUT).set_value(studio_env.api_key).run()
    field = at.sidebar.text_input(key=Keys.BASE_URL_INPUT)
    assert field.value == "https://api.honeyhive.ai"  # HoneyHive's own, for the key typed
    assert "Endpoint in use" not in _sidebar_captions(at)
    field.set_value(studio_env.url).run()  # the test emulator stands in for HoneyHive
    assert not at.exception, [e.value for e in at.exception]
    assert not at.sidebar.success  # no local emulator badge: the typed connection is used
    assert at.selectbox(key=PLAYGROUND.task).value == TASK
