"""Take the README's screenshots: every page of the studio in Debian's chromium, on the emulator.

.venv/bin/python scripts/screenshots.py        (writes docs/screenshots/*.png)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser_support import choose_option, chromium_page, live_studio, open_app, wait_for_app_run  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
TASK = "Sandbox - Email Writer"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    with live_studio(tmp, reviewer="qa-alice", api_key="screenshot-key") as (url, _emulator), chromium_page() as page:
        # Streamlit scrolls inside its own container: a tall window shows the whole page.
        page.set_viewport_size({"width": 1400, "height": 1900})
        open_app(page, url)
        choose_option(page, "Task", TASK)
        page.get_by_role("textbox", name="topic").fill("the team offsite moves to June")
        page.get_by_role("textbox", name="tone").fill("warm")
        page.get_by_role("button", name="Run").click()
        wait_for_app_run(page)
        page.get_by_role("radio", name="Thumbs up").click()
        wait_for_app_run(page)
        page.get_by_role("radio", name="4 out of 5 stars").click()
        wait_for_app_run(page)
        page.get_by_role("button", name="Submit rating").click()
        wait_for_app_run(page)
        page.screenshot(path=str(OUT / "playground.png"), full_page=True)

        open_app(page, f"{url}/compare")
        page.get_by_role("textbox", name="topic").fill("the new expense tool")
        page.get_by_role("textbox", name="tone").fill("friendly")
        page.get_by_role("button", name="Run 3 variants").click()
        wait_for_app_run(page)
        page.screenshot(path=str(OUT / "compare.png"), full_page=True)
        page.get_by_role("radio", name="Blind A/B").click()
        wait_for_app_run(page)
        page.get_by_role("button", name="Run the pair").wait_for()
        page.get_by_role("textbox", name="topic").fill("the new expense tool")
        page.get_by_role("textbox", name="tone").fill("friendly")
        page.get_by_role("button", name="Run the pair").click()
        wait_for_app_run(page)
        page.screenshot(path=str(OUT / "blind-ab.png"), full_page=True)
        page.keyboard.press("a")
        wait_for_app_run(page)

        inputs = tmp / "inputs.csv"
        inputs.write_text("topic,tone\n" + "".join(f"agenda item {n},brisk\n" for n in range(1, 21)))
        open_app(page, f"{url}/batch")
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(inputs))
        wait_for_app_run(page)
        page.get_by_role("button", name="Start 20 runs").click()
        page.get_by_text("20/20 finished").wait_for(timeout=60_000)
        page.screenshot(path=str(OUT / "batch.png"), full_page=True)

        open_app(page, f"{url}/review_queue")
        page.screenshot(path=str(OUT / "review-queue.png"), full_page=True)

        completions = tmp / "completions.csv"
        completions.write_text("completion,model,input.topic\nThanks for your patience!,gpt-4o,support\n")
        open_app(page, f"{url}/ingest")
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(completions))
        wait_for_app_run(page)
        page.get_by_role("button", name="Log 1 completions").click()
        wait_for_app_run(page)
        page.screenshot(path=str(OUT / "ingest.png"), full_page=True)

        open_app(page, f"{url}/session_log")
        page.wait_for_timeout(1500)  # charts draw after the run
        page.screenshot(path=str(OUT / "session-log.png"), full_page=True)

        open_app(page, f"{url}/numbers")
        page.wait_for_timeout(1500)
        page.screenshot(path=str(OUT / "numbers.png"), full_page=True)
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
