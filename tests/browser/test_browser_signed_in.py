"""Who is reviewing, in a team: behind a proxy that signs users in (Streamlit's trusted user headers,
or ``st.login`` with ``[auth]`` in secrets), the reviewer id is the user's e-mail; nothing to type."""

from __future__ import annotations

import json

import pytest
from browser_support import chromium_page, live_studio, open_app

pytestmark = pytest.mark.browser


def test_the_signed_in_email_is_the_reviewer_id(tmp_path):
    trusted = {"STREAMLIT_SERVER_TRUSTED_USER_HEADERS": json.dumps({"X-Forwarded-Email": "email"})}
    with (
        live_studio(tmp_path, reviewer="", api_key="browser-team-key", extra_env=trusted) as (url, _emulator),
        chromium_page(headers={"X-Forwarded-Email": "dana@example.com"}) as page,
    ):
        open_app(page, url)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Reviewing as").wait_for()
        assert "dana@example.com" in sidebar.inner_text()
        assert sidebar.get_by_role("textbox", name="Reviewer id").count() == 0
        page.get_by_role("heading", name="Playground").wait_for()


def test_without_a_sign_in_the_reviewer_id_is_asked_for(tmp_path):
    with (
        live_studio(tmp_path, reviewer="", api_key="browser-team-key2") as (url, _emulator),
        chromium_page() as page,
    ):
        open_app(page, url)
        page.get_by_text("Who is reviewing?").wait_for()
        assert page.get_by_role("heading", name="Playground").count() == 0
        page.get_by_test_id("stSidebar").get_by_role("textbox", name="Reviewer id").fill("qa-yan")
        page.get_by_test_id("stSidebar").get_by_role("textbox", name="Reviewer id").press("Enter")
        page.get_by_role("heading", name="Playground").wait_for()
