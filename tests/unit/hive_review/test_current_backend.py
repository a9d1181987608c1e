"""``CurrentBackend``: the studio's HoneyHive calls over the current API, against the emulator over
real HTTP: configurations as tasks and prompts, the model called through the emulator's
OpenAI-compatible endpoint, every call logged as a ``model`` event in one session, feedback merged."""

from __future__ import annotations

import logging
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from hive_review.backends import (
    CurrentBackend,
    CurrentGenerationStream,
    ModelAuthenticationError,
    ModelEndpoint,
    NoModelEndpointError,
    NotDeployedError,
)
from hive_review.backends.configurations import DEFAULT_GROUP
from honeyhive_api import AuthenticationError, HoneyHiveClient, HoneyHiveError, NotFoundError, ValidationError

TASK = "Sandbox - Email Writer"
INPUTS = {"topic": "the roadmap review", "tone": "calm"}
# From honeyhive_api/emulator/seed.yaml: the deployed prompt of each task is in prod.
PROD = {
    "Sandbox - Email Writer": "email-writer-v1",
    "Support - Ticket Summarizer": "ticket-summary-v1",
    "Marketing - Product Tagline": "tagline-v2-benefit",
}


@pytest.fixture
def hh(emulator) -> HoneyHiveClient:
    return HoneyHiveClient(emulator.api_key, emulator.url, timeout=10)


@pytest.fixture
def endpoint(emulator) -> ModelEndpoint:
    return ModelEndpoint(f"{emulator.url}/v1", emulator.api_key, timeout=10, max_retries=0)


def make(hh, endpoint, **options) -> CurrentBackend:
    return CurrentBackend(hh, endpoint, session_name="qa review", **options)


def deployed(tasks) -> dict[str, str]:
    return {task.name: next(p.name for p in task.prompts if p.is_deployed) for task in tasks if task.deployed_prompt}


def test_configurations_are_tasks_and_prompts_with_the_deployed_one_per_environment(hh, endpoint):
    prod = make(hh, endpoint)
    tasks = prod.list_tasks()
    assert [task.name for task in tasks] == list(PROD)
    assert deployed(tasks) == PROD
    assert prod.api == "current"

    staging = make(hh, endpoint, environment="staging")
    assert deployed(staging.list_tasks())[TASK] == "email-writer-v2-concise"
    assert {p.name: p.is_deployed for p in staging.list_prompts(TASK)} == {
        "email-writer-v1": False,
        "email-writer-v2-concise": True,
        "email-writer-v3-bullets": False,
    }

    [configuration] = hh.list_configurations(name="email-writer-v1")
    prompt = next(p for p in prod.list_prompts(TASK) if p.name == "email-writer-v1")
    assert prompt.task == TASK and prompt.model == "gpt-3.5-turbo" and prompt.provider == "openai"
    assert prompt.hyperparameters == configuration.parameters.hyperparameters
    assert prompt.input_variables == ["topic", "tone"]
    system, user = prompt.text.splitlines()  # chat messages, one per line as "role: content"
    assert system.startswith("system: You write clear") and user.startswith(
        "user: Write a short email about {{ topic }}"
    )
    assert prompt.model_extra["configuration_id"] == configuration.id
    versions = {p.version for p in prod.list_prompts(TASK)}
    assert len(versions) == 3 and prompt.version in versions  # short, stable, one per configuration
    assert prod.list_prompts("No such task") == []


def test_an_untagged_completion_configuration_is_its_own_group_and_runs(hh, endpoint):
    hh.create_configuration(
        "digest",
        provider="openai",
        parameters={
            "call_type": "completion",
            "model": "gpt-4o-mini",
            "hyperparameters": {"temperature": 0.1, "top_k": 5},
            "template": "Digest {{text}} in {{ words }} words.",
        },
        env=["dev"],
    )
    dev = make(hh, endpoint, environment="dev")
    [prompt] = dev.list_prompts(DEFAULT_GROUP)
    assert (prompt.name, prompt.text, prompt.is_deployed) == ("digest", "Digest {{text}} in {{ words }} words.", True)
    assert prompt.input_variables == ["text", "words"]

    generation = dev.generate(DEFAULT_GROUP, {"text": "the minutes", "words": "5"})
    assert "Digest the minutes in 5 words." in generation.generation
    event = hh.get_event(generation.generation_id)
    assert event.config["call_type"] == "completion" and event.config["template"] == prompt.text

    with pytest.raises(NotDeployedError, match="'prod'"):  # deployed to dev only
        make(hh, endpoint).generate(DEFAULT_GROUP, {"text": "x", "words": "1"})


