"""Blind A/B on the Compare page: a pair of variants over a set of inputs (typed by hand, a batch's
inputs, or an uploaded file), made in the background, voted pair after pair from the keyboard.

Which variant wrote which side is hidden and drawn per pair from the set's seed (recorded with the
vote); identities appear only after the vote, with the inputs still in view. The vote is sent to
HoneyHive as feedback on both generations (``preference`` win / loss / tie, a shared ``comparison_id``).
"""

from __future__ import annotations

import contextlib
import secrets
from typing import Final, Literal

import streamlit as st

from hive_review.compare.comparison_store import Comparison, ComparisonRun, ComparisonSet
from hive_review.compare.comparisons import blind_sides
from hive_review.compare.input_sets import voted
from hive_review.compare.votes import AlreadyVoted, BlindVote, Side
from hive_review.log import columns as col
from hive_review.runs.inputs import variables_of
from honeyhive_api import Prompt
from honeyhive_api.templates import render_template
from ui.compare_completion import render_run_details
from ui.compare_form import inputs_form, render_inputs
from ui.compare_runs import render_set_state, start_set
from ui.compare_sets import pick_input_set
from ui.completion_context import render_cut_off_mark
from ui.completion_view import render_completion
from ui.context import Studio
from ui.pickers import variant_label
from ui.state import COMPARE
from ui.text import plain

TYPE_INPUTS: Final = "Type inputs"
INPUT_SET: Final = "An input set"
TYPED: Final = "typed inputs"  # the label of a set of one pair typed by hand
SOURCE = COMPARE("blind", "source")
REVEALED = COMPARE("blind", "revealed")  # the pair whose identities are shown, until Next
SETS_LISTED: Final = 10
Winner = Literal["left", "right", "tie", "both_bad"]


def _current_key(task: str) -> str:
    return COMPARE("blind", "set", "current", task)


def render_blind(studio: Studio, task: str, by_name: dict[str, Prompt]) -> None:
    names = list(by_name)
    deployed = next((n for n in names if by_name[n].is_deployed), names[0])
    other = next(n for n in names if n != deployed)
    chosen = st.multiselect(
        "The pair to compare (exactly two)",
        names,
        default=[deployed, other],
        max_selections=2,
        format_func=lambda name: variant_label(by_name[name]),
        key=COMPARE.blind_variants(task),
    )
    if len(chosen) != 2:
        st.warning("Choose exactly two variants for a blind A/B vote.")
        return
    seed = st.session_state.setdefault(COMPARE.seed, secrets.randbelow(2**31))
    st.caption(
        "Which variant writes A and which writes B is hidden and drawn per pair from a seed recorded with each "
        "vote. Pairs are made in the background: you only vote, and may leave the page meanwhile. "
        "Keys: **A**, **B**, **T** (tie), **X** (both bad), **N** (next pair)."
    )
    prompts = [by_name[name] for name in chosen]
    store = studio.stores.comparisons
    sets = store.sets(studio.session.id, task, "blind", limit=SETS_LISTED)
    source = st.segmented_control("Inputs", [TYPE_INPUTS, INPUT_SET], default=TYPE_INPUTS, key=SOURCE)
    if source == INPUT_SET:
        picked = pick_input_set(studio, task, variables_of(prompts))
    else:
        typed = next((found for found in sets if found.label == TYPED), None)
        saved = store.set_comparisons(typed.id)[0].inputs if typed else {}
        inputs = inputs_form(task, prompts, COMPARE.BLIND_FORM, "Run the pair", saved)
        picked = ([inputs], TYPED) if inputs is not None else None
    if picked is not None:
        rows, label = picked
        set_id = start_set(studio, task, "blind", rows, prompts, label=label, seed=seed)
        st.session_state[_current_key(task)] = set_id
        st.session_state.pop(REVEALED, None)
        sets = store.sets(studio.session.id, task, "blind", limit=SETS_LISTED)
    if sets:
        _render_set(studio, _chosen_set(task, sets), by_name)


def _chosen_set(task: str, sets: list[ComparisonSet]) -> str:
    """The set being voted: the one last started or chosen, else the session's newest."""
    by_id = {found.id: found for found in sets}
    if st.session_state.get(_current_key(task)) not in by_id:
        st.session_state[_current_key(task)] = sets[0].id
    if len(sets) > 1:
        st.selectbox(
            "Pair set",
            list(by_id),
            format_func=lambda set_id: _set_label(by_id[set_id]),
            key=_current_key(task),
        )
    return str(st.session_state[_current_key(task)])


def _set_label(found: ComparisonSet) -> str:
    pairs = f"{found.size:,} pair{'s' if found.size != 1 else ''}"
    return f"{found.label} · {pairs} · {found.created_at[:16].replace('T', ' ')} UTC"


