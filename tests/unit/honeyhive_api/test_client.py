"""The HoneyHive client against the emulator over real HTTP on 127.0.0.1: every method, every error
class, retries under injected 429/503, timeouts, and the API key absent from every error."""

from __future__ import annotations

import logging
import socket
import time

import pytest
import requests

from honeyhive_api import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    HoneyHiveClient,
    HoneyHiveError,
    MalformedResponseError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
    ServerError,
    ValidationError,
)

TASK = "Sandbox - Email Writer"
INPUTS = {"topic": "the offsite moves to June", "tone": "warm"}


def set_faults(emulator, **faults) -> None:
    answer = requests.put(
        f"{emulator.url}/_emulator/faults",
        json=faults,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=5,
    )
    answer.raise_for_status()


def feedback_events(emulator, generation_id: str) -> list[dict]:
    answer = requests.get(
        f"{emulator.url}/_emulator/feedback-events",
        params={"generation_id": generation_id},
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=5,
    )
    answer.raise_for_status()
    return answer.json()


@pytest.fixture
def client(emulator):
    with HoneyHiveClient(emulator.api_key, emulator.url, timeout=10, max_retries=3) as hh:
        yield hh


# ---- every method ---------------------------------------------------------------------------


def test_list_tasks_and_prompts(client):
    tasks = {task.name: task for task in client.list_tasks()}
    assert TASK in tasks
    prompts = client.list_prompts(TASK)
    assert len(prompts) >= 2
    deployed = [p for p in prompts if p.is_deployed]
    assert len(deployed) == 1
    assert "{{topic}}" in deployed[0].text
    assert tasks[TASK].deployed_prompt is not None


def test_generate_runs_the_deployed_prompt_with_metadata(client):
    deployed = next(p for p in client.list_prompts(TASK) if p.is_deployed)
    generation = client.generate(TASK, INPUTS, user_properties={"user_id": "qa-1"}, source="playground")
    assert generation.generation_id
    assert generation.version == deployed.version
    assert "the offsite moves to June" in generation.generation
    assert generation.model
    assert generation.latency is not None and generation.latency >= 0
    usage = generation.token_counts()
    assert usage is not None and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert generation.cost is not None


def test_generate_a_chosen_variant_answers_with_its_version(client):
    variant = next(p for p in client.list_prompts(TASK) if not p.is_deployed)
    generation = client.generate(TASK, INPUTS, prompts=[variant.name])
    assert generation.version == variant.version


def test_streaming_yields_chunks_then_the_whole_generation(client):
    with client.generate_stream(TASK, INPUTS, user_properties={"user_id": "qa-1"}) as stream:
        chunks = list(stream)
    assert len(chunks) > 1
    assert stream.generation is not None
    assert "".join(chunks) == stream.generation.generation
    listed = {g.generation_id for g in client.list_generations(TASK)}
    assert stream.generation.generation_id in listed


