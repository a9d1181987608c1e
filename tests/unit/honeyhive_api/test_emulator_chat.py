"""OpenAI's official ``openai`` client against the emulator's ``/v1/chat/completions`` and
``/v1/models``: streamed and not, usage, the model that answered, and refusals as typed errors."""

from __future__ import annotations

import openai
import pytest
import requests

MESSAGES = [
    {"role": "system", "content": "You write clear workplace emails."},
    {"role": "user", "content": "Write a short email about the fire drill at 10am."},
]


@pytest.fixture
def client(emulator) -> openai.OpenAI:
    return openai.OpenAI(api_key=emulator.api_key, base_url=f"{emulator.url}/v1", max_retries=0, timeout=30)


def test_a_chat_completion_names_the_model_that_answered_and_counts_tokens(client):
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, temperature=0.2, max_tokens=50)
    assert answer.object == "chat.completion" and answer.id.startswith("chatcmpl-")
    assert answer.model == "offline-echo"  # the offline provider answered, not gpt-4o-mini
    [choice] = answer.choices
    assert choice.message.role == "assistant" and choice.finish_reason == "stop"
    # The offline provider echoes its prompt: the system message, then the user's.
    content = choice.message.content or ""
    assert content.index("You write clear workplace emails.") < content.index("the fire drill at 10am")
    assert answer.usage is not None
    assert answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens


def test_a_streamed_chat_completion_joins_to_the_same_text_and_ends_with_usage(client):
    whole = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
    )
    assert len(chunks) > 3
    assert all(chunk.object == "chat.completion.chunk" and chunk.model == "offline-echo" for chunk in chunks)
    assert len({chunk.id for chunk in chunks}) == 1
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == whole.choices[0].message.content
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens
    assert all(chunk.usage is None for chunk in chunks[:-1])


def test_a_stream_without_usage_has_no_usage_chunk_and_ends_with_done(emulator):
    answer = requests.post(
        f"{emulator.url}/v1/chat/completions",
        json={
            "model": "m",
            "messages": [{"role": "user", "content": [{"type": "text", "text": "parts"}]}],
            "stream": True,
        },
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        stream=True,
        timeout=30,
    )
    assert answer.headers["content-type"].startswith("text/event-stream")
    lines = [line for line in answer.iter_lines(decode_unicode=True) if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    assert '"usage"' not in "".join(lines)
    assert "parts" in "".join(lines)


def test_models_lists_the_model_that_answers(client):
    assert [model.id for model in client.models.list()] == ["offline-echo"]


def test_a_wrong_key_is_an_authentication_error_without_the_key(emulator):
    wrong = openai.OpenAI(api_key="not-the-key", base_url=f"{emulator.url}/v1", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as refused:
        wrong.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert refused.value.status_code == 401
    assert "API key" in str(refused.value)
    assert emulator.api_key not in str(refused.value)
    with pytest.raises(openai.AuthenticationError):
        wrong.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)


def test_bad_requests_are_openai_errors_naming_the_field(client):
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, n=2)
    assert "n must be 1" in str(refused.value)
    with pytest.raises(openai.BadRequestError) as empty:
        client.chat.completions.create(model="gpt-4o-mini", messages=[])
    assert "messages" in str(empty.value)


def test_injected_faults_reach_the_openai_client(emulator_factory):
    server = emulator_factory(error_rate=1.0)
    flaky = openai.OpenAI(api_key=server.api_key, base_url=f"{server.url}/v1", max_retries=0)
    with pytest.raises(openai.InternalServerError) as refused:
        flaky.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert refused.value.status_code == 503 and "injected fault" in str(refused.value)
