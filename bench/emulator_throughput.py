"""Q5: requests per second the emulator serves (separate process, offline provider, :memory: DB) to 16
concurrent clients doing GET /tasks and POST /generations in turn, for ~10 s per repetition.

The load comes from 2 client processes with 8 threads each (one requests.Session per thread), so the
client side's GIL is not the limit. Baseline: the same load against uvicorn serving a bare ASGI app
(bench._trivial_asgi), the ceiling of uvicorn + HTTP on loopback on this machine. Both servers and the
load generator share the machine's cores.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import requests

from bench._common import API_KEY, INPUTS, TASK, emulator_process, median, parse_args, ratio_line, server_process

PROCESSES = 2
THREADS = 8  # per process: 16 clients in all
TARGET_RPS = 500.0


def _load(url: str, seconds: float) -> tuple[int, int]:
    """In one client process: THREADS threads alternate GET /tasks and POST /generations until the deadline."""
    counts = [[0, 0] for _ in range(THREADS)]
    deadline = time.monotonic() + seconds

    def client(slot: list[int]) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {API_KEY}"
            body = {"task": TASK, "input": INPUTS}
            while time.monotonic() < deadline:
                for answer in (
                    session.get(f"{url}/tasks", timeout=30),
                    session.post(f"{url}/generations", json=body, timeout=30),
                ):
                    slot[0 if answer.ok else 1] += 1

    threads = [threading.Thread(target=client, args=(slot,)) for slot in counts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(ok for ok, _ in counts), sum(bad for _, bad in counts)


def measure(url: str, seconds: float, pool: ProcessPoolExecutor) -> tuple[float, int]:
    """Requests per second (answered 2xx) over all client processes, and the number of failed answers."""
    _load(url, 0.5)  # warm the server (and its first connections) in this process
    start = time.perf_counter()
    results = list(pool.map(_load, [url] * PROCESSES, [seconds] * PROCESSES))
    wall = time.perf_counter() - start
    return sum(ok for ok, _ in results) / wall, sum(bad for _, bad in results)


def main() -> None:
    args = parse_args(__doc__ or "")
    seconds = 2.0 if args.quick else 10.0
    emulator_rps, trivial_rps, failures = [], [], 0
    with ProcessPoolExecutor(PROCESSES, mp_context=multiprocessing.get_context("fork")) as pool:
        with server_process("bench._trivial_asgi") as url:
            for _ in range(args.reps):
                rps, _bad = measure(url, seconds, pool)
                trivial_rps.append(rps)
        with emulator_process() as url:
            for _ in range(args.reps):
                rps, bad = measure(url, seconds, pool)
                emulator_rps.append(rps)
                failures += bad
    print(
        f"\n{PROCESSES} processes x {THREADS} threads, {seconds:.0f} s per repetition, GET /tasks + POST /generations"
    )
    print(f"{'server':<28}  {'n':>3}  {'median req/s':>13}  {'spread (min..max)':>20}")
    for label, samples in (("bare ASGI app (ceiling)", trivial_rps), ("emulator", emulator_rps)):
        print(f"{label:<28}  {len(samples):>3}  {median(samples):>13.0f}  {min(samples):>9.0f}..{max(samples):.0f}")
    print(f"emulator failed answers: {failures}; emulator / ceiling: {median(emulator_rps) / median(trivial_rps):.2f}")
    ratio_line(median(emulator_rps) / TARGET_RPS, f">= 1.00: emulator req/s / {TARGET_RPS:.0f}")


if __name__ == "__main__":
    main()
