"""Take the README's screenshots: every page of the studio in Debian's chromium, on the emulator.

.venv/bin/python scripts/screenshots.py        (writes docs/screenshots/*.png; about a minute)

Each shot is taken once the page shows what it is meant to (a completion, a finished batch, a queue
item with its inputs, drawn charts) and the script run behind it has ended: never after a fixed pause,
which on a slow machine caught a page half drawn (placeholders where the queue item should be).
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser_support import choose_option, chromium_page, live_studio, open_app, wait_for_app_run  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
TASK = "Sandbox - Email Writer"
INGEST_TASK = "Support - Ticket Summarizer"  # another task: Numbers on TASK shows only its own variants
WIDTH = 1400
MAX_HEIGHT = 2600  # the Numbers page runs on below: its verdicts, tables and charts come first
BATCH_ROWS = 20
RATED_IN_QUEUE = (("u", "4"), ("d", "2"), ("u", "5"), ("u", "3"), ("d", "1"), ("u", "4"))
SLOW_MS = 120_000  # a batch or a pair on a loaded machine
Page = Any  # playwright's sync Page (typed loosely, as in tests/browser_support.py)


def _details(page: Page) -> Any:
    """The caption under each completion: ``Version … · Model … · Model time …``."""
    return page.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(r"^Version"))


def _fill(page: Page, **values: str) -> None:
    """Type into the text areas named like the keys, and see that each kept its text."""
    for name, value in values.items():
        box = page.get_by_role("textbox", name=name)
        box.fill(value)
        if box.input_value() != value:
            raise RuntimeError(f"the field {name!r} did not keep its text")


def _charts_drawn(page: Page, count: int) -> None:
    """Wait until ``count`` Vega charts have drawn (Streamlit draws them after the script run)."""
    page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").nth(count - 1).wait_for(
        timeout=SLOW_MS
    )
    wait_for_app_run(page)


def _shoot(page: Page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its own container, so the window is made as tall as
    the page (a full-page screenshot of a short window shows only what is in view)."""
    wait_for_app_run(page)
    page.mouse.move(WIDTH - 1, 1)  # no hover highlight or tooltip in the shot (the sidebar's shows a button)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # nor a focus ring
    page.set_viewport_size({"width": WIDTH, "height": 1000})  # the container is at least the window's height
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stMainBlockContainer]')]"
        ".map(element => element.scrollHeight))"
    )
    page.set_viewport_size({"width": WIDTH, "height": max(1000, min(MAX_HEIGHT, int(height) + 40))})
    wait_for_app_run(page)
    page.locator("[data-testid='stMain']").evaluate("element => element.scrollTo(0, 0)")
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"  {name}.png")


def playground(page: Page, url: str) -> None:
    open_app(page, url)
    choose_option(page, "Task", TASK)
    _fill(page, topic="the team offsite moves to June", tone="warm")
    page.get_by_role("button", name="Run", exact=True).click()
    _details(page).first.wait_for(timeout=SLOW_MS)
    wait_for_app_run(page)
    page.get_by_role("radio", name="Thumbs up").click()
    wait_for_app_run(page)
    page.get_by_role("radio", name="4 out of 5 stars").click()
    wait_for_app_run(page)
    page.get_by_role("button", name="Submit rating").click()
    page.get_by_text("Rating delivered to HoneyHive.").wait_for(timeout=SLOW_MS)
    page.get_by_text("Rating saved.").wait_for(state="hidden")  # the toast
    # The line above the form still says "not submitted yet" until the page runs again (only the form
    # ran on submit): the page's own link runs it, as any next click would.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Playground").click()
    page.get_by_text(re.compile(r"^Your rating: 👍 up · ★★★★☆$")).wait_for()
    _shoot(page, "playground")


def compare(page: Page, url: str) -> None:
    open_app(page, f"{url}/compare")
    _fill(page, topic="the new expense tool", tone="friendly")
    page.get_by_role("button", name="Run 3 variants").click()
    _details(page).nth(2).wait_for(timeout=SLOW_MS)  # all three answered (the page follows them itself)
    _shoot(page, "compare")


def blind_ab(page: Page) -> None:
    """A pair before the vote (identities hidden), then voted from the keyboard."""
    page.get_by_role("radio", name="Blind A/B").click()
    # The mode's own form, not the side-by-side one (same fields) still shown while the page reruns.
    page.get_by_role("button", name="Run the pair").wait_for()
    wait_for_app_run(page)
    _fill(page, topic="the new expense tool", tone="friendly")
    page.get_by_role("button", name="Run the pair").click()
    page.get_by_text(re.compile(r"^Pair 1 of 1")).wait_for(timeout=SLOW_MS)
    page.get_by_role("button", name=re.compile("^A is better")).wait_for()
    _shoot(page, "blind-ab")
    page.get_by_role("heading", name="Response B", exact=True).scroll_into_view_if_needed()
    page.keyboard.press("a")
    page.get_by_role("heading", name=re.compile(r"^Response A: email-writer")).wait_for()
    wait_for_app_run(page)


