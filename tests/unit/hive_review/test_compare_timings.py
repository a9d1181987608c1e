"""The model's own time apart from the wait for it: the emulator says how long a request waited for
its one-at-a-time model and how long the model took, both backends carry it into the generation,
the log keeps it, and Numbers compares variants on it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import openai
import pandas as pd
import pytest

from hive_review.backends.current import CurrentBackend
from hive_review.backends.model_endpoint import ModelEndpoint
from hive_review.compare.variant_numbers import variant_numbers
from hive_review.log import columns as col
from hive_review.log.entries import LogEntry, RunContext, entry_from_generation, generation_timings
from hive_review.stores import open_stores
from honeyhive_api import Generation, HoneyHiveClient
from honeyhive_api.emulator import EmulatorConfig, EmulatorServer
from honeyhive_api.emulator.providers import Completion, LocalModelProvider, OfflineProvider, timed
from ui.compare_completion import model_text, numbers_notice, time_parts, waiting_notice

TASK = "Sandbox - Email Writer"
INPUTS = {"topic": "the fire drill", "tone": "calm"}
MODEL_SECONDS = 0.4
CONTEXT = RunContext(session_id="s-1", reviewer="qa", task=TASK, origin="compare", source="test")


class OneModelAtATime(OfflineProvider):
    """Answers as the offline provider does, but like the local model: one request at a time, each
    taking ``MODEL_SECONDS`` of model time."""

    name = "one-at-a-time"

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def complete(self, prompt: str, hyperparameters: Any, usage: Completion):  # type: ignore[override]
        with self._lock:
            usage.model_started = time.perf_counter()
            time.sleep(MODEL_SECONDS)
            yield from super().complete(prompt, hyperparameters, usage)


@pytest.fixture
def slow_emulator(tmp_path):
    config = EmulatorConfig(api_key="timing-key", db_path=str(tmp_path / "emulator.sqlite3"))
    with EmulatorServer(config, provider=OneModelAtATime()) as server:
        yield server


def _three_at_once(call) -> list[Any]:
    with ThreadPoolExecutor(3) as pool:
        return list(pool.map(lambda _: call(), range(3)))


def test_the_task_api_answers_the_model_time_apart_from_the_wait(slow_emulator):
    client = HoneyHiveClient(slow_emulator.api_key, slow_emulator.url, timeout=30)
    generations = _three_at_once(lambda: client.generate(TASK, INPUTS))
    timings = sorted((generation_timings(g) for g in generations), key=lambda t: t[col.WAIT_MS])
    for found in timings:  # each answer's own time is the model's, wherever it stood in the queue
        assert MODEL_SECONDS * 1000 <= found[col.MODEL_LATENCY_MS] < MODEL_SECONDS * 1000 + 300
        assert found[col.FIRST_TOKEN_MS] is not None and found[col.FIRST_TOKEN_MS] >= MODEL_SECONDS * 1000
    waits = [found[col.WAIT_MS] for found in timings]
    assert waits[0] < 200 and waits[1] >= MODEL_SECONDS * 1000 * 0.9 and waits[2] >= MODEL_SECONDS * 2000 * 0.9
    slowest = max(generations, key=lambda g: g.latency)
    assert slowest.latency >= MODEL_SECONDS * 3000 * 0.9  # the whole latency still counts the queue


def test_chat_completions_report_the_model_time_in_the_usage_streamed_or_not(slow_emulator):
    client = openai.OpenAI(api_key=slow_emulator.api_key, base_url=f"{slow_emulator.url}/v1", max_retries=0)
    messages = [{"role": "user", "content": "hello"}]
    whole = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert whole.usage is not None
    extra = whole.usage.model_extra or {}
    assert extra["model_ms"] >= MODEL_SECONDS * 1000 and extra["queue_ms"] < 200
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o-mini", messages=messages, stream=True, stream_options={"include_usage": True}
        )
    )
    usage = chunks[-1].usage
    assert usage is not None and (usage.model_extra or {})["first_token_ms"] >= MODEL_SECONDS * 1000


def test_the_current_backend_carries_the_endpoint_times_into_the_generation_and_the_event(slow_emulator):
    client = HoneyHiveClient(slow_emulator.api_key, slow_emulator.url, timeout=30)
    endpoint = ModelEndpoint(f"{slow_emulator.url}/v1", slow_emulator.api_key, timeout=30)
    backend = CurrentBackend(client, endpoint, session_name="timings")
    generations = _three_at_once(lambda: backend.generate(TASK, INPUTS))
    generations.append(_streamed(backend))
    for generation in generations:
        found = generation_timings(generation)
        assert MODEL_SECONDS * 1000 <= found[col.MODEL_LATENCY_MS] < MODEL_SECONDS * 1000 + 300
    assert max(generation_timings(g)[col.WAIT_MS] for g in generations) >= MODEL_SECONDS * 2000 * 0.9
    event = client.get_event(generations[0].generation_id)
    assert event.metadata["model_latency_ms"] == pytest.approx(generations[0].model_extra["model_latency_ms"])
    assert event.metadata["wait_ms"] == pytest.approx(generations[0].model_extra["wait_ms"])


def _streamed(backend: CurrentBackend) -> Generation:
    with backend.generate_stream(TASK, INPUTS) as stream:
        assert "".join(stream)
    assert stream.generation is not None
    return stream.generation


def test_the_local_provider_stamps_its_turn_after_the_wait_for_the_model():
    class FakeLlama:
        def tokenize(self, data: bytes, add_bos: bool) -> list[int]:
            return list(range(len(data.split())))

        def create_completion(self, prompt: str, **_: Any):
            time.sleep(0.2)
            yield {"choices": [{"text": "an answer"}]}

    provider = LocalModelProvider(threads=1)
    provider._model = FakeLlama()
    usages = [Completion(), Completion()]
    arrived = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        texts = list(pool.map(lambda u: "".join(timed(provider.complete("hi", {}, u), u)), usages))
    assert texts == ["an answer", "an answer"]
    times = sorted((usage.timings(arrived) for usage in usages), key=lambda t: t["queue_ms"])
    assert all(190 <= t["model_ms"] < 400 for t in times)
    assert times[0]["queue_ms"] < 100 and times[1]["queue_ms"] >= 190


def test_a_generation_without_times_leaves_the_columns_empty_and_odd_values_are_left_out():
    plain = Generation(generation_id="g-1", version="1", generation="text", latency=900.0)
    entry = entry_from_generation(plain, CONTEXT, inputs=INPUTS)
    assert (entry.model_latency_ms, entry.first_token_ms, entry.wait_ms) == (None, None, None)
    odd = Generation.model_validate(
        {"generation_id": "g-2", "version": "1", "generation": "t", "model_latency": "fast", "queue_ms": -5}
    )
    assert generation_timings(odd) == {col.MODEL_LATENCY_MS: None, col.FIRST_TOKEN_MS: None, col.WAIT_MS: None}
    named = Generation.model_validate(
        {"generation_id": "g-3", "version": "1", "generation": "t", "model_latency": 120, "queue_ms": 3400.5}
    )
    entry = entry_from_generation(named, CONTEXT, inputs=INPUTS)
    assert (entry.model_latency_ms, entry.wait_ms) == (120.0, 3400.5)


def test_the_log_keeps_the_times_as_numbers(tmp_path):
    stores = open_stores(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")
    try:
        session = stores.log.create_session("qa")
        stores.log.add_entries(
            [
                LogEntry("g-1", session.id, "qa", TASK, "1", "c", latency_ms=5000.0, model_latency_ms=800.0,
                         first_token_ms=90.0, wait_ms=4200.0),
                LogEntry("g-2", session.id, "qa", TASK, "1", "c", latency_ms=700.0),
            ]
        )  # fmt: skip
        log = stores.log.load_log(session.id)
        for name in (col.MODEL_LATENCY_MS, col.FIRST_TOKEN_MS, col.WAIT_MS):
            assert log[name].dtype == np.float64
        assert log[col.WAIT_MS].iloc[0] == 4200.0 and np.isnan(log[col.WAIT_MS].iloc[1])
        assert stores.log.get_entry("g-1")[col.MODEL_LATENCY_MS] == 800.0
    finally:
        stores.close()


def test_numbers_take_the_model_time_where_the_log_has_it():
    rows = pd.DataFrame(
        {
            col.PROMPT_VERSION: ["1"] * 3 + ["2"] * 3,
            col.PROMPT_NAME: ["a"] * 3 + ["b"] * 3,
            col.THUMBS: [None] * 6,
            col.RATING: [None] * 6,
            col.TOTAL_TOKENS: [10] * 6,
            col.COST: [0.0] * 6,
            # Queue positions 1, 2, 3 for both variants: the whole latencies grow with them.
            col.LATENCY_MS: [1000.0, 2000.0, 3000.0, 1100.0, 2100.0, 3100.0],
            col.MODEL_LATENCY_MS: [1000.0, 1000.0, 1000.0, 1100.0, 1100.0, np.nan],
            col.WAIT_MS: [0.0, 1000.0, 2000.0, 0.0, 1000.0, np.nan],
        }
    )
    first, second = variant_numbers(rows)
    assert first.estimates["p95_latency_ms"].value == 1000.0
    assert second.estimates["p50_latency_ms"].value == 1100.0  # the row without model time: its latency
    assert second.estimates["p95_latency_ms"].value == pytest.approx(2900.0)  # of 1,100, 1,100 and 3,100
    assert "3 runs waited for a single model" in (numbers_notice(rows) or "")
    assert numbers_notice(rows.drop(columns=[col.WAIT_MS])) is None


def test_a_completion_says_which_model_answered_and_its_own_time():
    assert model_text("gpt-3.5-turbo", "offline-echo") == (
        "**Model** `gpt-3.5-turbo` configured · answered by `offline-echo`"
    )
    assert model_text("gpt-4o-mini", "gpt-4o-mini") == "**Model** `gpt-4o-mini`"
    row = {col.LATENCY_MS: 4700.0, col.MODEL_LATENCY_MS: 800.0, col.FIRST_TOKEN_MS: 95.0, col.WAIT_MS: 3900.0}
    assert time_parts(row) == ["**Model time** 800 ms", "**First token** 95 ms", "**Waited** 3,900 ms for the model"]
    assert time_parts({col.LATENCY_MS: 700.0, col.MODEL_LATENCY_MS: None}) == ["**Latency** 700 ms"]
    assert waiting_notice([10.0, None, float("nan")]) is None
    assert "one request at a time (up to 12.5 s)" in (waiting_notice([100.0, 12_500.0]) or "")
