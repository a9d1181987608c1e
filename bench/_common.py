"""Helpers shared by the benchmark scripts: arguments, timing, tables, a separate emulator process, log rows."""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from hive_review.log.entries import LogEntry

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "bench-emulator-key"
TASK = "Sandbox - Email Writer"
INPUTS = {"topic": "quarterly planning offsite", "tone": "upbeat"}


def parse_args(description: str, reps: int = 5) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="1 repetition at tiny sizes (smoke test)")
    parser.add_argument("--reps", type=int, default=None, help=f"repetitions (default {reps}; --quick: 1)")
    args = parser.parse_args()
    if args.reps is None:
        args.reps = 1 if args.quick else reps
    return args


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def repeat(fn: Callable[[], object], reps: int) -> list[float]:
    return [timed(fn) for _ in range(reps)]


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def spread(samples: Sequence[float], scale: float = 1.0, fmt: str = "{:.3f}") -> str:
    return f"{fmt.format(min(samples) * scale)}..{fmt.format(max(samples) * scale)}"


def print_table(title: str, rows: Sequence[tuple[str, Sequence[float]]], unit: str = "s", scale: float = 1.0) -> None:
    """One line per measurement: median and spread (min..max) of its samples, ``scale`` applied."""
    width = max([len(label) for label, _ in rows] + [12])
    print(f"\n{title}")
    print(f"{'measurement':<{width}}  {'n':>3}  {'median ' + unit:>14}  {'spread (min..max)':>24}")
    for label, samples in rows:
        fmt = "{:.1f}" if median(samples) * scale >= 10 else "{:.3f}"
        med = fmt.format(median(samples) * scale)
        print(f"{label:<{width}}  {len(samples):>3}  {med:>14}  {spread(samples, scale, fmt):>24}")


def ratio_line(ratio: float, target: str) -> None:
    print(f"ratio: {ratio:.2f} (target {target})")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def emulator_process(provider: str = "offline", latency_ms: float = 0.0) -> Iterator[str]:
    """``python -m honeyhive_api.emulator`` in its own process (its own GIL), :memory: DB; yields its URL."""
    args = ["--provider", provider, "--db", ":memory:", "--latency-ms", str(latency_ms)]
    with server_process("honeyhive_api.emulator", args) as url:
        yield url


@contextmanager
def server_process(module: str, args: Sequence[str] = ()) -> Iterator[str]:
    """``python -m <module> --port N <args>`` on loopback, ready once ``/health`` answers; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", module, "--port", str(port), *args]
    env = {**os.environ, "HONEYHIVE_API_KEY": API_KEY}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{module} exited early with {process.returncode}")
            try:
                if requests.get(f"{url}/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{module} did not start within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def make_entries(session_id: str, reviewer: str, count: int, start: int = 0) -> list[LogEntry]:
    """``count`` plausible log rows: 3 prompt versions, two inputs, a ~300-character completion."""
    base = datetime(2025, 1, 1, tzinfo=UTC)
    body = "Dear team, here is the plan for the offsite. " * 6
    return [
        LogEntry(
            generation_id=f"gen-{session_id[:8]}-{i:07d}",
            session_id=session_id,
            reviewer=reviewer,
            task=TASK,
            prompt_version=str(1 + i % 3),
            prompt_name=f"email-writer-v{1 + i % 3}",
            completion=f"{body}#{i}",
            timestamp=base + timedelta(seconds=i),
            model="offline-echo",
            source="bench",
            origin="batch",
            inputs={"topic": f"topic {i % 97}", "tone": ("warm", "upbeat", "formal")[i % 3]},
            latency_ms=50.0 + i % 200,
            prompt_tokens=40 + i % 7,
            completion_tokens=60 + i % 11,
            total_tokens=100 + i % 18,
            cost=0.0001 * (i % 5),
        )
        for i in range(start, start + count)
    ]


def fill_log(database_url: str, reviewer: str, rows: int, chunk: int = 20_000, session_id: str | None = None) -> str:
    """``rows`` log rows (``make_entries``) in a new session (or the one given); returns its id."""
    from hive_review.stores import open_stores  # here: the stores start the log reader's helper

    stores = open_stores(database_url)
    try:
        session_id = session_id or stores.log.create_session(reviewer).id
        for start in range(0, rows, chunk):
            stores.log.add_entries(make_entries(session_id, reviewer, min(chunk, rows - start), start=start))
        return session_id
    finally:
        stores.close()


def rss_mib(pid: int | None = None) -> float:
    """Resident memory of a process (this one by default), MiB, from /proc."""
    with open(f"/proc/{pid or os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/<pid>/status")