def batch(page: Page, url: str, tmp: Path) -> None:
    inputs = tmp / "inputs.csv"
    inputs.write_text("topic,tone\n" + "".join(f"agenda item {n},brisk\n" for n in range(1, BATCH_ROWS + 1)))
    open_app(page, f"{url}/batch")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(inputs))
    wait_for_app_run(page)
    page.get_by_role("button", name=f"Start {BATCH_ROWS} runs").click()
    page.get_by_text(f"{BATCH_ROWS}/{BATCH_ROWS} finished").wait_for(timeout=SLOW_MS)
    page.get_by_text(f"Batch finished: {BATCH_ROWS} results").wait_for(timeout=SLOW_MS)  # the page's rerun at the end
    page.get_by_text("Times per variant").wait_for()
    _shoot(page, "batch")


def review_queue(page: Page) -> None:
    """From the batch page into the queue: the first item with its inputs above the completion (its
    variant hidden until rated: blind review), thumbs given from the keyboard; then a few items rated
    for the log and Numbers."""
    page.get_by_role("button", name=f"Review these {BATCH_ROWS} results").click()
    page.get_by_text(f"Item 1 of {BATCH_ROWS}").wait_for(timeout=SLOW_MS)
    main = page.get_by_test_id("stMain")
    main.get_by_text("Inputs", exact=True).wait_for()
    main.get_by_test_id("stText").filter(has_text=re.compile(r"^agenda item \d+$")).first.wait_for()
    main.get_by_test_id("stText").filter(has_text="brisk").first.wait_for()
    page.get_by_text("Keys active").wait_for()  # the key listener has loaded
    page.get_by_text("Variant hidden until you submit").first.wait_for()  # blind review, the default
    wait_for_app_run(page)
    page.keyboard.press("u")
    page.get_by_text("Your rating: 👍 up · not submitted yet").wait_for()
    wait_for_app_run(page)
    _shoot(page, "review-queue")

    page.keyboard.press("4")
    page.keyboard.press("n")
    page.get_by_text("1 done").first.wait_for(timeout=SLOW_MS)
    for done, keys in enumerate(RATED_IN_QUEUE[1:], start=2):
        page.get_by_text(f"Item {done} of {BATCH_ROWS}").wait_for(timeout=SLOW_MS)
        wait_for_app_run(page)
        for key in (*keys, "n"):
            page.keyboard.press(key)
        page.get_by_text(f"{done} done").first.wait_for(timeout=SLOW_MS)
    wait_for_app_run(page)


def ingest(page: Page, url: str, tmp: Path) -> None:
    completions = tmp / "completions.csv"
    completions.write_text(
        "completion,model,latency_ms,input.product,input.ticket\n"
        '"Export to CSV times out for workspaces over 50k rows; started after Tuesday\'s release.",gpt-4o,830,'
        'Reports,"Since the update, exporting our big workspace to CSV spins and then fails."\n'
        '"Customer cannot reset the password: the reset email never arrives (checked spam).",gpt-4o,610,'
        'Accounts,"I asked for a reset link three times today and got nothing."\n'
    )
    open_app(page, f"{url}/ingest")
    choose_option(page, "Task", INGEST_TASK)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(completions))
    wait_for_app_run(page)
    page.get_by_role("button", name="Log 2 completions").click()
    page.get_by_text("Logged 2 completions to HoneyHive").wait_for(timeout=SLOW_MS)
    _shoot(page, "ingest")


def session_log(page: Page, url: str) -> None:
    open_app(page, f"{url}/session_log")
    page.get_by_text(re.compile(r"generations match")).wait_for()
    _charts_drawn(page, 2)  # ratings and model time per version
    _shoot(page, "session-log")


def numbers(page: Page, url: str) -> None:
    open_app(page, f"{url}/numbers")
    page.get_by_text("Which variant does better?").wait_for(timeout=SLOW_MS)
    _charts_drawn(page, 2)
    _shoot(page, "numbers")


def rubrics(page: Page, url: str) -> None:
    """The Rubrics page with the example rubric loaded into the editor and saved as a version."""
    open_app(page, f"{url}/rubrics")
    choose_option(page, "Start from", "An example rubric")
    page.get_by_role("button", name="Load into the editor").click()
    wait_for_app_run(page)
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_text("Saved support-replies version 1.").wait_for()
    _shoot(page, "rubrics")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    with live_studio(tmp, reviewer="qa-alice", api_key="screenshot-key") as (url, _emulator), chromium_page() as page:
        page.set_viewport_size({"width": WIDTH, "height": 1000})
        page.set_default_timeout(60_000)
        try:
            playground(page, url)
            compare(page, url)
            blind_ab(page)
            batch(page, url, tmp)
            review_queue(page)
            ingest(page, url, tmp)
            session_log(page, url)
            numbers(page, url)
            rubrics(page, url)
        except Exception:
            # What the page showed when a wait ran out, and the studio's log, for whoever looks next.
            page.screenshot(path=str(tmp / "failed.png"), full_page=True)
            print(f"failed: the page is in {tmp / 'failed.png'}, the studio's log in {tmp / 'streamlit.log'}")
            raise
    shutil.rmtree(tmp, ignore_errors=True)  # kept when a shot failed, for its failed.png and log
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
