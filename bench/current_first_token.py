"""Q12: a run on the current API, time to the first token and from the last token to the rating
form, against the ``openai`` client called directly on the same model endpoint.

The emulator runs in its own process (offline provider) and is both HoneyHive (configurations,
sessions, events) and the model endpoint (``/v1/chat/completions``, streamed). Project:
``CurrentBackend.generate_stream`` as the Playground calls it, its events handed to the feedback
outbox (``FeedbackOutbox``, SQLite file): time from the call to the first chunk, and from the last
chunk to ``generation`` being set (what the rating form waits for). Baseline: ``openai.OpenAI``
streaming the same rendered messages. For reference, the previous behaviour: configurations
fetched on every run and ``POST /events`` sent before the run returns. Rounds alternate.
``--latency-ms`` adds that much to every emulator answer (HoneyHive and model alike, as a remote
HoneyHive would); the default 0 is loopback.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import openai

from bench._common import API_KEY, INPUTS, TASK, emulator_process, median, parse_args, print_table, ratio_line
from hive_review.backends import CurrentBackend, ModelEndpoint
from hive_review.backends.configurations import choose_configuration, render_messages
from hive_review.backends.run_support import ConfigurationCache
from hive_review.feedback.worker import FeedbackOutbox
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient


def stream_times(chunks_of: object) -> tuple[float, float, float]:
    """(first chunk, last chunk, done) seconds after the call, for a callable that starts a stream."""
    start = time.perf_counter()
    stream = chunks_of()  # type: ignore[operator]
    first = last = None
    for chunk in stream:
        now = time.perf_counter() - start
        if first is None and chunk:
            first = now
        last = now
    if getattr(stream, "generation", True) is None:
        raise RuntimeError("the run ended without a generation")
    done = time.perf_counter() - start
    return first or done, last or done, done


def main() -> None:
    extra = argparse.ArgumentParser(add_help=False)
    extra.add_argument("--latency-ms", type=float, default=0.0)
    known, rest = extra.parse_known_args()
    sys.argv = [sys.argv[0], *rest]
    args = parse_args(__doc__ or "", reps=30)
    runs = 3 if args.quick else args.reps
    with tempfile.TemporaryDirectory() as tmp, emulator_process(latency_ms=known.latency_ms) as url:
        stores = open_stores(f"sqlite:///{Path(tmp) / 'sessions.sqlite3'}")
        client = HoneyHiveClient(API_KEY, url, timeout=30)
        sender = CurrentBackend(client, None, session_name="feedback")
        outbox = FeedbackOutbox(stores.feedback, sender, connection_id="bench").start()
        endpoint = ModelEndpoint(f"{url}/v1", API_KEY, timeout=30)
        project = CurrentBackend(client, endpoint, session_name="bench first token", events=outbox)
        before = CurrentBackend(client, endpoint, session_name="bench before")
        before._configurations = ConfigurationCache(ttl=0.0)  # as before: asked on every run
        direct = openai.OpenAI(base_url=f"{url}/v1", api_key=API_KEY, max_retries=0)
        configuration = choose_configuration(client.list_configurations(), TASK, None, "prod")
        messages = render_messages(configuration, INPUTS)
        model = configuration.parameters.model

        def openai_stream() -> object:
            opened = direct.chat.completions.create(model=model, messages=messages, stream=True)  # type: ignore[arg-type]
            return (c.choices[0].delta.content or "" for c in opened if c.choices)

        contenders = {
            "openai client, direct (baseline)": openai_stream,
            "CurrentBackend.generate_stream": lambda: project.generate_stream(TASK, INPUTS),
            "(before: GET configurations + POST /events in the run)": lambda: before.generate_stream(TASK, INPUTS),
        }
        times: dict[str, list[tuple[float, float, float]]] = {name: [] for name in contenders}
        for fn in contenders.values():
            stream_times(fn)  # warm: connections, the HoneyHive session
        for _ in range(runs):
            for name, fn in contenders.items():
                times[name].append(stream_times(fn))
        drained = outbox.drain(60)
        outbox.stop()
        filters = [{"field": "session_id", "operator": "is", "value": project.session_id, "type": "string"}]
        logged = sum(1 for e in client.export_events(filters) if e.event_type == "model")
        stores.close()
    print_table(
        f"Time to the first token, {runs} streamed runs each (emulator latency {known.latency_ms:g} ms)",
        [(name, [t[0] for t in samples]) for name, samples in times.items()],
        unit="ms",
        scale=1000,
    )
    print_table(
        "From the last token to the generation being ready (the rating form)",
        [(name, [t[2] - t[1] for t in samples]) for name, samples in times.items()],
        unit="ms",
        scale=1000,
    )
    baseline, ours = (median([t[0] for t in times[name]]) for name in list(contenders)[:2])
    print(f"events: {logged} of {runs + 1} runs logged at HoneyHive after the outbox drained ({drained=})")
    overhead_ms = (ours - baseline) * 1000
    print(f"first-token overhead: {overhead_ms:.1f} ms (target <= 20 ms)")
    ratio_line(overhead_ms / 20.0, "<= 1.00: first-token overhead / 20 ms")


if __name__ == "__main__":
    main()
