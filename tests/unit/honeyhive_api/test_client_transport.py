"""The client against small misbehaving HTTP servers on 127.0.0.1: bodies that trickle, streams of
keep-alives, answers that are not JSON, proxies' HTML pages, redirects, broken connections; the
retry rule and the backoff; base URLs that carry credentials; answers in either shape.

Each server is a plain socket server thread that writes exactly the bytes a test wants."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from honeyhive_api import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    HoneyHiveClient,
    HoneyHiveError,
    InvalidBaseURLError,
    MalformedResponseError,
    NotFoundError,
    RateLimitError,
    ServerError,
    StreamError,
    UnsupportedAPIError,
    ValidationError,
    backoff_delay,
    is_transient,
    may_retry,
    not_processed,
    redact_url,
)

CANARY = "hh-canary-5f0e7d2c9b8a41e6-SECRET"
TASK = "Sandbox - Email Writer"
INPUTS = {"topic": "the offsite", "tone": "warm"}
GENERATION = {"generation_id": "g-1", "version": "v1", "generation": "Dear team"}

Handler = Callable[[socket.socket, bytes], None]


class RawServer:
    """Accepts connections on 127.0.0.1 and hands each request (head and body) to ``handler``,
    which writes whatever bytes it likes. Requests are recorded; the connection closes after one."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[bytes] = []
        self.stopped = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            request = _read_request(conn)
            if request is None:
                return
            self.requests.append(request)
            with contextlib.suppress(OSError):  # the client hung up: what the deadline tests expect
                self.handler(conn, request)

    def paths(self) -> list[str]:
        return [r.split(b" ", 2)[1].decode() for r in self.requests]

    def close(self) -> None:
        self.stopped.set()
        self._listener.close()


def _read_request(conn: socket.socket) -> bytes | None:
    conn.settimeout(5)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")),
            0,
        )
        while len(body) < length:
            body += conn.recv(65536)
    except OSError:
        return None
    return head + b"\r\n\r\n" + body


def answer(status: str, body: bytes | str, *, content_type: str = "application/json", headers: str = "") -> bytes:
    payload = body.encode() if isinstance(body, str) else body
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n"
        f"Connection: close\r\n{headers}\r\n"
    ).encode() + payload


def replying(*replies: bytes) -> Handler:
    """A handler that gives the n-th request the n-th reply (the last one again after that)."""
    count = iter(range(1_000_000))

    def handle(conn: socket.socket, _request: bytes) -> None:
        conn.sendall(replies[min(next(count), len(replies) - 1)])

    return handle


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], RawServer]]:
    servers: list[RawServer] = []

    def start(handler: Handler) -> RawServer:
        server = RawServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def client_for(server: RawServer, **options: float) -> HoneyHiveClient:
    settings = {"timeout": 5.0, "max_retries": 0, **options}
    return HoneyHiveClient(CANARY, server.url, **settings)  # type: ignore[arg-type]