def _render_set(studio: Studio, set_id: str, by_name: dict[str, Prompt]) -> None:
    comparisons = studio.stores.comparisons.set_comparisons(set_id)
    winners = voted(studio.stores.database, [comparison.id for comparison in comparisons])
    total = len(comparisons)
    ready = [comparison for comparison in comparisons if comparison.ready]
    failed = [comparison for comparison in comparisons if comparison.failed]
    st.progress(len(winners) / total, text=f"{len(winners):,} of {total:,} pairs voted · {len(ready):,} ready")
    render_set_state(studio, set_id, comparisons, concurrency=studio.settings.batch_concurrency)
    if failed:
        error = next(run.error for run in failed[0].runs if run.error)
        st.error(f"{len(failed):,} of the pairs could not be made, so they are skipped: {plain(error)}")
    revealed = next((c for c in comparisons if c.id == st.session_state.get(REVEALED) and c.id in winners), None)
    if revealed is not None:
        _render_pair(studio, revealed, by_name, total, winners[revealed.id])  # type: ignore[arg-type]
        return
    upcoming = next((comparison for comparison in ready if comparison.id not in winners), None)
    if upcoming is not None:
        _render_pair(studio, upcoming, by_name, total, None)
    elif len(winners) + len(failed) >= total:
        votes = f"{len(winners):,} vote{'s' if len(winners) != 1 else ''}"
        st.success(f"Every pair of this set is voted ({votes}).", icon=":material/task_alt:")
    else:
        st.caption(":material/progress_activity: The next pair is being made…")


def _sides(comparison: Comparison) -> tuple[ComparisonRun, ComparisonRun]:
    first, second = comparison.runs
    swapped = blind_sides(comparison.seed or 0, comparison.id)
    return (second, first) if swapped else (first, second)


def _name(run: ComparisonRun, by_name: dict[str, Prompt]) -> str:
    prompt = by_name.get(run.variant)
    return variant_label(prompt) if prompt else f"{run.variant} (v{run.version})"


def _render_pair(
    studio: Studio, comparison: Comparison, by_name: dict[str, Prompt], total: int, winner: Winner | None
) -> None:
    st.caption(f"Pair {comparison.position:,} of {total:,} · {plain(comparison.set_label)} · seed {comparison.seed}")
    render_inputs(comparison.inputs)  # in view before the vote and after it
    left, right = _sides(comparison)
    rows = {run.id: studio.log.get_entry(run.generation_id or "") or {} for run in (left, right)}
    left_column, right_column = st.columns(2)
    for column, label, run, side in ((left_column, "A", left, "left"), (right_column, "B", right, "right")):
        with column, st.container(border=True):
            if winner is None:
                st.subheader(f"Response {label}")
            else:
                verdict = {"tie": "tie", "both_bad": "both bad"}.get(winner) or (
                    "preferred" if winner == side else "not preferred"
                )
                st.subheader(f"Response {label}: {plain(_name(run, by_name))} · {verdict}")
            render_cut_off_mark(studio, rows[run.id])  # a fact of the answer, as the blind queue shows it
            render_completion(str(rows[run.id].get(col.COMPLETION) or ""), markdown=False)
            if winner is not None:
                prompt = by_name.get(run.variant)
                render_run_details(rows[run.id], configured_model=prompt.model if prompt else None)
    if winner is None:
        a, tie, bad, b = st.columns(4)
        if a.button("A is better", key=COMPARE.vote_a, shortcut="A", width="stretch"):
            _vote(studio, comparison, by_name, "left")
        if tie.button("Tie", key=COMPARE.vote_tie, shortcut="T", width="stretch"):
            _vote(studio, comparison, by_name, "tie")
        if bad.button("Both bad", key=COMPARE("blind", "vote", "both_bad"), shortcut="X", width="stretch"):
            _vote(studio, comparison, by_name, "both_bad")
        if b.button("B is better", key=COMPARE.vote_b, shortcut="B", width="stretch"):
            _vote(studio, comparison, by_name, "right")
    elif st.button("Next pair", key=COMPARE.next_pair, type="primary", shortcut="N", icon=":material/skip_next:"):
        st.session_state.pop(REVEALED, None)
        st.rerun()


def _side(studio: Studio, comparison: Comparison, run: ComparisonRun, prompts: dict[str, Prompt]) -> Side:
    row = studio.log.get_entry(run.generation_id or "") or {}
    prompt = prompts.get(run.variant)
    return Side(
        variant=run.variant,
        generation_id=str(run.generation_id),
        prompt=render_template(prompt.text, comparison.inputs) if prompt else "",
        completion=str(row.get(col.COMPLETION) or ""),
    )


def _vote(studio: Studio, comparison: Comparison, prompts: dict[str, Prompt], winner: Winner) -> None:
    left, right = _sides(comparison)
    vote = BlindVote(
        comparison_id=comparison.id,
        session_id=studio.session.id,
        task=comparison.task,
        reviewer=studio.reviewer,
        seed=comparison.seed or 0,
        inputs=comparison.inputs,
        left=_side(studio, comparison, left, prompts),
        right=_side(studio, comparison, right, prompts),
        left_version=left.version,
        right_version=right.version,
    )
    # Voted meanwhile (in another tab of this session): that vote stands, and is what is shown.
    with contextlib.suppress(AlreadyVoted):
        studio.stores.votes.record(vote, winner, connection_id=studio.connection.connection_id)
    studio.outbox.wake()
    st.session_state[REVEALED] = comparison.id
    st.rerun()
