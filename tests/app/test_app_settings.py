"""Settings are read once and checked at start: a typo is a message on the page, not a traceback."""

from __future__ import annotations

import pytest
from apptest_support import studio_app, texts


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("HIVE_REVIEW_TIMEOUT", "60s", "HIVE_REVIEW_TIMEOUT is '60s': it must be a number from 1.0 to 3600.0"),
        (
            "HIVE_REVIEW_BATCH_MAX_ATTEMPTS",
            "five",
            "HIVE_REVIEW_BATCH_MAX_ATTEMPTS is 'five': it must be a whole number",
        ),
        (
            "HIVE_REVIEW_BATCH_CONCURRENCY",
            "64",
            "HIVE_REVIEW_BATCH_CONCURRENCY is '64': it must be a whole number from 1 to 32",
        ),
        ("HIVE_REVIEW_EMULATOR_PROVIDER", "gemma", "must be one of local, openai, offline"),
        ("HIVE_REVIEW_DATABASE_URL", "sessions.sqlite3", "HIVE_REVIEW_DATABASE_URL is not a database URL"),
    ],
)
def test_a_settings_typo_names_the_variable_and_the_expected_form(studio_env, monkeypatch, variable, value, expected):
    monkeypatch.setenv(variable, value)
    at = studio_app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [error] = at.error
    assert expected in error.value.replace("\\", "")  # the message is escaped Markdown: shown as typed
    assert "Fix these settings" in texts(at)
    assert not at.title  # no page is drawn on broken settings


def test_good_settings_draw_the_page(studio_env, monkeypatch):
    monkeypatch.setenv("HIVE_REVIEW_TIMEOUT", "12.5")
    monkeypatch.setenv("HIVE_REVIEW_BATCH_CONCURRENCY", "4")
    at = studio_app()
    at.run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Playground"
