"""A real browser against a real ``streamlit run app.py``, in the manner of Streamlit's own
``e2e_playwright`` suite: a server on a free port, readiness through ``/_stcore/health``, and
locators by ``data-testid`` and ARIA role only.

Playwright drives Debian's ``/usr/bin/chromium``; it never downloads a browser.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("HIVE_REVIEW_CHROMIUM", "/usr/bin/chromium"))
# Without these, Chromium tries to reach Google's services at start, which this network refuses.
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def streamlit_server(env: dict[str, str], log_path: Path, port: int | None = None) -> Iterator[str]:
    port = port or free_port()  # given when the URL must be known before the start (an OIDC redirect_uri)
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log_path.open("wb") as log_file:
        # The log goes to a file: a pipe nobody reads can fill up and stall the server.
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=log_file, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"streamlit exited early:\n{log_path.read_text(errors='replace')}")
                try:
                    if requests.get(f"{url}/_stcore/health", timeout=1).text == "ok":
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start:\n{log_path.read_text(errors='replace')}")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def chromium_page(headers: dict[str, str] | None = None) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/setup --dev does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1400, "height": 1000}, extra_http_headers=headers or {}
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def wait_for_app_run(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the script is connected and has finished running (Streamlit's own helper does this)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)


def open_app(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.get_by_test_id("stAppViewContainer").wait_for()
    wait_for_app_run(page)


def choose_option(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick ``option`` in the selectbox whose label is ``label``. After the run in progress: a run that
    ends while the list is open draws the box again, and the list closes before the option is clicked."""
    wait_for_app_run(page)
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    # In view first: the list opened by a click that also scrolls the page closes with the scroll.
    box.scroll_into_view_if_needed()
    box.get_by_role("combobox").click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app_run(page)


@contextmanager
def live_studio(
    tmp: Path,
    *,
    reviewer: str,
    api_key: str,
    api: str = "tasks",
    extra_env: dict[str, str] | None = None,
    port: int | None = None,
    **emulator: Any,
) -> Iterator[tuple[str, Any]]:
    """An emulator (offline provider, SQLite in ``tmp``) and ``streamlit run app.py`` configured for
    it through the environment, as a user would; yields the studio's URL and the emulator."""
    from honeyhive_api.emulator import EmulatorConfig, EmulatorServer

    config = EmulatorConfig(api_key=api_key, db_path=str(tmp / "emulator.sqlite3"), provider="offline", **emulator)
    with EmulatorServer(config) as server:
        env = {
            "HONEYHIVE_API_KEY": server.api_key,
            "HONEYHIVE_API": api,
            "HONEYHIVE_BASE_URL": server.url,
            "HIVE_REVIEW_DATABASE_URL": f"sqlite:///{tmp / 'sessions.sqlite3'}",
            "HIVE_REVIEW_REVIEWER": reviewer,
        }
        if api != "tasks":  # the current API runs prompts on a model endpoint: the emulator's own
            env["HIVE_REVIEW_MODEL_BASE_URL"] = f"{server.url}/v1"
            env["HIVE_REVIEW_MODEL_API_KEY"] = server.api_key
        env.update(extra_env or {})
        with streamlit_server(env, tmp / "streamlit.log", port) as url:
            yield url, server