def test_a_streamed_generation_is_logged_as_a_model_event(hh, endpoint):
    backend = make(hh, endpoint)
    prompt = next(p for p in backend.list_prompts(TASK) if p.is_deployed)
    with backend.generate_stream(TASK, INPUTS, user_properties={"user_id": "qa-1"}, source="playground") as stream:
        assert isinstance(stream, CurrentGenerationStream)
        chunks = list(stream)
    generation = stream.generation
    assert generation is not None and len(chunks) > 1
    assert generation.generation == "".join(chunks) == stream.text
    # The template's "{{ topic }}" (spaces inside the braces) was filled in before the model saw it.
    assert "Write a short email about the roadmap review. Use a calm tone." in generation.generation
    assert "{{" not in generation.generation
    assert generation.model == "offline-echo"  # the model that answered, not the configured one
    assert generation.version == prompt.version and generation.source == "playground"
    extra = generation.model_extra
    assert extra["prompt_name"] == "email-writer-v1" and extra["finish_reason"] == "stop"
    assert 0 < extra["first_token_ms"] <= generation.latency

    event = hh.get_event(generation.generation_id)
    assert (event.event_type, event.event_name, event.source) == ("model", "email-writer-v1", "playground")
    assert event.session_id == backend.session_id is not None
    assert event.config["provider"] == "openai" and event.config["model"] == "gpt-3.5-turbo"
    assert event.config["hyperparameters"] == prompt.hyperparameters
    assert event.config["template"][1]["content"].startswith("Write a short email about {{ topic }}")
    assert event.config["configuration_id"] == prompt.model_extra["configuration_id"]
    assert event.config["configuration_name"] == "email-writer-v1" and event.config["env"] == ["prod"]
    assert event.inputs == INPUTS
    assert event.outputs == {"role": "assistant", "content": generation.generation}
    usage = generation.usage
    assert usage is not None and usage.completion_tokens > 0
    assert {k: event.metadata[k] for k in ("prompt_tokens", "completion_tokens", "total_tokens")} == usage.model_dump()
    assert event.metadata["first_token_ms"] == extra["first_token_ms"] and event.metadata["finish_reason"] == "stop"
    assert event.user_properties == {"user_id": "qa-1"}
    assert event.end_time - event.start_time == pytest.approx(event.duration, abs=0.01)
    assert event.duration == pytest.approx(generation.latency)


def test_generations_of_one_backend_share_one_session(hh, endpoint):
    backend = make(hh, endpoint)
    first = backend.generate(TASK, INPUTS, user_properties={"user_id": "qa-1"}, source="batch")
    second = backend.generate(TASK, INPUTS, prompts=["email-writer-v3-bullets"], source="batch")
    events = [hh.get_event(g.generation_id) for g in (first, second)]
    assert {e.session_id for e in events} == {backend.session_id}
    assert [e.event_name for e in events] == ["email-writer-v1", "email-writer-v3-bullets"]
    assert events[1].config["model"] == "gpt-4o-mini"
    assert "first_token_ms" not in events[0].metadata  # nothing streamed: no time to first token
    session = hh.get_event(backend.session_id)
    assert (session.event_type, session.event_name) == ("session", "qa review")
    # Another backend (another review session) starts its own.
    other = make(hh, endpoint)
    other.generate(TASK, INPUTS)
    assert other.session_id not in (None, backend.session_id)


def test_feedback_is_merged_into_the_event_and_ground_truth_cleared_with_an_empty_text(hh, endpoint):
    backend = make(hh, endpoint)
    generation = backend.generate(TASK, INPUTS)
    backend.send_feedback(TASK, generation.generation_id, {"rating": 4}, ground_truth="Hi all, the review moved.")
    backend.send_feedback(TASK, generation.generation_id, {"accepted": True})  # no ground truth: kept
    assert hh.get_event(generation.generation_id).feedback == {
        "rating": 4,
        "accepted": True,
        "ground_truth": "Hi all, the review moved.",
    }
    backend.send_feedback(TASK, generation.generation_id, {"rating": 2}, ground_truth="")
    assert hh.get_event(generation.generation_id).feedback == {"rating": 2, "accepted": True, "ground_truth": ""}
    with pytest.raises(NotFoundError):
        backend.send_feedback(TASK, str(uuid.uuid4()), {"rating": 1})


