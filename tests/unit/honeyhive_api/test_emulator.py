"""The emulator's own contract over real HTTP: auth, errors with messages, limits, seed, streaming,
fault controls, and the command line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from honeyhive_api import streaming
from honeyhive_api.emulator.config import SEED_PATH

TASK = "Sandbox - Email Writer"


def call(emulator, method: str, path: str, *, key: str | None = "default", **kwargs) -> requests.Response:
    headers = kwargs.pop("headers", {})
    if key is not None:
        headers["Authorization"] = f"Bearer {emulator.api_key if key == 'default' else key}"
    return requests.request(method, f"{emulator.url}{path}", headers=headers, timeout=10, **kwargs)


def test_health_needs_no_key_and_names_the_model(emulator):
    answer = call(emulator, "GET", "/health", key=None)
    assert answer.status_code == 200
    assert answer.json()["provider"] == "offline"
    assert "offline" in answer.json()["model"]


@pytest.mark.parametrize("key", [None, "wrong-key", ""])
def test_a_missing_or_wrong_key_is_401_with_a_json_message(emulator, key):
    answer = call(emulator, "GET", "/tasks", key=key)
    assert answer.status_code == 401
    assert "API key" in answer.json()["message"]
    assert emulator.api_key not in answer.text


def test_unknown_task_is_404_naming_it(emulator):
    answer = call(emulator, "POST", "/generations", json={"task": "Nope", "input": {}})
    assert answer.status_code == 404
    assert "'Nope'" in answer.json()["message"]


def test_missing_variables_are_422_naming_them(emulator):
    answer = call(emulator, "POST", "/generations", json={"task": TASK, "input": {"topic": "x", "tone": "  "}})
    assert answer.status_code == 422
    assert "tone" in answer.json()["message"]
    assert answer.json()["fields"] == ["input.tone"]


def test_a_malformed_body_is_422_naming_the_fields(emulator):
    answer = call(emulator, "POST", "/feedback", json={"task": TASK, "feedback_json": "not an object"})
    assert answer.status_code == 422
    body = answer.json()
    assert "generation_id" in body["fields"] and "feedback_json" in body["fields"]
    broken = call(emulator, "POST", "/feedback", data=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422
    assert "JSON" in broken.json()["message"]


def test_nulls_for_optional_fields_mean_not_given(emulator):
    body = {
        "task": TASK,
        "input": {"topic": "nulls", "tone": "plain"},
        "prompts": None,
        "model_id": None,
        "best_of": None,
        "metric": None,
        "sampling": None,
        "user_properties": None,
        "source": None,
        "stream": None,
    }
    answer = call(emulator, "POST", "/generations", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == "1"
    # GET /tasks with a JSON body, as HoneyHive's SDK sends it
    tasks = call(emulator, "GET", "/tasks", json={"name": None})
    assert tasks.status_code == 200 and len(tasks.json()) >= 3


def test_bodies_over_the_limit_are_413_even_when_chunked(emulator_factory):
    small = emulator_factory(max_body_bytes=1000)
    big = {"task": TASK, "model": "m", "hyperparameters": {}, "generation": "x" * 5000}
    assert call(small, "POST", "/generations/log", json=big).status_code == 413

    def chunks():
        payload = json.dumps(big).encode()
        for start in range(0, len(payload), 512):
            yield payload[start : start + 512]

    chunked = call(small, "POST", "/generations/log", data=chunks(), headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413
    assert "larger than 1000 bytes" in chunked.json()["message"]


def test_the_shipped_seed_has_three_tasks_with_one_deployed_variant_each(emulator):
    seed = yaml.safe_load(SEED_PATH.read_text())
    assert len(seed["tasks"]) >= 3
    tasks = call(emulator, "GET", "/tasks").json()
    names = {task["name"] for task in tasks}
    assert TASK in names
    for task in tasks:
        assert 2 <= len(task["prompts"]) <= 3
        assert sum(p["is_deployed"] for p in task["prompts"]) == 1
        for prompt in task["prompts"]:
            assert prompt["model"] and prompt["hyperparameters"]
            assert all(f"{{{{{name}}}}}" in prompt["text"] for name in prompt["input_variables"])
    email = next(task for task in tasks if task["name"] == TASK)
    assert set(email["prompts"][0]["input_variables"]) == {"topic", "tone"}


def test_the_stream_is_server_sent_events_ending_with_the_generation(emulator):
    answer = call(
        emulator,
        "POST",
        "/generations",
        json={"task": TASK, "input": {"topic": "streams", "tone": "dry"}, "stream": True},
        stream=True,
    )
    assert answer.headers["content-type"].startswith("text/event-stream")
    events = list(streaming.decode_events(answer.iter_lines(decode_unicode=True)))
    assert [e.event for e in events[:-1]] == ["chunk"] * (len(events) - 1)
    assert events[-1].event == "done"
    text = "".join(e.data["text"] for e in events[:-1])
    assert events[-1].data["generation"] == text
    assert events[-1].data["usage"]["completion_tokens"] > 0


def test_task_and_prompt_management(emulator):
    created = call(emulator, "POST", "/tasks", json={"name": "QA - Scratch", "type": None, "prompts": None})
    assert created.status_code == 200, created.text
    prompt = call(
        emulator,
        "POST",
        "/prompts",
        json={"task": "QA - Scratch", "text": "Say {{word}}", "model": "m", "hyperparameters": {}},
    ).json()
    assert prompt["is_deployed"] is True and prompt["input_variables"] == ["word"]
    second = call(
        emulator,
        "POST",
        "/prompts",
        json={
            "task": "QA - Scratch",
            "name": "scratch-b",
            "text": "Shout {{word}}",
            "model": "m",
            "hyperparameters": {},
            "is_deployed": True,
        },
    ).json()
    prompts = call(emulator, "GET", "/prompts", params={"task": "QA - Scratch"}).json()
    assert [p["name"] for p in prompts if p["is_deployed"]] == [second["name"]]
    updated = call(emulator, "PUT", f"/prompts/{prompt['id']}", json={"text": "Whisper {{word}}"}).json()
    assert updated["text"] == "Whisper {{word}}"
    assert call(emulator, "DELETE", "/prompts/scratch-b").json() == {"deleted": True}
    assert call(emulator, "DELETE", "/tasks/QA - Scratch").json() == {"deleted": True}


def test_fault_settings_are_validated(emulator):
    answer = call(emulator, "PUT", "/_emulator/faults", json={"error_rate": 3})
    assert answer.status_code == 422 and "between 0 and 1" in answer.json()["message"]
    assert call(emulator, "PUT", "/_emulator/faults", json={"nope": 1}).status_code == 422


def test_injected_503s_follow_the_seed(emulator_factory):
    def pattern() -> list[int]:
        server = emulator_factory(error_rate=0.5, fault_seed=42)
        return [call(server, "GET", "/tasks").status_code for _ in range(20)]

    first, second = pattern(), pattern()
    assert first == second
    assert 3 < first.count(503) < 17


def test_data_survives_a_restart(emulator_factory, tmp_path):
    db = str(tmp_path / "kept.sqlite3")
    first = emulator_factory(db_path=db)
    made = call(first, "POST", "/generations", json={"task": TASK, "input": {"topic": "t", "tone": "u"}}).json()
    first.stop()
    second = emulator_factory(db_path=db)
    listed = call(second, "GET", "/generations", params={"task": TASK}).json()
    assert [g["generation_id"] for g in listed] == [made["generation_id"]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_command_line_serves_the_contract(tmp_path):
    port = _free_port()
    env = {**os.environ, "HONEYHIVE_API_KEY": "cli-key"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "honeyhive_api.emulator",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "cli.sqlite3"),
            "--provider",
            "offline",
            "--latency-ms",
            "5",
        ],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the emulator did not start"
            time.sleep(0.1)
        tasks = requests.get(f"http://127.0.0.1:{port}/tasks", headers={"Authorization": "Bearer cli-key"}, timeout=5)
        assert tasks.status_code == 200 and TASK in {t["name"] for t in tasks.json()}
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert "cli-key" not in stderr


def test_the_command_line_rejects_a_bad_error_rate():
    done = subprocess.run(
        [sys.executable, "-m", "honeyhive_api.emulator", "--error-rate", "30"],
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--error-rate is a share between 0 and 1" in done.stderr
