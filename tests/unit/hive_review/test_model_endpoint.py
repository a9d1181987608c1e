"""``ModelEndpoint``: the official ``openai`` client against the emulator's OpenAI-compatible
``/v1/chat/completions`` over real HTTP, and each failure as the studio's error classes."""

from __future__ import annotations

import socket
import uuid

import pytest
import requests

from hive_review.backends import (
    ModelConnectionError,
    ModelEndpoint,
    ModelRateLimitError,
    ModelRequestError,
    ModelServerError,
)
from hive_review.backends.model_endpoint import endpoint_hyperparameters
from honeyhive_api import InvalidBaseURLError, ValidationError
from honeyhive_api.retrying import not_processed

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello to the team."}]


def set_faults(emulator, **faults) -> None:
    requests.put(
        f"{emulator.url}/_emulator/faults",
        json=faults,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=10,
    ).raise_for_status()


@pytest.fixture
def endpoint(emulator) -> ModelEndpoint:
    return ModelEndpoint(f"{emulator.url}/v1", emulator.api_key, timeout=10, max_retries=0)


def test_a_stream_gives_text_then_usage_latency_and_the_answering_model(endpoint):
    with endpoint.stream(MESSAGES, model="gpt-4o-mini", hyperparameters={"temperature": 0.2}) as stream:
        chunks = list(stream)
    answer = stream.answer
    assert answer is not None and len(chunks) > 1 and answer.text == "".join(chunks)
    assert "Say hello to the team." in answer.text
    assert answer.model == "offline-echo"  # what answered, as the endpoint reports it
    assert answer.usage is not None and answer.usage.completion_tokens > 0
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens
    assert 0 < answer.first_token_ms <= answer.latency_ms
    assert answer.finish_reason == "stop" and not answer.hit_max_tokens


def test_a_completion_in_one_answer(endpoint):
    answer = endpoint.complete(MESSAGES, model="gpt-4o-mini", hyperparameters={"max_tokens": 50, "top_k": 3})
    assert "Say hello to the team." in answer.text and answer.model == "offline-echo"
    assert answer.usage is not None and answer.usage.prompt_tokens > 0
    assert answer.latency_ms > 0 and answer.first_token_ms is None and answer.finish_reason == "stop"


def test_only_hyperparameters_the_endpoint_understands_are_sent():
    given = {"temperature": 0.3, "top_k": 40, "stop_sequences": ["\n\n"], "maxTokens": 99, "seed": None, "stop": []}
    assert endpoint_hyperparameters(given) == {"temperature": 0.3, "stop": ["\n\n"], "max_tokens": 99}
    assert endpoint_hyperparameters(None) == {}


def test_a_refused_hyperparameter_is_a_validation_error(endpoint):
    with pytest.raises(ModelRequestError) as caught:
        endpoint.complete(MESSAGES, model="gpt-4o-mini", hyperparameters={"temperature": 7})
    assert isinstance(caught.value, ValidationError) and caught.value.status_code in (400, 422)
    assert "hyperparameters" in caught.value.message


def test_an_endpoint_that_is_not_there_was_never_reached():
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = ModelEndpoint(f"http://127.0.0.1:{port}/v1", "k", timeout=5, max_retries=0)
    with pytest.raises(ModelConnectionError, match="HIVE_REVIEW_MODEL_BASE_URL") as caught:
        dead.complete(MESSAGES, model="m")
    assert caught.value.request_sent is False and not_processed(caught.value)  # a batch may run it again


def test_a_busy_endpoint_is_a_refusal_that_may_be_retried(emulator_factory):
    model_server = emulator_factory()
    endpoint = ModelEndpoint(f"{model_server.url}/v1", model_server.api_key, timeout=10, max_retries=0)
    set_faults(model_server, error_rate=1.0)
    with pytest.raises(ModelServerError) as caught:
        endpoint.complete(MESSAGES, model="m")
    assert caught.value.status_code == 503 and not_processed(caught.value)
    set_faults(model_server, error_rate=0.0, rate_limit=0.001, retry_after_503=None)
    endpoint.complete(MESSAGES, model="m")  # uses the one request the bucket holds
    with pytest.raises(ModelRateLimitError) as limited:
        endpoint.stream(MESSAGES, model="m")
    assert limited.value.status_code == 429 and not_processed(limited.value)
    assert limited.value.retry_after is not None and limited.value.retry_after > 0  # from Retry-After


def test_the_model_key_stays_out_of_urls_and_reprs():
    secret = f"sk-{uuid.uuid4().hex}"
    with pytest.raises(InvalidBaseURLError) as caught:
        ModelEndpoint("http://models.example.com/v1", secret)  # plain http off this machine: refused
    assert secret not in str(caught.value) and "https" in str(caught.value)
    with pytest.raises(InvalidBaseURLError) as caught:
        ModelEndpoint(f"https://user:{secret}@models.example.com/v1", "k")
    assert secret not in str(caught.value)
    endpoint = ModelEndpoint("https://models.example.com/v1/", secret)
    assert endpoint.base_url == "https://models.example.com/v1" and secret not in repr(endpoint)
    assert ModelEndpoint("http://intranet-vllm:8000/v1", None).base_url  # no key: plain http is allowed
