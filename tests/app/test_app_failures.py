"""A failing HoneyHive is a message that says what happened and what to do, never an exception box:
a gateway answering 502 to ``GET /prompts`` on the Playground, Compare and Batch pages, a failed
task listing, and the message for each kind of failure."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from apptest_support import open_page, studio_app
from page_checks import links_or_images, shown
from streamlit.testing.v1 import AppTest

from honeyhive_api import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    HoneyHiveError,
    MalformedResponseError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from ui.failures import failure_message
from ui.state import BATCH, COMPARE, PLAYGROUND, PageKeys

TASK = "Sandbox - Email Writer"
# What a misbehaving gateway might say; HoneyHive's words are shown, so they must stay inert.
GATEWAY_ANSWER = b'{"message": "upstream down ![x](http://127.0.0.1:9/gateway.png) [help](https://evil.example)"}'


class _Gateway(ThreadingHTTPServer):
    """A proxy in front of the emulator that answers 502 to ``GET /prompts`` while ``failing``."""

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _GatewayHandler)
        self.upstream = upstream
        self.failing = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _GatewayHandler(BaseHTTPRequestHandler):
    server: _Gateway

    def _forward(self) -> None:
        if self.server.failing and self.path.startswith("/prompts"):
            self.send_response(502)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(GATEWAY_ANSWER)))
            self.end_headers()
            self.wfile.write(GATEWAY_ANSWER)
            return
        length = int(self.headers.get("Content-Length") or 0)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        answer = requests.request(
            self.command,
            f"{self.server.upstream}{self.path}",
            headers=headers,
            data=self.rfile.read(length) if length else None,
            timeout=30,
        )
        self.send_response(answer.status_code)
        for name in ("Content-Type", "Retry-After"):
            if name in answer.headers:
                self.send_header(name, answer.headers[name])
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = do_PUT = do_DELETE = _forward

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway(studio_env, monkeypatch) -> Iterator[_Gateway]:
    server = _Gateway(studio_env.url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("HONEYHIVE_BASE_URL", server.url)
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("page", "keys"),
    [("playground", PLAYGROUND), ("compare", COMPARE), ("batch", BATCH)],
    ids=["playground", "compare", "batch"],
)
def test_a_502_while_listing_prompts_is_a_message_and_try_again_recovers(gateway, page: str, keys: PageKeys):
    at = open_page(studio_app(), page)
    assert not at.exception, [e.value for e in at.exception]
    [error] = at.error
    message = shown(error.value)
    assert f"HoneyHive answered 502 while listing the prompts of task {TASK}." in message
    assert "try again in a minute" in message
    assert "upstream down ![x](http://127.0.0.1:9/gateway.png)" in message  # the gateway's own words follow...
    assert links_or_images(error.value) == []  # ...as text

    gateway.failing = False
    at.button(key=keys.try_again).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert keys.try_again not in {button.key for button in at.button}
    assert "email-writer-v1" in " ".join(str(option) for option in _variant_options(at, page))


def _variant_options(at: AppTest, page: str) -> list[object]:
    """The prompt variants the page offers, once it could list them."""
    if page == "playground":
        return list(at.selectbox(key=PLAYGROUND.variant(TASK)).options)
    if page == "compare":
        return list(at.multiselect(key=COMPARE.variants(TASK)).options)
    return list(at.multiselect(key=BATCH.variants(TASK)).options)


def _page_whose_task_listing_fails() -> None:
    from honeyhive_api import ServerError
    from ui.pickers import pick_task
    from ui.state import BATCH

    class FailingStudio:
        api = "tasks"  # the pickers name what they list after the API spoken

        def tasks(self) -> list:
            raise ServerError("GET /tasks failed with 503 after 3 retries: busy.", status_code=503)

    task = pick_task(FailingStudio(), BATCH)  # type: ignore[arg-type]
    assert task is None


def test_a_failed_task_listing_is_a_message_with_a_way_to_try_again():
    at = AppTest.from_function(_page_whose_task_listing_fails).run()
    assert not at.exception, [e.value for e in at.exception]
    [error] = at.error
    assert "HoneyHive answered 503 while listing the tasks." in shown(error.value)
    assert at.button(key=BATCH.try_again).label == "Try again"
    assert not at.selectbox


@pytest.mark.parametrize(
    ("error", "happened", "advice"),
    [
        (ServerError("busy", status_code=502), "HoneyHive answered 502 while", "try again in a minute"),
        (AuthenticationError("no", status_code=401), "refused the API key (401)", "HONEYHIVE_API_KEY"),
        (NotFoundError("gone", status_code=404), "answered 404", "reload the page"),
        (RateLimitError("slow down", retry_after=7.0), "rate limiting (429)", "Wait 7 seconds"),
        (RateLimitError("slow down"), "rate limiting (429)", "Wait a minute"),
        (ValidationError("bad", status_code=422), "answered 422", "Try again"),
        (APITimeoutError("late"), "did not answer in time", "HIVE_REVIEW_TIMEOUT"),
        (APIConnectionError("refused"), "Cannot reach HoneyHive", "HONEYHIVE_BASE_URL"),
        (MalformedResponseError("not JSON"), "could not be used", "HONEYHIVE_BASE_URL"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, HoneyHiveError) else "",
)
def test_each_failure_says_what_happened_and_what_to_do(error: HoneyHiveError, happened: str, advice: str):
    message = shown(failure_message(error, "listing the tasks"))
    assert happened in message and "while listing the tasks." in message
    assert advice in message
    assert message.endswith(f"HoneyHive said: {error.message}")


def test_the_server_s_words_are_shown_as_text():
    error = ServerError("![x](http://127.0.0.1:9/x.png) [y](https://evil.example) <b>z</b>", status_code=500)
    markdown = failure_message(error, "listing the tasks")
    assert links_or_images(markdown) == []
    assert shown(markdown).endswith(f"HoneyHive said: {error.message}")
