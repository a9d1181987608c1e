"""Comparisons made in the background: the store keeps what was asked and how each run stands, the
runner logs each generation as it completes (under its comparison), a failure fails only its run,
and a blind set's inputs come from a batch or a file, with refusals that say what to fix."""

from __future__ import annotations

import pandas as pd
import pytest

from hive_review.compare.comparison_runner import ComparisonRunner, ComparisonRunners
from hive_review.compare.comparison_store import DONE, FAILED, QUEUED, RUNNING, Variant
from hive_review.compare.input_sets import MAX_PAIRS, rows_from_batch, rows_from_table, voted
from hive_review.compare.votes import BlindVote, Side
from hive_review.log import columns as col
from hive_review.runs.uploads import UploadError
from hive_review.stores import open_stores
from honeyhive_api import HoneyHiveClient

TASK = "Sandbox - Email Writer"
PAIR = [Variant("email-writer-v1", "1"), Variant("email-writer-v2-concise", "2")]
ROWS = [{"topic": "the office move", "tone": "calm"}, {"topic": "the new coffee machine", "tone": "playful"}]


@pytest.fixture
def stores(database_url):
    opened = open_stores(database_url)
    yield opened
    opened.close()


def _runner(stores, emulator, set_id: str) -> ComparisonRunner:
    client = HoneyHiveClient(emulator.api_key, emulator.url, timeout=10)
    return ComparisonRunner(client, stores.log, stores.comparisons, set_id, reviewer="pm-1", concurrency=3)


def _set(stores, session_id: str, variants=PAIR, rows=ROWS, mode="blind") -> str:
    return stores.comparisons.create_set(
        session_id=session_id, task=TASK, mode=mode, rows=rows, variants=variants, reviewer="pm-1",
        source="studio", label="inputs.csv", seed=7,
    )  # fmt: skip


def test_a_set_is_recorded_queued_and_listed_newest_first(stores):
    session = stores.log.create_session("pm-1")
    first = _set(stores, session.id)
    second = _set(stores, session.id, rows=ROWS[:1])
    comparisons = stores.comparisons.set_comparisons(first)
    assert [c.position for c in comparisons] == [1, 2]
    assert [c.inputs for c in comparisons] == ROWS
    assert all(c.id.startswith("ab-") and c.seed == 7 and c.origin == "blind" for c in comparisons)
    assert [(r.variant, r.version, r.status) for r in comparisons[0].runs] == [
        ("email-writer-v1", "1", QUEUED),
        ("email-writer-v2-concise", "2", QUEUED),
    ]
    listed = stores.comparisons.sets(session.id, TASK, "blind")
    assert [(s.id, s.size, s.label) for s in listed] == [(second, 1, "inputs.csv"), (first, 2, "inputs.csv")]
    assert stores.comparisons.sets(session.id, TASK, "side") == []
    with pytest.raises(ValueError, match="at least one row"):
        _set(stores, session.id, rows=[])


def test_the_runner_logs_every_generation_under_its_comparison(stores, emulator):
    session = stores.log.create_session("pm-1")
    set_id = _set(stores, session.id)
    runner = _runner(stores, emulator, set_id)
    runner.start()
    assert runner.wait(30)
    comparisons = stores.comparisons.set_comparisons(set_id)
    assert all(c.ready and c.finished for c in comparisons)
    log = stores.log.load_log(session.id)
    assert len(log) == 4 and set(log[col.ORIGIN]) == {"blind"}
    for comparison in comparisons:
        rows = log[log[col.COMPARISON_ID] == comparison.id]
        assert set(rows[col.GENERATION_ID]) == {run.generation_id for run in comparison.runs}
        assert set(rows[col.PROMPT_NAME]) == {"email-writer-v1", "email-writer-v2-concise"}
        assert all(comparison.inputs["topic"] in text for text in rows[col.COMPLETION])
    assert set(log[col.REVIEWER]) == {"pm-1"}


