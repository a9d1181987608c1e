"""What tells two batches apart (so the same runs are not started twice while they run), the rows a
stored batch was made from, and the source batch runs are sent with."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hive_review.runs.batch import BATCH_SOURCE, batch_signature, batch_source, stored_batch_signature
from hive_review.runs.batch_store import DEPLOYED
from hive_review.settings import SOURCE_DEFAULT
from hive_review.stores import Stores, open_stores

TASK = "Sandbox - Email Writer"
ROWS = [{"topic": f"topic {n}", "tone": "calm 🌿"} for n in range(1, 6)]


@pytest.fixture
def stores(database_url: str) -> Iterator[Stores]:
    opened = open_stores(database_url)
    yield opened
    opened.close()


def test_the_signature_names_the_runs_not_how_fast_they_go() -> None:
    signature = batch_signature(TASK, ROWS, ["v2", DEPLOYED], 2)
    assert batch_signature(TASK, [dict(reversed(row.items())) for row in ROWS], [DEPLOYED, "v2"], 2) == signature
    assert batch_signature(TASK, ROWS, [], 1) == batch_signature(TASK, ROWS, [DEPLOYED], 1)  # none: the deployed
    assert batch_signature(TASK, ROWS, ["v2", DEPLOYED], 3) != signature
    assert batch_signature(TASK, ROWS[:-1], ["v2", DEPLOYED], 2) != signature
    assert batch_signature("Another task", ROWS, ["v2", DEPLOYED], 2) != signature
    assert batch_signature(TASK, list(reversed(ROWS)), ["v2", DEPLOYED], 2) != signature  # other rows first


def test_a_stored_batch_gives_back_its_rows_and_its_signature(stores) -> None:
    session = stores.log.create_session("qa-batch")
    batch = stores.batches.create_batch(
        session_id=session.id, task=TASK, rows=ROWS, variants=["v2", DEPLOYED], repeats=3, concurrency=4
    )
    assert stores.batches.input_rows(batch.id) == ROWS  # once each, in the file's order
    assert stored_batch_signature(stores.batches, batch) == batch_signature(TASK, ROWS, [DEPLOYED, "v2"], 3)
    other = stores.batches.create_batch(session_id=session.id, task=TASK, rows=ROWS[:2], variants=[DEPLOYED])
    assert stores.batches.input_rows(other.id) == ROWS[:2]


@pytest.mark.parametrize(
    ("sidebar", "sent"),
    [(SOURCE_DEFAULT, BATCH_SOURCE), ("", BATCH_SOURCE), ("  ", BATCH_SOURCE), ("nightly-eval", "nightly-eval")],
)
def test_batch_runs_are_sent_as_batch_unless_the_reviewer_chose_a_source(sidebar: str, sent: str) -> None:
    assert batch_source(sidebar) == sent