# ---- deadlines ------------------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_a_body_that_trickles_ends_in_a_timeout_within_the_deadline(serve):
    def trickle(conn: socket.socket, _request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n[")
        for _ in range(399):  # one byte every 0.3 s: each read is quick, the whole would take 2 min
            time.sleep(0.3)
            conn.sendall(b" ")

    server = serve(trickle)
    started = time.monotonic()
    with client_for(server, timeout=1.5) as hh, pytest.raises(APITimeoutError) as caught:
        hh.list_tasks()
    assert time.monotonic() - started < 20  # generous: the point is that it ends, not when exactly
    assert "GET /tasks" in str(caught.value)
    assert "1.5 s" in str(caught.value)


@pytest.mark.timeout(60)
def test_a_stream_of_keep_alives_only_ends_in_a_timeout(serve):
    def keep_alive(conn: socket.socket, _request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
        conn.sendall(b'event: chunk\ndata: {"text": "Dear"}\n\n')
        while True:  # never `done`: only comments, which are not progress
            time.sleep(0.2)
            conn.sendall(b": keep-alive\n\n")

    server = serve(keep_alive)
    with client_for(server, timeout=1.5) as hh, hh.generate_stream(TASK, INPUTS) as stream:
        chunks: list[str] = []
        with pytest.raises(APITimeoutError) as caught:
            chunks.extend(stream)
    assert chunks == ["Dear"]
    assert "keep-alives do not count" in str(caught.value)


@pytest.mark.timeout(60)
def test_a_slow_but_steady_stream_is_not_cut_off(serve):
    def steady(conn: socket.socket, _request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
        for word in ("Dear", " team", ",", " hello"):  # 2 s in all, each chunk within the 1 s silence limit
            time.sleep(0.5)
            conn.sendall(f"event: chunk\ndata: {json.dumps({'text': word})}\n\n".encode())
        done = {**GENERATION, "generation": "Dear team, hello"}
        conn.sendall(f"event: done\ndata: {json.dumps(done)}\n\n".encode())

    server = serve(steady)
    with client_for(server, timeout=1.0) as hh, hh.generate_stream(TASK, INPUTS) as stream:
        assert "".join(stream) == "Dear team, hello"
    assert stream.generation is not None and stream.generation.generation == "Dear team, hello"


@pytest.mark.timeout(60)
def test_retries_stop_when_the_deadline_would_pass(serve):
    server = serve(replying(answer("503 Service Unavailable", '{"message": "busy"}', headers="Retry-After: 1\r\n")))
    started = time.monotonic()
    with client_for(server, timeout=1.5, max_retries=10) as hh, pytest.raises(ServerError) as caught:
        hh.list_tasks()
    assert time.monotonic() - started < 10
    assert 1 <= len(server.requests) <= 2  # a 1 s pause fits once in 1.5 s, never ten times
    assert caught.value.status_code == 503


# ---- answers that are not what the contract says ----------------------------------------------------


def test_an_sse_error_event_with_a_null_status_is_a_stream_error(serve):
    error = b'event: error\ndata: {"message": "the model stopped", "status_code": null}\n\n'
    server = serve(replying(answer("200 OK", error, content_type="text/event-stream")))
    with client_for(server) as hh, hh.generate_stream(TASK, INPUTS) as stream, pytest.raises(StreamError) as caught:
        list(stream)
    assert isinstance(caught.value, ServerError)
    assert caught.value.status_code == 500
    assert "the model stopped" in str(caught.value) and "run it again" in str(caught.value)
    assert not not_processed(caught.value)  # the generation ran: never resend it on this error


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"event: chunk\ndata: {not json\n\n", "not a JSON object"),
        (b'event: chunk\ndata: {"text": "half"}\n\n', "ended before its final 'done' event"),
    ],
)
def test_a_broken_stream_is_a_malformed_response(serve, body, said):
    server = serve(replying(answer("200 OK", body, content_type="text/event-stream")))
    with (
        client_for(server) as hh,
        hh.generate_stream(TASK, INPUTS) as stream,
        pytest.raises(MalformedResponseError) as caught,
    ):
        list(stream)
    assert "POST /generations" in str(caught.value) and said in str(caught.value)


def test_a_plain_json_answer_to_a_stream_request_is_one_chunk(serve):
    server = serve(replying(answer("200 OK", json.dumps(GENERATION))))
    with client_for(server) as hh, hh.generate_stream(TASK, INPUTS) as stream:
        assert list(stream) == ["Dear team"]
    assert stream.generation is not None and stream.generation.generation_id == "g-1"


def test_a_non_json_body_is_a_malformed_response_saying_what_to_check(serve):
    server = serve(replying(answer("200 OK", "<html><title>Sign in</title></html>", content_type="text/html")))
    with client_for(server) as hh, pytest.raises(MalformedResponseError) as caught:
        hh.list_tasks()
    message = str(caught.value)
    assert "GET /tasks" in message and "'Sign in'" in message and "HONEYHIVE_BASE_URL" in message


def test_a_proxy_html_502_is_a_server_error_after_the_retries(serve):
    page = "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"
    server = serve(replying(answer("502 Bad Gateway", page, content_type="text/html")))
    with client_for(server, max_retries=2) as hh, pytest.raises(ServerError) as caught:
        hh.list_tasks()
    assert caught.value.status_code == 502
    assert len(server.requests) == 3
    message = str(caught.value)
    assert "'502 Bad Gateway'" in message and "after 2 retries" in message and "try again" in message
    assert "<center>" not in message


def test_a_json_answer_of_the_wrong_shape_is_a_malformed_response(serve):
    server = serve(replying(answer("200 OK", '{"tasks": "none"}')))
    with client_for(server) as hh, pytest.raises(MalformedResponseError, match="expected a JSON array"):
        hh.list_tasks()


def test_a_redirect_is_not_followed_and_names_where_without_secrets(serve):
    moved = answer("301 Moved Permanently", "", headers="Location: https://u:pw@api.example.com/x?token=abc\r\n")
    server = serve(replying(moved))
    with client_for(server) as hh, pytest.raises(APIStatusError) as caught:
        hh.list_tasks()
    assert caught.value.status_code == 301
    assert "api.example.com" in str(caught.value)
    assert "pw" not in str(caught.value) and "abc" not in str(caught.value)
    assert len(server.requests) == 1


def test_a_connection_cut_mid_body_is_a_connection_error(serve):
    def cut(conn: socket.socket, _request: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[{")

    server = serve(cut)
    with client_for(server) as hh, pytest.raises(APIConnectionError) as caught:
        hh.list_tasks()
    assert not isinstance(caught.value, APITimeoutError)


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        ("400 Bad Request", ValidationError),
        ("401 Unauthorized", AuthenticationError),
        ("404 Not Found", NotFoundError),
        ("405 Method Not Allowed", APIStatusError),
        ("429 Too Many Requests", RateLimitError),
        ("500 Internal Server Error", ServerError),
    ],
)
def test_each_status_is_its_error_class_and_the_echoed_key_is_redacted(serve, status, error_class, caplog):
    caplog.set_level(logging.DEBUG)
    echo = json.dumps({"statusCode": int(status[:3]), "message": f"bad header Bearer {CANARY}", "success": False})
    server = serve(replying(answer(status, echo)))
    with client_for(server) as hh, pytest.raises(error_class) as caught:
        hh.list_tasks()
    assert caught.value.status_code == int(status[:3])
    assert "bad header" in str(caught.value)
    assert CANARY not in str(caught.value) and CANARY not in repr(caught.value)
    assert CANARY not in repr(hh) and CANARY not in caplog.text


# ---- the retry rule ---------------------------------------------------------------------------------


def test_a_generation_is_retried_on_503_but_not_on_500(serve):
    busy = answer("503 Service Unavailable", '{"message": "busy"}')
    failing = answer("500 Internal Server Error", '{"message": "boom"}')
    refused_once = serve(replying(busy, answer("200 OK", json.dumps(GENERATION))))
    with client_for(refused_once, max_retries=2) as hh:
        assert hh.generate(TASK, INPUTS).generation_id == "g-1"
    assert len(refused_once.requests) == 2
    broken = serve(replying(failing))
    with client_for(broken, max_retries=2) as hh, pytest.raises(ServerError):
        hh.generate(TASK, INPUTS)
    assert len(broken.requests) == 1  # a 500 after sending may mean it was made: never twice
    with client_for(broken, max_retries=2) as hh, pytest.raises(ServerError):
        hh.list_tasks()
    assert len(broken.requests) == 4  # a read is retried


def test_may_retry_says_what_the_client_does():
    refused = APIConnectionError("refused", request_sent=False)
    timed_out = APITimeoutError("slow", request_sent=True)
    cases = [
        (refused, True, True),
        (timed_out, True, False),
        (RateLimitError("429"), True, True),
        (ServerError("503", status_code=503), True, True),
        (ServerError("500", status_code=500), True, False),
        (ServerError("501", status_code=501), False, False),
        (StreamError("stopped", status_code=503), True, False),
        (NotFoundError("404", status_code=404), False, False),
        (ValidationError("422", status_code=422), False, False),
        (MalformedResponseError("html"), False, False),
        (ValueError("not ours"), False, False),
    ]
    for error, idempotent_ok, creating_ok in cases:
        assert may_retry(error, idempotent=True) is idempotent_ok, error
        assert may_retry(error, idempotent=False) is creating_ok, error
        assert is_transient(error) is idempotent_ok
        assert not_processed(error) is creating_ok


def test_backoff_delay_is_full_jitter_capped_and_never_below_retry_after():
    for attempt in range(1, 12):
        delays = [backoff_delay(attempt, base=0.5, cap=8.0) for _ in range(200)]
        assert all(0 <= d <= min(8.0, 0.5 * 2 ** (attempt - 1)) for d in delays)
    assert len({round(backoff_delay(4, base=0.5, cap=8.0), 6) for _ in range(50)}) > 1  # jittered
    assert all(backoff_delay(1, base=0.5, cap=8.0, retry_after=3) >= 3 for _ in range(50))


# ---- base URLs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"https://user:{CANARY}@api.honeyhive.ai",
        f"https://{CANARY}@api.honeyhive.ai/",
        f"https://api.honeyhive.ai/?api_key={CANARY}",
        f"https://api.honeyhive.ai/v1#{CANARY}",
        f"http://127.0.0.1:8000/?key={CANARY}",
    ],
)
def test_a_base_url_with_credentials_is_refused_without_repeating_them(url):
    with pytest.raises(InvalidBaseURLError) as caught:
        HoneyHiveClient("some-key", url)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, HoneyHiveError)
    message = str(caught.value)
    assert CANARY not in message and CANARY not in repr(caught.value)
    assert "HONEYHIVE_API_KEY" in message  # the fix: the key goes in the key setting
    assert CANARY not in redact_url(url)


