"""HoneyHive's own published SDK of the task-based API (``honeyhive==0.1.29``) against the emulator, unchanged.

``honeyhive==1.7.0`` (the current SDK, ``test_honeyhive_sdk_current.py``) owns the name ``honeyhive`` in
the virtualenv, so ``scripts/setup --dev`` installs 0.1.29 into a directory of its own,
``.venv/honeyhive-0.1.29``. Its client module is loaded from there under its own name for the duration
of the import and then taken out of ``sys.modules`` again: both SDKs work in one test session.

The SDK's package ``__init__`` imports heavy extras (langchain, llama-index, openai 0.x) that the API
client does not use; only ``honeyhive.api.client`` is loaded (see ``load_sdk_client``).
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path
from typing import Any

import pytest

TASK = "Sandbox - Email Writer"
INPUTS = {"topic": "the office closes early on Friday", "tone": "friendly"}
LEGACY_SDK_DIR = Path(sys.prefix) / "honeyhive-0.1.29"
_loaded: dict[str, types.ModuleType] = {}


def _honeyhive_modules() -> dict[str, types.ModuleType]:
    return {
        name: module for name, module in sys.modules.items() if name == "honeyhive" or name.startswith("honeyhive.")
    }


def load_sdk_client() -> Any:
    """``honeyhive.api.client`` of 0.1.29, without running its ``honeyhive/__init__.py`` and without
    disturbing an imported ``honeyhive`` 1.7.0: the modules of either SDK are swapped out of
    ``sys.modules`` while the other imports (the client keeps references to its own models)."""
    if "client" in _loaded:
        return _loaded["client"]
    root = LEGACY_SDK_DIR / "honeyhive"
    if not (root / "api" / "client.py").is_file():
        pytest.fail(f"HoneyHive's SDK 0.1.29 is not in {LEGACY_SDK_DIR}: run `scripts/setup --dev`")
    current = _honeyhive_modules()
    for name in current:
        del sys.modules[name]
    try:
        for name, path in (("honeyhive", root), ("honeyhive.api", root / "api")):
            package = types.ModuleType(name)
            package.__path__ = [str(path)]
            sys.modules[name] = package
        client = importlib.import_module("honeyhive.api.client")
    finally:
        for name in _honeyhive_modules():
            del sys.modules[name]
        sys.modules.update(current)
    assert Path(client.__file__).is_relative_to(LEGACY_SDK_DIR), client.__file__
    _loaded["client"] = client
    return client


@pytest.fixture
def sdk(emulator):
    return load_sdk_client().get_client(emulator.url, emulator.api_key)


def query(model_class: Any, **given: Any) -> Any:
    """An SDK request model with every field given: under pydantic 2 its ``Optional`` fields have no
    default, so SDK users pass each one, unset ones as ``None`` (sent as JSON null)."""
    return model_class(**{**dict.fromkeys(model_class.model_fields), **given})


def as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    for method in ("model_dump", "dict"):
        if hasattr(value, method):
            return getattr(value, method)()
    raise AssertionError(f"unexpected SDK answer {value!r}")


def test_sdk_lists_tasks_and_prompts(sdk):
    tasks = [as_dict(task) for task in sdk.get_tasks()]
    assert TASK in {task["name"] for task in tasks}
    prompts = [as_dict(p) for p in sdk.get_prompts(task=TASK)]
    assert len(prompts) >= 2
    assert sum(bool(p["is_deployed"]) for p in prompts) == 1


def test_sdk_generates_with_the_deployed_prompt_and_a_chosen_variant(sdk):
    models = load_sdk_client()
    prompts = [as_dict(p) for p in sdk.get_prompts(task=TASK)]
    deployed = next(p for p in prompts if p["is_deployed"])
    variant = next(p for p in prompts if not p["is_deployed"])

    answer = as_dict(sdk.generate(query(models.GenerateQuery, task=TASK, input=INPUTS, source="sdk-test")))
    assert answer["version"] == deployed["version"]
    assert INPUTS["topic"] in answer["generation"]
    assert answer["generation_id"]

    chosen = as_dict(sdk.generate(query(models.GenerateQuery, task=TASK, input=INPUTS, prompts=[variant["name"]])))
    assert chosen["version"] == variant["version"]


def test_sdk_logs_a_generation_sends_feedback_twice_and_lists_it(sdk, emulator):
    models = load_sdk_client()
    logged = as_dict(
        sdk.log_generation(
            query(
                models.GenerationLoggingQuery,
                task=TASK,
                model="gpt-4o-mini",
                hyperparameters={"temperature": 0.1},
                generation="Hi all, the office closes at 3pm on Friday.",
                inputs=INPUTS,
                prompt_template="Write about {{topic}} in a {{tone}} tone",
                source="sdk-test",
                latency=420.0,
            )
        )
    )
    generation_id = logged["generation_id"]

    first = as_dict(
        sdk.feedback(
            query(models.FeedbackQuery, task=TASK, generation_id=generation_id, feedback_json={"accepted": True})
        )
    )
    assert first["feedback"] == {"accepted": True}
    second = as_dict(
        sdk.feedback(
            query(
                models.FeedbackQuery,
                task=TASK,
                generation_id=generation_id,
                feedback_json={"rating": 4, "comment": "fine"},
                ground_truth="The office closes at 3pm on Friday.",
            )
        )
    )
    assert second["feedback"] == {"accepted": True, "rating": 4, "comment": "fine"}

    listed = [as_dict(g) for g in sdk.get_generations(task=TASK)]
    row = next(g for g in listed if g["generation_id"] == generation_id)
    assert row["generation"].startswith("Hi all")
    assert row["feedback"] == {"accepted": True, "rating": 4, "comment": "fine"}
    assert row["source"] == "sdk-test"


def test_sdk_with_a_wrong_key_gets_401(emulator):
    client = load_sdk_client().get_client(emulator.url, "not-the-key")
    with pytest.raises(Exception, match="API key"):
        client.get_tasks()
