"""``HIVE_REVIEW_MODEL_API_KEY`` falls back to ``OPENAI_API_KEY``: the fallback key is the one the
model endpoint receives (a real call to the emulator's ``/v1/chat/completions``, which refuses any
other key), the studio's own key wins when both are set, and the fallback key is in no repr and no
error. The whole studio with a fallback key: ``tests/app/test_secrets.py``."""

from __future__ import annotations

import logging

import pytest

from hive_review.backends import ModelAuthenticationError, ModelEndpoint
from hive_review.settings import resolve_model_endpoint

CANARY = "sk-canary-fallback-3e4f5a6b7c8d-SECRET"
MESSAGES = [{"role": "user", "content": "Say hello to the team."}]


def _endpoint(environ: dict[str, str], secrets: dict[str, object] | None = None) -> ModelEndpoint:
    settings = resolve_model_endpoint(secrets or {}, environ)
    assert settings is not None
    assert CANARY not in repr(settings)
    return ModelEndpoint(settings.base_url, settings.api_key, timeout=10, max_retries=0)


def test_the_openai_key_is_used_when_the_studio_s_own_is_not_set(emulator_factory, caplog):
    caplog.set_level(logging.DEBUG)
    emulator = emulator_factory(api_key=CANARY)
    endpoint = _endpoint({"HIVE_REVIEW_MODEL_BASE_URL": f"{emulator.url}/v1", "OPENAI_API_KEY": CANARY})
    answer = endpoint.complete(MESSAGES, model="gpt-4o-mini")  # the emulator took the key: 401 otherwise
    assert answer.text
    assert CANARY not in repr(endpoint) and CANARY not in caplog.text


def test_the_fallback_key_also_comes_from_secrets(emulator_factory):
    emulator = emulator_factory(api_key=CANARY)
    endpoint = _endpoint({"HIVE_REVIEW_MODEL_BASE_URL": f"{emulator.url}/v1"}, {"OPENAI_API_KEY": CANARY})
    assert endpoint.complete(MESSAGES, model="gpt-4o-mini").text


def test_the_studio_s_own_model_key_wins_over_the_openai_key(emulator_factory):
    emulator = emulator_factory(api_key=CANARY)
    url = f"{emulator.url}/v1"
    right_first = _endpoint(
        {"HIVE_REVIEW_MODEL_BASE_URL": url, "HIVE_REVIEW_MODEL_API_KEY": CANARY, "OPENAI_API_KEY": "x"}
    )
    assert right_first.complete(MESSAGES, model="gpt-4o-mini").text
    wrong_first = _endpoint(
        {"HIVE_REVIEW_MODEL_BASE_URL": url, "HIVE_REVIEW_MODEL_API_KEY": "sk-wrong", "OPENAI_API_KEY": CANARY}
    )
    with pytest.raises(ModelAuthenticationError) as caught:
        wrong_first.complete(MESSAGES, model="gpt-4o-mini")
    assert caught.value.status_code == 401


def test_a_refused_fallback_key_is_in_no_error(emulator_factory, caplog):
    caplog.set_level(logging.DEBUG)
    emulator = emulator_factory(api_key="the-endpoint-s-real-key")
    endpoint = _endpoint({"HIVE_REVIEW_MODEL_BASE_URL": f"{emulator.url}/v1", "OPENAI_API_KEY": CANARY})
    for call in (endpoint.complete, lambda *a, **k: "".join(endpoint.stream(*a, **k))):
        with pytest.raises(ModelAuthenticationError) as caught:
            call(MESSAGES, model="gpt-4o-mini")
        assert caught.value.status_code == 401
        assert CANARY not in str(caught.value) and CANARY not in repr(caught.value)
    assert CANARY not in caplog.text