def test_log_generation_then_list_it(client):
    logged = client.log_generation(
        TASK,
        "gpt-4o-mini",
        "Dear team, the offsite moves to June.",
        hyperparameters={"temperature": 0.2},
        prompt_template="Write about {{topic}}",
        inputs={"topic": "offsite"},
        usage={"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14},
        latency=812.5,
        source="batch-job",
        metadata={"run": 7},
    )
    assert logged.generation_id
    row = next(g for g in client.list_generations(TASK) if g.generation_id == logged.generation_id)
    assert row.generation == "Dear team, the offsite moves to June."
    assert row.source == "batch-job"
    assert row.latency == pytest.approx(812.5)


def test_feedback_merges_key_by_key_and_a_repeat_changes_nothing(client, emulator):
    generation = client.generate(TASK, INPUTS)
    first = client.send_feedback(TASK, generation.generation_id, {"accepted": True, "rating": 3})
    assert first.feedback == {"accepted": True, "rating": 3}
    second = client.send_feedback(
        TASK, generation.generation_id, {"rating": 5, "comment": None}, ground_truth="Offsite: June."
    )
    assert second.feedback["accepted"] is True
    assert second.feedback["rating"] == 5
    assert second.ground_truth == "Offsite: June."
    again = client.send_feedback(TASK, generation.generation_id, {"rating": 5, "comment": None})
    assert again.feedback == second.feedback
    assert len(feedback_events(emulator, generation.generation_id)) == 3


# ---- every error class ------------------------------------------------------------------------


def test_a_wrong_key_is_an_authentication_error_without_the_key(emulator):
    canary = "hh-canary-0123456789abcdefWRONG"
    with HoneyHiveClient(canary, emulator.url) as bad, pytest.raises(AuthenticationError) as caught:
        bad.list_tasks()
    assert caught.value.status_code == 401
    assert canary not in str(caught.value)
    assert canary not in repr(caught.value)
    assert canary not in repr(bad)
    assert "HONEYHIVE_API_KEY" in str(caught.value)


def test_an_empty_key_is_refused_before_any_request():
    with pytest.raises(AuthenticationError, match="HONEYHIVE_API_KEY"):
        HoneyHiveClient("  ", "http://127.0.0.1:9")


def test_unknown_task_is_not_found(client):
    with pytest.raises(NotFoundError) as caught:
        client.generate("No Such Task", {"x": "y"})
    assert caught.value.status_code == 404
    assert "No Such Task" in str(caught.value)


def test_missing_variables_are_a_validation_error_naming_them(client):
    with pytest.raises(ValidationError) as caught:
        client.generate(TASK, {"topic": "only the topic"})
    assert caught.value.status_code == 422
    assert "tone" in str(caught.value)


def test_an_oversized_body_is_payload_too_large(emulator_factory):
    small = emulator_factory(max_body_bytes=10_000)
    with HoneyHiveClient(small.api_key, small.url) as hh, pytest.raises(PayloadTooLargeError) as caught:
        hh.log_generation(TASK, "m", "x" * 20_000, hyperparameters={})
    assert caught.value.status_code == 413
    assert isinstance(caught.value, ValidationError)


def test_rate_limit_error_after_retries(client, emulator):
    set_faults(emulator, rate_limit=0.001)  # one request per ~17 min: every retry is refused too
    client.list_tasks()  # takes the one request the limit allows
    started = time.monotonic()
    with pytest.raises(RateLimitError) as caught:
        HoneyHiveClient(emulator.api_key, emulator.url, max_retries=1).list_tasks()
    assert caught.value.status_code == 429
    assert caught.value.retry_after == 1000
    # A pause longer than a minute is not waited out inside the call: the caller decides.
    assert time.monotonic() - started < 5


def test_server_error_after_retries(emulator):
    set_faults(emulator, error_rate=1.0)
    with pytest.raises(ServerError) as caught:
        HoneyHiveClient(emulator.api_key, emulator.url, max_retries=2).list_tasks()
    assert caught.value.status_code == 503
    # Full-jitter backoff may pause next to nothing, so the retries are counted, not timed.
    assert "after 2 retries" in str(caught.value)


def test_connection_refused_is_a_connection_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(APIConnectionError) as caught:
        HoneyHiveClient("k", f"http://127.0.0.1:{port}", max_retries=1).list_tasks()
    assert not isinstance(caught.value, APITimeoutError)
    assert "HONEYHIVE_BASE_URL" in str(caught.value)


def test_a_slow_server_is_a_timeout(emulator):
    set_faults(emulator, latency_ms=1500)
    with pytest.raises(APITimeoutError) as caught:
        HoneyHiveClient(emulator.api_key, emulator.url, timeout=0.5, max_retries=0).list_tasks()
    assert isinstance(caught.value, APIConnectionError)


def test_a_non_json_answer_is_a_honeyhive_error_not_a_decode_error(emulator):
    # Streamlit's health route is not ours; the emulator's docs page answers HTML: not the contract.
    with HoneyHiveClient(emulator.api_key, emulator.url) as hh, pytest.raises(MalformedResponseError):
        hh._transport.request("GET", "/docs", idempotent=True)
    assert issubclass(MalformedResponseError, HoneyHiveError)


def test_every_error_message_is_free_of_the_key(emulator, caplog):
    canary = "hh-canary-key-fedcba9876543210"
    caplog.set_level(logging.DEBUG)
    failures: list[HoneyHiveError] = []
    with HoneyHiveClient(canary, emulator.url, max_retries=0) as bad:
        for call in (
            bad.list_tasks,
            lambda: bad.generate(TASK, INPUTS),
            lambda: bad.send_feedback(TASK, "g", {}),
        ):
            with pytest.raises(HoneyHiveError) as caught:
                call()
            failures.append(caught.value)
    for failure in failures:
        assert canary not in str(failure) and canary not in repr(failure)
    assert canary not in caplog.text


# ---- retries ----------------------------------------------------------------------------------


def test_retry_after_in_seconds_is_honoured_on_429(client, emulator):
    set_faults(emulator, rate_limit=1)  # one request per second
    client.list_tasks()
    started = time.monotonic()
    client.list_tasks()  # refused with Retry-After: 1, then retried
    assert time.monotonic() - started >= 0.9


def test_retry_after_as_http_date_is_honoured_on_503(emulator):
    set_faults(emulator, error_rate=1.0, retry_after_503="http-date")
    started = time.monotonic()
    with pytest.raises(ServerError):
        HoneyHiveClient(emulator.api_key, emulator.url, max_retries=1).list_tasks()
    assert time.monotonic() - started >= 0.5


def test_reads_recover_from_a_share_of_503s(client, emulator):
    set_faults(emulator, error_rate=0.3, fault_seed=7)
    for _ in range(20):
        assert client.list_tasks()


def test_a_generation_refused_with_503_is_retried_and_made_once(client, emulator):
    set_faults(emulator, error_rate=0.5, fault_seed=3)
    made = [client.generate(TASK, INPUTS) for _ in range(6)]
    set_faults(emulator, error_rate=0.0)
    listed = [g.generation_id for g in client.list_generations(TASK)]
    for generation in made:
        assert listed.count(generation.generation_id) == 1
    assert len(listed) == len(made)


def test_a_generation_whose_answer_times_out_is_not_retried(emulator):
    set_faults(emulator, latency_ms=800)
    started = time.monotonic()
    with (
        HoneyHiveClient(emulator.api_key, emulator.url, timeout=0.3, max_retries=3) as hh,
        pytest.raises(APITimeoutError),
    ):
        hh.generate(TASK, INPUTS)
    assert time.monotonic() - started < 0.8  # one attempt: no retry waited on another timeout
    set_faults(emulator, latency_ms=0)
    time.sleep(1.0)  # let the one request that did reach the server finish
    with HoneyHiveClient(emulator.api_key, emulator.url) as hh:
        assert len(hh.list_generations(TASK)) <= 1  # at most the one attempt, never a retry's double
