"""With the real local model (Gemma 3 270M on llama.cpp), which answers one request at a time: a
request that waited for it reports that wait apart from the model's own time.

Skipped, and says so, on a machine set up with HIVE_REVIEW_SKIP_LOCAL_MODEL=1 (as test_local_model.py).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest

pytestmark = pytest.mark.local_model

if os.environ.get("HIVE_REVIEW_SKIP_LOCAL_MODEL") == "1":
    pytest.skip("HIVE_REVIEW_SKIP_LOCAL_MODEL=1: the local model was not installed", allow_module_level=True)


def test_two_requests_at_once_the_second_waits_and_says_so(emulator_factory):
    server = emulator_factory(provider="local")
    client = openai.OpenAI(api_key=server.api_key, base_url=f"{server.url}/v1", max_retries=0, timeout=300)
    messages = [{"role": "user", "content": "Write one sentence: the team lunch moves to Thursday."}]
    client.chat.completions.create(model="m", messages=messages, max_tokens=4)  # the model is loaded

    def ask(_: int) -> dict:
        answer = client.chat.completions.create(model="m", messages=messages, max_tokens=24, temperature=0.2)
        assert answer.usage is not None
        return answer.usage.model_extra or {}

    with ThreadPoolExecutor(2) as pool:
        first, second = sorted(pool.map(ask, range(2)), key=lambda usage: usage["queue_ms"])
    assert first["queue_ms"] < 0.5 * first["model_ms"]
    assert second["queue_ms"] >= 0.8 * first["model_ms"]  # it waited for the first one's answer
    assert 0 < second["first_token_ms"] <= second["model_ms"]