def test_a_variant_that_fails_fails_only_its_run_and_can_run_again(stores, emulator):
    session = stores.log.create_session("pm-1")
    variants = [PAIR[0], Variant("no-such-variant", "9"), PAIR[1]]
    set_id = _set(stores, session.id, variants=variants, rows=ROWS[:1], mode="side")
    runner = _runner(stores, emulator, set_id)
    runner.start()
    assert runner.wait(30)
    [comparison] = stores.comparisons.set_comparisons(set_id)
    assert comparison.id.startswith("cmp-") and comparison.origin == "compare"
    assert [run.status for run in comparison.runs] == [DONE, FAILED, DONE]
    assert "no-such-variant" in (comparison.runs[1].error or "")
    assert comparison.failed and comparison.finished and not comparison.ready
    assert len(stores.log.load_log(session.id)) == 2

    assert stores.comparisons.requeue(set_id, [FAILED]) == 1
    assert stores.comparisons.set_comparisons(set_id)[0].runs[1].status == QUEUED


def test_runs_a_stopped_studio_left_running_go_again_and_one_runner_runs_a_set(stores, emulator_factory):
    emulator = emulator_factory(latency_ms=300)  # slow enough to start the set twice while it runs
    session = stores.log.create_session("pm-1")
    set_id = _set(stores, session.id, rows=ROWS[:1])
    [comparison] = stores.comparisons.set_comparisons(set_id)
    stores.comparisons.mark(comparison.runs[0].id, RUNNING)  # as a process cut off mid-run left it
    runners = ComparisonRunners()
    started = runners.start(_runner(stores, emulator, set_id))
    assert runners.start(_runner(stores, emulator, set_id)) is started  # a second tab's Resume joins it
    assert started.wait(30) and not runners.running(set_id)
    assert stores.comparisons.set_comparisons(set_id)[0].ready
    assert len(stores.log.load_log(session.id)) == 2  # each run once


def test_votes_of_a_set_are_found_by_comparison(stores, emulator):
    session = stores.log.create_session("pm-1")
    set_id = _set(stores, session.id)
    runner = _runner(stores, emulator, set_id)
    runner.start()
    assert runner.wait(30)
    first, second = stores.comparisons.set_comparisons(set_id)
    sides = [Side(run.variant, str(run.generation_id), "prompt", "completion") for run in first.runs]
    vote = BlindVote(first.id, session.id, TASK, "pm-1", 7, first.inputs, sides[0], sides[1], "1", "2")
    stores.votes.record(vote, "tie", connection_id="c-1")
    assert voted(stores.database, [first.id, second.id]) == {first.id: "tie"}
    assert voted(stores.database, []) == {}


def test_a_batch_gives_its_rows_and_is_refused_when_a_variable_is_missing():
    rows = [{"topic": "a", "tone": "b", "extra": "x"}, {"topic": "c", "tone": "d"}]
    assert rows_from_batch(rows, ["topic", "tone"], "batch-1") == [
        {"topic": "a", "tone": "b"},
        {"topic": "c", "tone": "d"},
    ]
    with pytest.raises(UploadError) as refused:
        rows_from_batch(rows, ["topic", "audience"], "batch-1")
    message = str(refused.value)
    assert "row 1: no value for 'audience'" in message and "row 2: no value for 'audience'" in message
    assert "upload a file with a column for each" in message


def test_a_file_maps_its_columns_and_a_set_has_at_most_max_pairs():
    table = pd.DataFrame({"Topic": ["a", "b"], "tone": ["x", "y"]})
    rows = rows_from_table(table, {"topic": "Topic", "tone": "tone"}, ["topic", "tone"], "inputs.csv")
    assert rows == [{"topic": "a", "tone": "x"}, {"topic": "b", "tone": "y"}]
    big = pd.DataFrame({"topic": ["t"] * (MAX_PAIRS + 1), "tone": ["x"] * (MAX_PAIRS + 1)})
    with pytest.raises(UploadError, match=f"at most {MAX_PAIRS} pairs"):
        rows_from_table(big, {"topic": "topic", "tone": "tone"}, ["topic", "tone"], "big.csv")
    with pytest.raises(UploadError, match="No column is chosen for the variable 'tone'"):
        rows_from_table(table, {"topic": "Topic", "tone": None}, ["topic", "tone"], "inputs.csv")