def test_the_key_itself_is_scrubbed_from_a_url_message():
    with pytest.raises(InvalidBaseURLError) as caught:
        HoneyHiveClient(CANARY, f"http://example.com/{CANARY}/")
    assert CANARY not in str(caught.value)
    assert "https://example.com/" in str(caught.value)  # the fix it proposes


@pytest.mark.parametrize(
    "url", ["ftp://api.honeyhive.ai", "api.honeyhive.ai", "https://", "http://api.honeyhive.ai", "https://h:port/"]
)
def test_unusable_base_urls_are_refused_with_the_fix(url):
    with pytest.raises(InvalidBaseURLError, match="HONEYHIVE_BASE_URL"):
        HoneyHiveClient("k", url)


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://api.honeyhive.ai", "https://api.honeyhive.ai"),
        ("https://api.dp1.us.honeyhive.ai/", "https://api.dp1.us.honeyhive.ai"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://localhost:8765/", "http://localhost:8765"),
        ("http://[::1]:8765", "http://[::1]:8765"),
    ],
)
def test_honeyhive_and_loopback_urls_are_accepted(url, kept):
    with HoneyHiveClient("k", url) as hh:
        assert hh.base_url == kept


def test_redact_url_masks_userinfo_query_values_and_fragment():
    shown = redact_url("https://me:pw@api.honeyhive.ai:8443/p?api_key=K&flag#frag")
    assert shown == "https://***@api.honeyhive.ai:8443/p?api_key=***&***#***"
    assert redact_url("https://api.honeyhive.ai/v1") == "https://api.honeyhive.ai/v1"
    assert redact_url("http://[bad") == "<a URL that does not parse>"


