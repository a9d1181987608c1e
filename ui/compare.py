"""The Compare page: the same inputs on 2-4 variants side by side, or a blind A/B vote on a pair.

Blind mode hides which variant wrote which answer and shuffles the sides per comparison (seeded,
recorded with the vote); identities appear only after the vote, which is sent to HoneyHive as
feedback on both generations (``preference`` win / loss / tie and a shared ``comparison_id``).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import streamlit as st

from hive_review.compare.comparisons import (
    MAX_VARIANTS,
    MIN_VARIANTS,
    VariantRun,
    blind_sides,
    record_variant_runs,
    run_variants,
)
from hive_review.compare.summary_export import summary_csv, verdict_rows
from hive_review.compare.votes import BlindVote, Side, preference_pairs_jsonl, votes_frame
from hive_review.log.entries import RunContext
from hive_review.runs.inputs import input_problems
from honeyhive_api import Prompt
from honeyhive_api.templates import prompt_variables, render_template
from ui.completion_view import render_completion, render_metadata
from ui.context import Studio
from ui.pickers import pick_task_and_prompts, variant_label
from ui.rating_form import render_rating_form
from ui.state import COMPARE
from ui.text import plain
from ui.variant_view import deployed_prompt
from ui.vote_results import VOTES_HELP, render_vote_results

SIDE_BY_SIDE = "Side by side"
BLIND = "Blind A/B"


@dataclass(frozen=True)
class BlindPair:
    comparison_id: str
    task: str
    seed: int
    inputs: dict[str, str]
    left: VariantRun
    right: VariantRun
    winner: Literal["left", "right", "tie"] | None = None


def render_compare(studio: Studio) -> None:
    st.title("Compare variants")
    picked = pick_task_and_prompts(studio, COMPARE, needed=MIN_VARIANTS)
    if picked is None:
        return
    task, prompts = picked
    mode = st.segmented_control("Mode", [SIDE_BY_SIDE, BLIND], default=SIDE_BY_SIDE, key=COMPARE.mode)
    by_name = {p.name: p for p in prompts}
    if mode == BLIND:
        _render_blind(studio, task, by_name)
    else:
        _render_side_by_side(studio, task, by_name)
    _render_results(studio, task)


def _inputs_form(task: str, prompts: list[Prompt], form: str, label: str) -> dict[str, str] | None:
    variables: dict[str, None] = {}
    for prompt in prompts:
        variables.update(dict.fromkeys(prompt_variables(prompt.text, prompt.input_variables)))
    with st.form(COMPARE.form(form, task)):
        for name in variables:
            st.text_area(plain(name), key=COMPARE.input(form, task, name), height=68)
        pressed = st.form_submit_button(label, type="primary", icon=":material/compare_arrows:")
    if not pressed:
        return None
    values = {name: st.session_state.get(COMPARE.input(form, task, name)) or "" for name in variables}
    problems = input_problems(list(variables), values)
    for problem in problems:  # they quote variable names, which come from HoneyHive
        st.error(plain(problem), icon=":material/edit_note:")
    return None if problems else values


def _log_runs(
    studio: Studio, task: str, inputs: dict[str, str], runs: list[VariantRun], comparison_id: str, origin: str
) -> None:
    context = RunContext(
        session_id=studio.session.id,
        reviewer=studio.reviewer,
        task=task,
        origin=origin,
        source=studio.source,
        comparison_id=comparison_id,
    )
    record_variant_runs(studio.log, runs, context, inputs=inputs)


# ---- side by side -----------------------------------------------------------------------------


def _render_side_by_side(studio: Studio, task: str, by_name: dict[str, Prompt]) -> None:
    names = list(by_name)
    chosen = st.multiselect(
        "Variants (2-4)",
        names,
        default=names[:MAX_VARIANTS],
        max_selections=MAX_VARIANTS,
        format_func=lambda name: variant_label(by_name[name]),
        key=COMPARE.variants(task),
    )
    if len(chosen) < MIN_VARIANTS:
        st.warning("Choose at least two variants to compare.")
        return
    prompts = [by_name[name] for name in chosen]
    inputs = _inputs_form(task, prompts, COMPARE.SIDE_BY_SIDE_FORM, f"Run {len(prompts)} variants")
    if inputs is not None:
        with st.spinner(f"Running {len(prompts)} variants in parallel…"):
            runs = run_variants(studio.client, task, inputs, prompts, reviewer=studio.reviewer, source=studio.source)
        comparison_id = f"cmp-{uuid.uuid4().hex[:12]}"
        _log_runs(studio, task, inputs, runs, comparison_id, "compare")
        st.session_state[COMPARE.last_run] = [
            (run.prompt.name, run.generation.generation_id if run.generation else None, run.error) for run in runs
        ]
    last = st.session_state.get(COMPARE.last_run)
    if not last:
        return
    columns = st.columns(len(last))
    for column, (name, generation_id, error) in zip(columns, last, strict=True):
        with column:
            st.subheader(plain(name))
            if error:
                st.error(f"This variant failed: {plain(error)}")
                continue
            row = studio.log.get_entry(generation_id) if generation_id else None
            if row is None:
                continue
            render_completion(str(row.get("completion") or ""), markdown=False)
            render_metadata(row)
            render_rating_form(studio, row)


# ---- blind A/B --------------------------------------------------------------------------------


def _render_blind(studio: Studio, task: str, by_name: dict[str, Prompt]) -> None:
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
        "Which variant writes A and which writes B is hidden and drawn per comparison "
        f"(seed {seed}, recorded with each vote). Keys: **A**, **B**, **T** (tie), **N** (next pair)."
    )
    pair: BlindPair | None = st.session_state.get(COMPARE.blind_pair)
    if pair is not None and pair.task != task:
        pair = None
    if pair is None:
        prompts = [by_name[name] for name in chosen]
        inputs = _inputs_form(task, prompts, COMPARE.BLIND_FORM, "Run the pair")
        if inputs is None:
            return
        with st.spinner("Running both variants…"):
            runs = run_variants(studio.client, task, inputs, prompts, reviewer=studio.reviewer, source=studio.source)
        failed = [run for run in runs if run.generation is None]
        if failed:
            for run in failed:
                st.error(f"A variant failed, so there is nothing to vote on yet: {plain(run.error)}")
            return
        comparison_id = f"ab-{uuid.uuid4().hex[:12]}"
        _log_runs(studio, task, inputs, runs, comparison_id, "blind")
        left, right = (runs[1], runs[0]) if blind_sides(seed, comparison_id) else (runs[0], runs[1])
        pair = BlindPair(comparison_id, task, seed, inputs, left, right)
        st.session_state[COMPARE.blind_pair] = pair
    _render_pair(studio, pair)


def _render_pair(studio: Studio, pair: BlindPair) -> None:
    left_column, right_column = st.columns(2)
    for column, label, run, side in ((left_column, "A", pair.left, "left"), (right_column, "B", pair.right, "right")):
        with column, st.container(border=True):
            if pair.winner is None:
                st.subheader(f"Response {label}")
            else:
                verdict = {"tie": "tie"}.get(pair.winner) or ("preferred" if pair.winner == side else "not preferred")
                st.subheader(f"Response {label}: {plain(variant_label(run.prompt))} · {verdict}")
            assert run.generation is not None
            render_completion(run.generation.generation, markdown=False)
            if pair.winner is not None:
                render_metadata(studio.log.get_entry(run.generation.generation_id) or {})
    if pair.winner is None:
        a, tie, b = st.columns(3)
        if a.button("A is better", key=COMPARE.vote_a, shortcut="A", width="stretch"):
            _vote(studio, pair, "left")
        if tie.button("Tie", key=COMPARE.vote_tie, shortcut="T", width="stretch"):
            _vote(studio, pair, "tie")
        if b.button("B is better", key=COMPARE.vote_b, shortcut="B", width="stretch"):
            _vote(studio, pair, "right")
    elif st.button("Next pair", key=COMPARE.next_pair, type="primary", shortcut="N", icon=":material/skip_next:"):
        st.session_state.pop(COMPARE.blind_pair, None)
        st.rerun()


def _side(pair: BlindPair, run: VariantRun) -> Side:
    assert run.generation is not None
    return Side(
        variant=run.prompt.name,
        generation_id=run.generation.generation_id,
        prompt=render_template(run.prompt.text, pair.inputs),
        completion=run.generation.generation,
    )


def _vote(studio: Studio, pair: BlindPair, winner: Literal["left", "right", "tie"]) -> None:
    vote = BlindVote(
        comparison_id=pair.comparison_id,
        session_id=studio.session.id,
        task=pair.task,
        reviewer=studio.reviewer,
        seed=pair.seed,
        inputs=pair.inputs,
        left=_side(pair, pair.left),
        right=_side(pair, pair.right),
        left_version=pair.left.prompt.version,
        right_version=pair.right.prompt.version,
    )
    studio.stores.votes.record(vote, winner, connection_id=studio.connection.connection_id)
    studio.outbox.wake()
    st.session_state[COMPARE.blind_pair] = BlindPair(**{**pair.__dict__, "winner": winner})
    st.rerun()


# ---- results ----------------------------------------------------------------------------------


def _render_results(studio: Studio, task: str) -> None:
    raw = studio.stores.votes.frame(task)
    st.divider()
    st.subheader("Blind A/B results", help=VOTES_HELP)
    if raw.empty:
        st.caption("No blind votes for this task yet.")
        return
    deployed = deployed_prompt(studio, task)
    verdicts = render_vote_results(votes_frame(raw), deployed.name if deployed else None, COMPARE.summary)
    st.download_button(
        "Blind A/B results (CSV)",
        data=summary_csv(verdict_rows(task, verdicts)),
        file_name=f"blind-ab-results-{pd.Timestamp.now(tz='UTC'):%Y%m%d-%H%M}.csv",
        mime="text/csv",
        key=COMPARE("results_csv"),
        on_click="ignore",
        help="Each pair's share of decided votes against an even split, with its interval, count, method and "
        "verdict. Cells a spreadsheet would run as a formula start with an apostrophe.",
    )
    st.download_button(
        "Preference pairs (JSONL, for DPO)",
        data=preference_pairs_jsonl(raw),
        file_name=f"preference-pairs-{pd.Timestamp.now(tz='UTC'):%Y%m%d-%H%M}.jsonl",
        mime="application/jsonl",
        key=COMPARE.preference_pairs,
        on_click="ignore",
    )
