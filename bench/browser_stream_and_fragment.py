"""Q7, in a real browser (Debian's chromium via Playwright) against a real ``streamlit run app.py``.

(a) Streaming: Playground runs against an in-process emulator (200 ms added latency) whose provider is the
offline one wrapped to note the wall-clock time (time.time()) at which it yields its first chunk. A
MutationObserver in the page notes performance.timeOrigin + performance.now() when the completion's first
text appears. Both clocks are this machine's, so their difference is the server-to-screen delay of the
first chunk. Baseline: the same delay for HoneyHiveClient.generate_stream read in Python.
(b) Fragment: 10k rows are logged in the reviewer's session. Playwright watches the app's websocket and
decodes Streamlit's ForwardMsg frames: a full script run ends with script_finished FINISHED_SUCCESSFULLY,
a fragment run with FINISHED_FRAGMENT_RUN_SUCCESSFULLY, and each run's element deltas are counted. A star
click (rating form fragment) is compared with a full rerun (the "Markdown view" toggle).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench._common import INPUTS, ROOT, TASK, make_entries, median, parse_args, print_table, ratio_line
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient
from honeyhive_api.emulator import EmulatorConfig, EmulatorServer
from honeyhive_api.emulator.providers import OfflineProvider

sys.path.insert(0, str(ROOT / "tests"))
from browser_support import choose_option, chromium_page, open_app, streamlit_server, wait_for_app_run

REVIEWER = "bench-browser"
TAG = "bench-run"  # in the topic, so in the echoed prompt: each run's completion carries "bench-run-<n>"
OBSERVER = """tag => { window.__hr_first = null; new MutationObserver((_, obs) => {
  if (document.body.innerText.includes(tag)) { window.__hr_first = performance.timeOrigin + performance.now();
  obs.disconnect(); } }).observe(document.body, {childList: true, subtree: true, characterData: true}); }"""


class StampedProvider(OfflineProvider):
    """The offline provider, noting when it yields the first chunk holding TAG (the offline provider
    yields all its chunks back to back, so this is within a millisecond of the first chunk)."""

    def __init__(self) -> None:
        self.stamps: list[float] = []

    def complete(self, prompt: str, hyperparameters: dict, usage: object) -> object:  # type: ignore[override]
        stamped = False
        for piece in super().complete(prompt, hyperparameters, usage):  # type: ignore[arg-type]
            if not stamped and TAG in piece:
                self.stamps.append(time.time())
                stamped = True
            yield piece


class Frames:
    """Counts of what the server sent since the last reset: script_finished statuses and element deltas."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.full = self.fragment = self.deltas = 0
        self.finished_at: float | None = None

    def on_frame(self, payload: bytes | str) -> None:
        if isinstance(payload, str):
            return
        msg = ForwardMsg.FromString(payload)
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self.deltas += 1
        elif kind == "script_finished":
            self.full += msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
            self.fragment += msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
            self.finished_at = time.perf_counter()


def timed_action(page: object, frames: Frames, act: object) -> tuple[float, int, int, int]:
    frames.reset()
    start = time.perf_counter()
    act()  # type: ignore[operator]
    while frames.finished_at is None:
        page.wait_for_timeout(2)  # type: ignore[attr-defined]  # lets Playwright dispatch websocket events
    wait_for_app_run(page)
    return frames.finished_at - start, frames.full, frames.fragment, frames.deltas


def main() -> None:
    args = parse_args(__doc__ or "")
    runs, logged = (1, 1_000) if args.quick else (args.reps, 10_000)
    provider = StampedProvider()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sessions.sqlite3"
        store = open_stores(f"sqlite:///{db}")
        store.log.add_entries(make_entries(store.log.create_session(REVIEWER).id, REVIEWER, logged))
        store.close()
        config = EmulatorConfig(api_key="bench-browser-key", db_path=str(Path(tmp) / "emu.sqlite3"), latency_ms=200)
        with EmulatorServer(config, provider=provider) as emulator:
            direct = []
            with HoneyHiveClient(emulator.api_key, emulator.url) as client:
                for number in range(runs + 1):
                    with client.generate_stream(TASK, {**INPUTS, "topic": f"{TAG}-{number}"}) as stream:
                        next(chunk for chunk in stream if TAG in chunk)
                        direct.append(time.time() - provider.stamps[-1])
            env = {"HONEYHIVE_API_KEY": emulator.api_key, "HONEYHIVE_BASE_URL": emulator.url, "HONEYHIVE_API": "tasks"}
            env |= {"HIVE_REVIEW_DATABASE_URL": f"sqlite:///{db}", "HIVE_REVIEW_REVIEWER": REVIEWER}
            with streamlit_server(env, Path(tmp) / "streamlit.log") as url, chromium_page() as page:
                frames = Frames()
                page.on("websocket", lambda ws: ws.on("framereceived", frames.on_frame))
                open_app(page, url)
                choose_option(page, "Task", TASK)
                page.get_by_role("textbox", name="tone").fill(INPUTS["tone"])
                browser = []
                for number in range(runs + 1):
                    tag = f"{TAG}-b{number}-"
                    page.get_by_role("textbox", name="topic").fill(tag)
                    page.evaluate(OBSERVER, tag)
                    page.get_by_role("button", name="Run").click()
                    page.wait_for_function("window.__hr_first !== null")
                    browser.append(page.evaluate("window.__hr_first") / 1000 - provider.stamps[-1])
                    wait_for_app_run(page)
                stars, toggles = [], []
                for number in range(runs + 1):
                    star = page.get_by_role("radio", name=f"{1 + number % 5} out of 5 stars").first
                    stars.append(timed_action(page, frames, star.click))
                    toggle = page.get_by_test_id("stCheckbox").filter(has_text="Markdown view").locator("label")
                    toggles.append(timed_action(page, frames, toggle.click))
    direct, browser, stars, toggles = direct[1:], browser[1:], stars[1:], toggles[1:]  # first: warm-up
    print_table(
        "(a) first streamed chunk: emulator yields it -> it is shown",
        [("HoneyHiveClient in Python (baseline)", direct), ("Playground page in chromium", browser)],
        unit="ms",
        scale=1000,
    )
    print_table(
        f"(b) click -> script_finished, {logged:,} rows in the session",
        [("star click (rating form)", [s[0] for s in stars]), ("toggle (full rerun)", [t[0] for t in toggles])],
        unit="ms",
        scale=1000,
    )
    for label, results in (("star click", stars), ("Markdown toggle", toggles)):
        full, fragment, deltas = (sum(r[i] for r in results) for i in (1, 2, 3))
        print(f"{label}: {len(results)} clicks -> {full} full runs, {fragment} fragment runs, {deltas} element deltas")
    ratio = median([s[0] for s in stars]) / median([t[0] for t in toggles])
    ratio_line(ratio, "< 1.00: star click / full rerun, with 0 full runs on star clicks")


if __name__ == "__main__":
    main()
