"""The client against small misbehaving HTTP servers on 127.0.0.1 (``raw_http_support``): bodies that
trickle, streams of keep-alives, answers that are not JSON, proxies' HTML pages, redirects, broken
connections; the retry rule and the backoff. Base URLs: ``test_client_base_urls.py``; the current
API's answer shapes: ``test_client_answer_shapes.py``."""

from __future__ import annotations

import json
import logging
import socket
import time

import pytest
from raw_http_support import CANARY, answer, client_for, replying

from honeyhive_api import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    MalformedResponseError,
    NotFoundError,
    RateLimitError,
    ServerError,
    StreamError,
    ValidationError,
    backoff_delay,
    is_transient,
    may_retry,
    not_processed,
)

TASK = "Sandbox - Email Writer"
INPUTS = {"topic": "the offsite", "tone": "warm"}
GENERATION = {"generation_id": "g-1", "version": "v1", "generation": "Dear team"}


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
