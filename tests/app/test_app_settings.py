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


def test_a_database_from_a_newer_version_is_a_message_not_a_traceback(studio_env, tmp_path, monkeypatch):
    import sqlalchemy as sa

    from hive_review.stores import open_stores

    url = f"sqlite:///{tmp_path / 'newer.sqlite3'}"
    open_stores(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as db:
        db.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    engine.dispose()
    monkeypatch.setenv("HIVE_REVIEW_DATABASE_URL", url)
    at = studio_app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    message = " ".join(e.value for e in at.error).replace("\\", "")
    assert "cannot be used" in message and "9999_from_the_future" in message and "Upgrade Hive Review" in message
    assert not at.title
