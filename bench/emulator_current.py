"""Q14: requests per second the emulator serves on the current API's routes to 16 clients, and how
long an export of 10k events takes.

The emulator runs in its own process (offline provider, :memory: DB), seeded with 10k events in
one session (``POST /events/batch``). Load: 2 client processes x 8 threads (one ``requests.Session``
each), every client repeating ``POST /events`` (a new event), ``PUT /events`` (feedback on it) and
``POST /v1/events/export`` (a page of 1,000 events, a random one of the first ten), for ~10 s per
repetition; each route is also measured alone. Baseline: the same load against uvicorn serving a
bare ASGI app (``bench._trivial_asgi``), this machine's ceiling for uvicorn + HTTP on loopback.
The bare app answers an export with a body of an export page's size (~770 KB), the rest with a
small one. Export: one client reading all 10k events as 10 pages of 1,000, one after another.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor

import requests

from bench._common import API_KEY, emulator_process, median, parse_args, print_table, ratio_line, server_process

PROCESSES = 2
THREADS = 8  # per process: 16 clients in all
PAGE = 1_000
EVENTS = 10_000
TARGET_RPS = 500.0
ROUTES = ("POST /events", "PUT /events", "export page")


def _event(session_id: str) -> dict:
    now = time.time() * 1000
    return {
        "event_id": str(uuid.uuid4()), "event_type": "model", "event_name": "email-writer-v1",
        "session_id": session_id, "source": "bench", "config": {"model": "gpt-4o-mini"},
        "inputs": {"topic": "offsite", "tone": "calm"}, "outputs": {"role": "assistant", "content": "Dear team, " * 20},
        "start_time": now, "end_time": now + 120, "duration": 120, "metadata": {"total_tokens": 90},
    }  # fmt: skip


def _requests(url: str, seeded: list[str], routes: tuple[str, ...]) -> list[tuple[str, str, dict]]:
    """One round of a client: the requests of ``routes``, in order. The feedback goes to the event
    just posted, or (``PUT /events`` alone) to one of the seeded ones."""
    event = _event(seeded[0] if seeded else "bare")
    out = []
    for route in routes:
        if route == "POST /events":
            out.append(("POST", f"{url}/events", {"event": event}))
        elif route == "PUT /events":
            target = event["event_id"] if "POST /events" in routes or not seeded else random.choice(seeded[1:])
            out.append(("PUT", f"{url}/events", {"event_id": target, "feedback": {"rating": 4}}))
        else:
            page = random.randint(1, EVENTS // PAGE)
            out.append(("POST", f"{url}/v1/events/export", {"filters": [], "limit": PAGE, "page": page}))
    return out


def _load(url: str, seeded: list[str], routes: tuple[str, ...], seconds: float) -> tuple[int, int]:
    counts = [[0, 0] for _ in range(THREADS)]
    deadline = time.monotonic() + seconds

    def client(slot: list[int]) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {API_KEY}"
            while time.monotonic() < deadline:
                for method, target, body in _requests(url, seeded, routes):
                    answer = session.request(method, target, json=body, timeout=30)
                    answer.content  # noqa: B018 (read the whole answer, as a client does)
                    slot[0 if answer.ok else 1] += 1

    threads = [threading.Thread(target=client, args=(slot,)) for slot in counts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(ok for ok, _ in counts), sum(bad for _, bad in counts)


def measure(url: str, seeded: list[str], routes: tuple[str, ...], seconds: float, pool: ProcessPoolExecutor) -> float:
    _load(url, seeded, routes, 0.3)  # warm
    start = time.perf_counter()
    results = list(pool.map(_load, [url] * PROCESSES, [seeded] * PROCESSES, [routes] * PROCESSES,
                            [seconds] * PROCESSES))  # fmt: skip
    wall = time.perf_counter() - start
    failed = sum(bad for _, bad in results)
    if failed and seeded:
        raise RuntimeError(f"{failed} failed answers for {routes}")
    return sum(ok for ok, _ in results) / wall


def seed(url: str, events: int) -> list[str]:
    """``events`` events in one new session; answers the session's id, then the events' ids."""
    headers = {"Authorization": f"Bearer {API_KEY}"}
    session_id = str(uuid.uuid4())
    ids = [session_id]
    for start in range(0, events, 500):
        body = {"events": [_event(session_id) for _ in range(min(500, events - start))]}
        answer = requests.post(f"{url}/events/batch", json=body, headers=headers, timeout=60)
        answer.raise_for_status()
        ids += answer.json()["event_ids"]
    return ids


def export_all(url: str, events: int) -> float:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    start, seen = time.perf_counter(), 0
    with requests.Session() as session:
        for page in range(1, events // PAGE + 1):
            answer = session.post(f"{url}/v1/events/export", json={"filters": [], "limit": PAGE, "page": page},
                                  headers=headers, timeout=60)  # fmt: skip
            answer.raise_for_status()
            seen += len(answer.json()["events"])
    if seen < events:
        raise RuntimeError(f"the export answered {seen} of {events} events")
    return time.perf_counter() - start


def main() -> None:
    args = parse_args(__doc__ or "", reps=3)
    seconds = 1.5 if args.quick else 10.0
    events = 2_000 if args.quick else EVENTS
    mixes = {"mix of the three": ROUTES, **{route: (route,) for route in ROUTES}}
    results: dict[str, list[float]] = {f"emulator, {name}": [] for name in mixes}
    results["bare ASGI app, same mix"] = []
    exports: list[float] = []
    with ProcessPoolExecutor(PROCESSES, mp_context=multiprocessing.get_context("fork")) as pool:
        with server_process("bench._trivial_asgi") as bare:
            for _ in range(args.reps):
                results["bare ASGI app, same mix"].append(measure(bare, [], ROUTES, seconds, pool))
        with emulator_process() as url:
            seeded = seed(url, events)
            for _ in range(args.reps):
                exports.append(export_all(url, events))
                for name, routes in mixes.items():
                    results[f"emulator, {name}"].append(measure(url, seeded, routes, seconds, pool))
    print_table(f"{PROCESSES} processes x {THREADS} threads, {seconds:g} s per repetition", list(results.items()),
                unit="req/s")  # fmt: skip
    print_table(f"Export of {events:,} events, pages of {PAGE:,}, one client", [("export", exports)], unit="s")
    mix = median(results["emulator, mix of the three"])
    print(f"emulator mix / bare ASGI: {mix / median(results['bare ASGI app, same mix']):.2f}")
    worst = min(median(results[f"emulator, {name}"]) for name in mixes)
    ratio_line(mix / TARGET_RPS, f">= 1.00: mix req/s / {TARGET_RPS:.0f}; slowest route alone {worst:.0f} req/s; "
               f"export of {events:,}: {median(exports):.2f} s (<= 1 s)")  # fmt: skip


if __name__ == "__main__":
    main()
