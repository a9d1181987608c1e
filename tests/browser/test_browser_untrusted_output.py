"""Model output is inert in a real browser: HTML, <script>, remote Markdown images and javascript:
links in a completion neither run nor fetch anything, in the plain view and in the Markdown view."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from browser_support import choose_option, chromium_page, live_studio, open_app, wait_for_app_run

pytestmark = pytest.mark.browser
TASK = "Sandbox - Email Writer"


class _Beacon(BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 (shared on purpose: the test reads what the server saw)

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def beacon() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Beacon)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Beacon.hits.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def studio(tmp_path) -> Iterator[str]:
    with live_studio(tmp_path, reviewer="qa-sec", api_key="untrusted-test-key") as (url, _emulator):
        yield url


def test_html_scripts_images_and_javascript_links_stay_inert(studio, beacon):
    # The offline emulator echoes the prompt, so what the inputs hold comes back as the completion.
    payload = (
        f'<script>window.__pwned = 1</script> <img src="{beacon}/img-tag" onerror="window.__pwned = 2"> '
        f"![tracker]({beacon}/md-image.png) [click me](javascript:window.__pwned=3) "
        f'<a href="javascript:window.__pwned=4">html link</a> **bold** שלום 👋'
    )
    with chromium_page() as page:
        open_app(page, studio)
        choose_option(page, "Task", TASK)
        page.get_by_role("textbox", name="topic").fill(payload)
        page.get_by_role("textbox", name="tone").fill(f"![second]({beacon}/tone.png)")
        page.get_by_role("button", name="Run").click()
        wait_for_app_run(page)
        page.get_by_test_id("stCode").filter(has_text="window.__pwned = 1").first.wait_for()

        def assert_inert() -> None:
            page.wait_for_timeout(500)
            assert page.evaluate("window.__pwned") is None
            assert page.locator(f"img[src^='{beacon}']").count() == 0
            assert page.locator("a[href^='javascript:']").count() == 0
            assert _Beacon.hits == []

        assert_inert()
        assert page.get_by_text("שלום 👋").count() >= 1  # non-Latin text and emoji intact

        page.get_by_text("Markdown view").click()
        wait_for_app_run(page)
        page.get_by_text("[image: tracker]").first.wait_for()
        assert_inert()
        for link in page.get_by_role("link", name="click me").all():
            assert not (link.get_attribute("href") or "").startswith("javascript:")
