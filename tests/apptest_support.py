"""Helpers for driving the studio with Streamlit's AppTest against a real emulator over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "studio.py"  # the script every session runs; app.py serves it (st.App)
DEFAULT_PAGE = "playground"
# The first run imports pandas, pyarrow and altair and starts the outbox; later runs are quick.
TIMEOUT = 60


def studio_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def open_page(at: AppTest, page: str) -> AppTest:
    """Run the entry point once (so st.navigation knows the pages), then switch to ``page``."""
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page != DEFAULT_PAGE:  # the first run already shows the default page
        at.switch_page(f"pages/{page}.py")
        at.run()
    return at


def texts(at: AppTest) -> str:
    """Everything the page says in text elements, for assertions on messages."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "code", "title", "subheader"):
        parts.extend(str(element.value) for element in getattr(at, kind))
    for element in at.sidebar.markdown:
        parts.append(str(element.value))
    return "\n".join(parts)


@pytest.fixture
def studio_env(emulator, tmp_path, monkeypatch):
    """Point the studio at a test emulator and a fresh SQLite file, through the real settings path
    (environment variables), as a user would configure it."""
    monkeypatch.setenv("HONEYHIVE_API_KEY", emulator.api_key)
    # The task API (the product note's proxy): these flows check its routes. current_studio_env runs
    # the same studio on HoneyHive's current API.
    monkeypatch.setenv("HONEYHIVE_API", "tasks")
    monkeypatch.setenv("HONEYHIVE_BASE_URL", emulator.url)
    monkeypatch.setenv("HIVE_REVIEW_DATABASE_URL", f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    monkeypatch.setenv("HIVE_REVIEW_REVIEWER", "qa-alice")
    monkeypatch.delenv("HIVE_REVIEW_LABELS", raising=False)
    monkeypatch.chdir(tmp_path)  # AppTest reads .streamlit/secrets.toml relative to the CWD
    return emulator
