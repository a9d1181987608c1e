"""The connection panel: credentials in the base URL are refused, and never shown."""

from __future__ import annotations

import pytest
from apptest_support import studio_app, texts

SECRET = "sk-canary-in-the-url-5f1e2d"


def _everything_shown(at) -> str:
    shown = [texts(at)]
    for kind in ("error", "caption", "markdown"):
        shown.extend(str(element.value) for element in getattr(at.sidebar, kind))
    return "\n".join(shown)


@pytest.mark.parametrize("shape", ["http://user:{secret}@{host}/", "{scheme}://{host}/?api_key={secret}"])
def test_a_key_in_the_base_url_is_refused_with_a_message_and_never_shown(studio_env, monkeypatch, shape):
    scheme, host = studio_env.url.split("://")
    monkeypatch.setenv("HONEYHIVE_BASE_URL", shape.format(secret=SECRET, host=host, scheme=scheme))
    at = studio_app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _everything_shown(at)
    assert at.error, shown
    assert SECRET not in shown
    assert "HONEYHIVE_API_KEY" in shown.replace("\\", "")  # the fix: give the key as the key
    assert not at.title  # no page runs on a refused connection


def test_the_reviewer_id_is_asked_for_on_first_use_never_anonymous(studio_env, monkeypatch):
    monkeypatch.delenv("HIVE_REVIEW_REVIEWER")
    at = studio_app()
    at.run()
    assert not at.exception
    assert "Who is reviewing?" in texts(at)
    assert not at.title  # no page, so nothing is run or rated as "anonymous"
    at.sidebar.text_input(key="connection.reviewer").set_value("qa-zoe").run()
    assert at.title[0].value == "Playground"
    assert at.query_params["reviewer"] == ["qa-zoe"] or at.query_params["reviewer"] == "qa-zoe"
