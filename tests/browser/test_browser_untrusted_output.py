"""What comes from outside is inert in a real browser. Model output: HTML, <script>, remote Markdown
images and javascript: links in a completion neither run nor fetch anything, in the plain view and
in the Markdown view. Names and files: a model, task, variant or variable name from HoneyHive, and
an ingested file's model column and completion, pointing Markdown images at a local beacon, make
the browser fetch nothing on any page that shows them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from browser_support import choose_option, chromium_page, live_studio, open_app, wait_for_app_run
from playwright.sync_api import Page, Request, expect

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
    server.server_close()


@pytest.fixture
def studio(tmp_path) -> Iterator[tuple[str, object]]:
    with live_studio(tmp_path, reviewer="qa-sec", api_key="untrusted-test-key") as running:
        yield running


class _BeaconWatch:
    """Every request the page makes to the beacon (seen by the browser as well as by the server),
    and every element that points at it."""

    def __init__(self, page: Page, beacon: str) -> None:
        self.page = page
        self.beacon = beacon
        self.requested: list[str] = []
        page.on("request", self._seen)

    def _seen(self, request: Request) -> None:
        if request.url.startswith(self.beacon):
            self.requested.append(request.url)

    def assert_inert(self) -> None:
        """Once a run has drawn the page: nothing points at the beacon, so nothing can fetch it."""
        wait_for_app_run(self.page)
        expect(self.page.locator(f"img[src^='{self.beacon}']")).to_have_count(0)
        expect(self.page.locator(f"[src^='{self.beacon}'], [srcset*='{self.beacon}']")).to_have_count(0)
        expect(self.page.locator("a[href^='javascript:']")).to_have_count(0)
        assert self.page.evaluate("window.__pwned") is None
        assert self.requested == []
        assert _Beacon.hits == []


def test_html_scripts_images_and_javascript_links_stay_inert(studio, beacon):
    url, _emulator = studio
    # The offline emulator echoes the prompt, so what the inputs hold comes back as the completion.
    payload = (
        f'<script>window.__pwned = 1</script> <img src="{beacon}/img-tag" onerror="window.__pwned = 2"> '
        f"![tracker]({beacon}/md-image.png) [click me](javascript:window.__pwned=3) "
        f'<a href="javascript:window.__pwned=4">html link</a> **bold** שלום 👋'
    )
    with chromium_page() as page:
        watch = _BeaconWatch(page, beacon)
        open_app(page, url)
        choose_option(page, "Task", TASK)
        page.get_by_role("textbox", name="topic").fill(payload)
        page.get_by_role("textbox", name="tone").fill(f"![second]({beacon}/tone.png)")
        page.get_by_role("button", name="Run").click()
        wait_for_app_run(page)
        page.get_by_test_id("stCode").filter(has_text="window.__pwned = 1").first.wait_for()
        watch.assert_inert()
        expect(page.get_by_test_id("stCode").filter(has_text="שלום 👋")).not_to_have_count(0)  # text intact

        # The switch itself is visually hidden under its label: click the widget, as a reader does.
        page.get_by_test_id("stCheckbox").filter(has=page.get_by_role("switch", name="Markdown view")).click()
        wait_for_app_run(page)
        page.get_by_test_id("stMarkdownContainer").filter(has_text="[image: tracker]").first.wait_for()
        watch.assert_inert()
        for link in page.get_by_role("link", name="click me").all():
            assert not (link.get_attribute("href") or "").startswith("javascript:")


def _go_to(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    wait_for_app_run(page)
    page.get_by_role("heading", name=title).first.wait_for()


def _hostile_task(emulator, beacon: str) -> str:
    """A task whose name, variants, variable and model hold Markdown images pointing at the beacon."""
    task = f"Review ![task]({beacon}/task.png)"
    headers = {"Authorization": f"Bearer {emulator.api_key}"}
    requests.post(f"{emulator.url}/tasks", json={"name": task}, headers=headers, timeout=10).raise_for_status()
    for number, name in enumerate((f"![one]({beacon}/one.png)", f"[two]({beacon}/two) ![2]({beacon}/2.png)"), 1):
        requests.post(
            f"{emulator.url}/prompts",
            json={"task": task, "name": name, "text": "Write about {{topic}}.", "version": str(number),
                  "model": f"m` ![model]({beacon}/prompt-model.png) `", "is_deployed": number == 1,
                  "input_variables": [f"![variable]({beacon}/variable.png)"]},
            headers=headers,
            timeout=10,
        ).raise_for_status()  # fmt: skip
    return task


def test_names_models_and_ingested_files_make_the_browser_fetch_nothing(studio, beacon, tmp_path: Path):
    url, emulator = studio
    hostile_task = _hostile_task(emulator, beacon)
    completions = tmp_path / "completions.csv"
    completions.write_text(
        "completion,model,input.topic\n"
        f'"![completion]({beacon}/completion.png) [link]({beacon}/link)",'
        f'"gpt` ![model]({beacon}/model.png) `x",'
        f'"![topic]({beacon}/topic.png)"\n'
    )
    with chromium_page() as page:
        watch = _BeaconWatch(page, beacon)
        open_app(page, f"{url}/ingest")
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(completions))
        wait_for_app_run(page)
        page.get_by_role("button", name="Log 1 completions").click()
        wait_for_app_run(page)
        page.get_by_test_id("stAlert").filter(has_text="Logged 1 completions").wait_for()
        # The model is shown, exactly as the file has it, and the completion as text.
        expect(page.get_by_test_id("stCaptionContainer").filter(has_text="![model](")).to_have_count(1)
        expect(page.get_by_test_id("stCode").filter(has_text="![completion](")).to_have_count(1)
        watch.assert_inert()

        for title in ("Session log", "Numbers", "Review queue"):
            _go_to(page, title)
            watch.assert_inert()
        expect(page.get_by_test_id("stCode").filter(has_text="![completion](")).to_have_count(1)  # queued

        _go_to(page, "Playground")
        choose_option(page, "Task", hostile_task)
        page.get_by_test_id("stExpander").filter(has_text="![one](").first.wait_for()
        watch.assert_inert()
        _go_to(page, "Compare")
        choose_option(page, "Task", hostile_task)
        page.get_by_role("button", name="Run 2 variants").wait_for()
        watch.assert_inert()
        _go_to(page, "Batch")
        choose_option(page, "Task", hostile_task)
        watch.assert_inert()
