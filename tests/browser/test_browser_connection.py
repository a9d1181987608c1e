"""The sidebar tells the truth about the endpoint (1440×900): with no API key the studio runs on its
own local emulator, and the sidebar shows that emulator's loopback address as the endpoint in use;
no field or line reads as HoneyHive's address while the emulator answers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browser_support import chromium_page, open_app, streamlit_server
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1440, "height": 900}
LOOPBACK = re.compile(r"http://127\.0\.0\.1:\d+")


@pytest.fixture(scope="module")
def keyless_studio(tmp_path_factory) -> Iterator[str]:
    """``streamlit run app.py`` with no HoneyHive key anywhere: it starts the local emulator itself."""
    tmp = tmp_path_factory.mktemp("keyless")
    env = {
        "HONEYHIVE_API_KEY": "",  # empty counts as unset (the test's own environment may hold one)
        "HONEYHIVE_BASE_URL": "",
        "HONEYHIVE_API": "tasks",
        "HIVE_REVIEW_EMULATOR_PROVIDER": "offline",
        "HIVE_REVIEW_EMULATOR_DB": str(tmp / "own-emulator.sqlite3"),
        "HIVE_REVIEW_DATABASE_URL": f"sqlite:///{tmp / 'sessions.sqlite3'}",
        "HIVE_REVIEW_REVIEWER": "qa-endpoint",
    }
    with streamlit_server(env, tmp / "streamlit.log") as url:
        yield url


def test_without_a_key_the_sidebar_shows_the_emulator_in_use_not_honeyhive(keyless_studio):
    with chromium_page() as page:
        page.set_viewport_size(LAPTOP)
        open_app(page, keyless_studio)
        sidebar = page.get_by_test_id("stSidebar")
        in_use = sidebar.get_by_test_id("stCaptionContainer").filter(has_text="Endpoint in use")
        expect(in_use).to_be_visible()
        endpoint = LOOPBACK.search(in_use.inner_text())
        assert endpoint is not None, in_use.inner_text()
        # The badge names the same emulator.
        expect(sidebar.get_by_test_id("stAlert").filter(has_text="Local HoneyHive emulator")).to_contain_text(
            endpoint.group(0)
        )
        # Nothing in the sidebar, typed or written, reads as HoneyHive's address.
        assert "api.honeyhive.ai" not in sidebar.inner_text()
        values = [field.input_value() for field in sidebar.locator("input").all()]
        assert not any("honeyhive.ai" in value for value in values), values
        assert sidebar.get_by_role("textbox", name=re.compile("base URL", re.IGNORECASE)).count() == 0