def test_without_a_model_endpoint_running_says_what_to_set_and_the_rest_works(hh):
    backend = CurrentBackend(hh, None, session_name="qa review")
    for run in (backend.generate, backend.generate_stream):
        with pytest.raises(NoModelEndpointError, match="HIVE_REVIEW_MODEL_BASE_URL") as caught:
            run(TASK, INPUTS)
        assert isinstance(caught.value, HoneyHiveError)
    assert backend.session_id is None  # nothing was logged
    assert deployed(backend.list_tasks()) == PROD
    assert backend.with_options(max_retries=0).model is None

    # Ingest needs no model: the completion was made elsewhere.
    logged = backend.log_generation(
        TASK,
        "gpt-4o",
        "Hello team, the review moved to Friday.",
        hyperparameters={"temperature": 0.2},
        prompt_template="Write about {{topic}}",
        inputs={"topic": "the review"},
        usage={"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14},
        latency=120.0,
        source="ingest",
        user_properties={"user_id": "qa-1"},
        ground_truth="The review moved to Friday.",
    )
    assert (logged.model, logged.latency, logged.usage.total_tokens) == ("gpt-4o", 120.0, 14)
    event = hh.get_event(logged.generation_id)
    assert (event.event_type, event.source, event.session_id) == ("model", "ingest", backend.session_id)
    assert event.config["model"] == "gpt-4o" and event.config["template"] == "Write about {{topic}}"
    assert event.config["hyperparameters"] == {"temperature": 0.2}
    assert event.inputs == {"topic": "the review"}
    assert event.outputs == {"role": "assistant", "content": "Hello team, the review moved to Friday."}
    assert (event.metadata["prompt_tokens"], event.metadata["completion_tokens"]) == (5, 9)
    assert event.duration == pytest.approx(120.0)
    assert event.feedback == {"ground_truth": "The review moved to Friday."}
    assert event.user_properties == {"user_id": "qa-1"}


def test_a_wrong_model_key_fails_without_showing_it(hh, emulator, caplog):
    canary = f"sk-canary-{uuid.uuid4().hex}"
    wrong = ModelEndpoint(f"{emulator.url}/v1", canary, timeout=10, max_retries=0)
    backend = make(hh, wrong)
    caplog.set_level(logging.DEBUG)
    for run in (backend.generate, backend.generate_stream):
        with pytest.raises(ModelAuthenticationError) as caught:
            run(TASK, INPUTS)
        error = caught.value
        assert isinstance(error, AuthenticationError) and error.status_code == 401
        assert "HIVE_REVIEW_MODEL_API_KEY" in error.message
        shown = [str(error), repr(error), "".join(traceback.format_exception(error))]
        assert not any(canary in text or canary[-8:] in text for text in shown)
    assert canary not in repr(wrong) and canary not in repr(backend)
    assert not any(canary in record.getMessage() for record in caplog.records)


def test_inputs_are_checked_and_prompts_found_before_the_model_runs(hh, endpoint):
    backend = make(hh, endpoint)
    with pytest.raises(ValidationError) as caught:
        backend.generate(TASK, {"topic": "x", "tone": "   "})
    assert caught.value.fields == ["input.tone"] and "tone" in caught.value.message
    with pytest.raises(NotFoundError, match="email-writer-v2-concise"):  # says which prompts exist
        backend.generate(TASK, INPUTS, prompts=["no-such-variant"])
    with pytest.raises(NotFoundError, match="Sandbox - Email Writer"):  # says which groups exist
        backend.generate("No such task", INPUTS)
    assert backend.session_id is None  # refused before anything was logged


def test_sixteen_threads_generate_into_one_session(hh, endpoint):
    backend = make(hh, endpoint)
    topics = [f"topic number {n}" for n in range(16)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        generations = list(pool.map(lambda t: backend.generate(TASK, {"topic": t, "tone": "calm"}), topics))
    for topic, generation in zip(topics, generations, strict=True):
        assert f"about {topic}." in generation.generation  # each thread rendered its own inputs
    filters = [{"field": "session_id", "operator": "is", "value": backend.session_id, "type": "string"}]
    events = list(hh.export_events(filters))
    assert [e.event_type for e in events].count("session") == 1
    model_events = [e for e in events if e.event_type == "model"]
    assert sorted(e.event_id for e in model_events) == sorted(g.generation_id for g in generations)


def test_with_options_changes_the_settings_and_keeps_the_session(hh, endpoint):
    backend = make(hh, endpoint, model_override="gpt-4o-mini")
    quick = backend.with_options(timeout=3, max_retries=0)
    assert (quick.client.timeout, quick.client.max_retries) == (3, 0)
    assert (quick.model.timeout, quick.model.max_retries) == (3, 0)
    assert (backend.client.timeout, backend.model.timeout) == (10, 10)  # the original is unchanged
    assert (quick.environment, quick.api) == ("prod", "current")
    first = backend.generate(TASK, INPUTS)
    second = quick.generate(TASK, INPUTS)
    event = hh.get_event(second.generation_id)
    assert event.session_id == backend.session_id == quick.session_id == hh.get_event(first.generation_id).session_id
    assert event.config["model"] == "gpt-4o-mini" and event.config["configured_model"] == "gpt-3.5-turbo"
