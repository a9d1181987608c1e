"""The emulator's chat completions answered by the `local` provider (Gemma 3 270M through llama.cpp),
through OpenAI's official client: real text, streamed and not, and the model that answered.

Skipped, and says so, on a machine set up with HIVE_REVIEW_SKIP_LOCAL_MODEL=1 (as test_local_model.py).
"""

from __future__ import annotations

import os

import openai
import pytest

pytestmark = pytest.mark.local_model

if os.environ.get("HIVE_REVIEW_SKIP_LOCAL_MODEL") == "1":
    pytest.skip("HIVE_REVIEW_SKIP_LOCAL_MODEL=1: the local model was not installed", allow_module_level=True)


def test_local_chat_completions_stream_and_not(emulator_factory):
    server = emulator_factory(provider="local")
    client = openai.OpenAI(api_key=server.api_key, base_url=f"{server.url}/v1", max_retries=0, timeout=300)
    messages = [
        {"role": "system", "content": "You write short, friendly workplace emails."},
        {"role": "user", "content": "Write a two-sentence email: the team lunch moves to Thursday."},
    ]
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=messages, max_tokens=48, temperature=0.2)
    assert answer.model == "gemma-3-270m-q4_k_m"
    text = answer.choices[0].message.content or ""
    assert "[offline emulator]" not in text and len(text.split()) >= 3, text
    assert answer.usage is not None and answer.usage.prompt_tokens > 10 and answer.usage.completion_tokens > 0
    assert answer.choices[0].finish_reason in ("stop", "length")

    chunks = list(
        client.chat.completions.create(
            model="gpt-4o-mini",
            messages=messages,
            max_tokens=32,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len(streamed.split()) >= 3, streamed
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens <= 32
