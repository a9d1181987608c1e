"""Compare's runs in the background: start a set of comparisons on the process-wide runners, follow
it while it runs, and offer to resume one a stopped studio left unfinished.

Nothing here keeps results in session state: pages read them from the store on every run, so a
reviewer who leaves the page (or reloads it) finds every comparison again, its runs logged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import streamlit as st

from hive_review.compare.comparison_runner import ComparisonRunner, ComparisonRunners
from hive_review.compare.comparison_store import FAILED, RUNNING, UNFINISHED, Comparison, Mode, Variant
from hive_review.run_sources import BLIND_AB_SOURCE, COMPARE_SOURCE, source_for
from honeyhive_api import Prompt
from ui.context import Studio
from ui.state import COMPARE

POLL_SECONDS: Final = 1.0
# After a click, the page waits this long for the runs before drawing: a quick endpoint's answers then
# show at once, a slow one's as they come (the page follows them, or leave it and come back).
QUICK_WAIT_SECONDS: Final = 1.0
# A side-by-side run has its 2-4 variants in flight at once, as before it ran in the background.
SIDE_BY_SIDE_CONCURRENCY: Final = 4
# Each mode's runs reach HoneyHive with their own source, unless the reviewer set one in the sidebar.
MODE_SOURCES: Final[dict[str, str]] = {"side": COMPARE_SOURCE, "blind": BLIND_AB_SOURCE}


@st.cache_resource(show_spinner=False)
def comparison_runners() -> ComparisonRunners:
    """One per server process: a set keeps running while its reviewer is on another page."""
    return ComparisonRunners()


def start_set(
    studio: Studio,
    task: str,
    mode: Mode,
    rows: Sequence[Mapping[str, str]],
    prompts: Sequence[Prompt],
    *,
    label: str,
    seed: int | None = None,
) -> str:
    """Record the comparisons of ``rows`` on ``prompts`` and start making them; the set's id."""
    set_id = studio.stores.comparisons.create_set(
        session_id=studio.session.id,
        task=task,
        mode=mode,
        rows=rows,
        variants=[Variant(prompt.name, prompt.version) for prompt in prompts],
        reviewer=studio.reviewer,
        source=source_for(studio.source, MODE_SOURCES[mode]),
        label=label,
        seed=seed,
    )
    concurrency = SIDE_BY_SIDE_CONCURRENCY if mode == "side" else studio.settings.batch_concurrency
    run_set(studio, set_id, concurrency=concurrency).wait(QUICK_WAIT_SECONDS)
    return set_id


def run_set(studio: Studio, set_id: str, *, concurrency: int) -> ComparisonRunner:
    runner = ComparisonRunner(
        studio.client,
        studio.log,
        studio.stores.comparisons,
        set_id,
        reviewer=studio.reviewer,
        concurrency=concurrency,
    )
    return comparison_runners().start(runner)


def finished_runs(comparisons: Sequence[Comparison]) -> int:
    return sum(run.status not in UNFINISHED for comparison in comparisons for run in comparison.runs)


def render_set_state(studio: Studio, set_id: str, comparisons: Sequence[Comparison], *, concurrency: int) -> None:
    """While the set runs, follow it; when a stopped studio left runs unfinished, or runs failed,
    offer to run them again."""
    if comparison_runners().running(set_id):
        _follow(studio, set_id, finished_runs(comparisons))
        return
    runs = [run for comparison in comparisons for run in comparison.runs]
    unfinished = sum(run.status in UNFINISHED for run in runs)
    failed = sum(run.status == FAILED for run in runs)
    if unfinished:
        st.info(f"{unfinished:,} runs did not finish (the studio stopped while they ran).")
        if st.button("Resume", key=COMPARE("resume", set_id), type="primary", icon=":material/play_arrow:"):
            run_set(studio, set_id, concurrency=concurrency).wait(QUICK_WAIT_SECONDS)
            st.rerun()
    elif failed and st.button(
        f"Run the {failed:,} failed {'run' if failed == 1 else 'runs'} again",
        key=COMPARE("retry", set_id),
        icon=":material/refresh:",
    ):
        studio.stores.comparisons.requeue(set_id, [FAILED])
        run_set(studio, set_id, concurrency=concurrency).wait(QUICK_WAIT_SECONDS)
        st.rerun()


@st.fragment(run_every=POLL_SECONDS)
def _follow(studio: Studio, set_id: str, finished_shown: int) -> None:
    """Checks the set every second on its own (the page around it does not rerun), and reruns the
    page when a run has finished, so its answer is drawn where it belongs."""
    comparisons = studio.stores.comparisons.set_comparisons(set_id)
    running = comparison_runners().running(set_id)
    if finished_runs(comparisons) != finished_shown or not running:
        st.rerun()
    in_flight = sum(run.status == RUNNING for comparison in comparisons for run in comparison.runs)
    total = sum(len(comparison.runs) for comparison in comparisons)
    st.caption(
        f":material/progress_activity: {finished_shown:,} of {total:,} runs finished, {in_flight:,} in flight. "
        "They go on in the background: you can leave this page and come back."
    )