# ---- the current API's answer shapes, and which API is there ------------------------------------------


def test_configurations_and_queues_are_read_in_either_shape(serve):
    configuration = {
        "id": "c1",
        "name": "email-writer",
        "provider": "openai",
        "parameters": {"call_type": "chat", "model": "gpt-4o-mini", "template": [{"role": "user", "content": "Hi"}]},
        "env": ["prod"],
    }
    other = {**configuration, "id": "c2", "name": "draft", "env": []}
    queue = {"id": "q1", "name": "Low ratings", "filters": {"filterArray": []}}
    server = serve(
        replying(
            answer("200 OK", json.dumps({"configurations": [configuration, other]})),
            answer("200 OK", json.dumps([configuration, other])),  # an older spec: a bare array
            answer("200 OK", json.dumps([queue])),
            answer("200 OK", json.dumps(queue)),
        )
    )
    with client_for(server) as hh:
        assert [c.id for c in hh.list_configurations()] == ["c1", "c2"]
        assert [c.id for c in hh.list_configurations(env="prod")] == ["c1"]  # filtered here too
        assert [q.id for q in hh.list_queues()] == ["q1"]
        assert hh.get_queue("q1").name == "Low ratings"
    assert server.paths()[1] == "/v1/configurations?env=prod"


def test_export_reads_count_as_the_total_and_stops_there(serve):
    def page(start: int, size: int) -> bytes:
        events = [{"event_id": f"e{i}", "event_type": "model", "inputs": {}} for i in range(start, start + size)]
        return answer("200 OK", json.dumps({"events": events, "count": 5}))

    server = serve(replying(page(0, 2), page(2, 2), page(4, 1), answer("500 Internal Server Error", "{}")))
    with client_for(server) as hh:
        ids = [event.event_id for event in hh.export_events([], page_size=2)]
    assert ids == ["e0", "e1", "e2", "e3", "e4"]
    assert len(server.requests) == 3
    bodies = [json.loads(r.partition(b"\r\n\r\n")[2]) for r in server.requests]
    assert [b["page"] for b in bodies] == [1, 2, 3] and bodies[0]["limit"] == 2


def test_detect_api_names_the_url_and_what_was_tried_when_neither_answers(serve):
    server = serve(replying(answer("404 Not Found", '{"message": "no route"}')))
    with client_for(server) as hh, pytest.raises(UnsupportedAPIError) as caught:
        hh.detect_api()
    message = str(caught.value)
    assert server.url in message
    assert "GET /v1/configurations answered 404" in message and "GET /tasks answered 404" in message
    assert server.paths() == ["/v1/configurations", "/tasks"]


def test_detect_api_falls_back_to_tasks_and_keeps_401(serve):
    tasks_only = serve(replying(answer("404 Not Found", "{}"), answer("200 OK", "[]")))
    with client_for(tasks_only) as hh:
        assert hh.detect_api() == "tasks"
    refused = serve(replying(answer("401 Unauthorized", '{"message": "invalid key"}')))
    with client_for(refused) as hh, pytest.raises(AuthenticationError):
        hh.detect_api()
