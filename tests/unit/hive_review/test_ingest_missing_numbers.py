"""A completion ingested without a latency or a token count keeps them missing in the log, so the
statistics are made of the numbers there are (the median of [430, 812, 1200] is 812, not the
621 ms of [0, 430, 812, 1200]). Where the 0 came from: not the upload parsing (checked here), but
the answer of ``POST /generations/log``, which the emulator fills with 0 for what it was not sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from hive_review.log import columns as col
from hive_review.log.filters import variant_summary
from hive_review.runs.ingest import ingest_completions
from hive_review.runs.upload_rows import IngestRow, ingest_rows
from hive_review.runs.uploads import read_table
from hive_review.stores import Stores, open_stores
from honeyhive_api import Generation, HoneyHiveClient

TASK = "Sandbox - Email Writer"
CSV = (
    b"completion,model,latency_ms,prompt_tokens,completion_tokens,total_tokens\n"
    b"one,m,430,10,20,\n"
    b"two,m,812,10,21,\n"
    b"three,m,1200,,,33\n"
    b"four,m,,,,\n"
)


class ZeroEchoingLogger:
    """A HoneyHive that answers 0 for every number it was not sent, as the emulator does."""

    def log_generation(self, task: str, model: str, generation: str, **kwargs: Any) -> Generation:
        usage = kwargs.get("usage") or {}
        return Generation(
            generation_id=f"g-{generation}",
            version="logged",
            generation=generation,
            model=model,
            latency=kwargs.get("latency") or 0.0,
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
            total_tokens=usage.get("total_tokens", 0),
            cost=0.0,
        )


@pytest.fixture
def stores(database_url: str) -> Iterator[Stores]:
    opened = open_stores(database_url)
    yield opened
    opened.close()


def _ingest(client: Any, stores: Stores) -> dict[str, dict[str, Any]]:
    session = stores.log.create_session("qa-ingest")
    rows = ingest_rows(read_table(CSV, "done.csv"))
    result = ingest_completions(
        client, stores.log, rows, task=TASK, session_id=session.id, reviewer="qa", source="ingest", batch_id="ingest-1"
    )
    assert result.logged == 4 and not result.failures
    log = stores.log.load_log(session.id)
    return {row[col.COMPLETION]: row for row in log.to_dict("records")}


def _missing(value: object) -> bool:
    return value is None or value != value or str(value) == "<NA>"


def test_the_upload_parsing_keeps_missing_numbers_missing() -> None:
    csv_rows = ingest_rows(read_table(CSV, "done.csv"))
    assert csv_rows[3] == IngestRow(inputs={}, completion="four", model="m")
    assert csv_rows[2].usage == {"total_tokens": 33}
    jsonl = "\n".join(
        json.dumps(record)
        for record in (
            {"completion": "null latency", "model": "m", "latency_ms": None, "total_tokens": None},
            {"completion": "no latency key", "model": "m"},
        )
    ).encode()
    for row in ingest_rows(read_table(jsonl, "done.jsonl")):
        assert row.latency_ms is None and row.usage is None


@pytest.mark.parametrize("through", ["emulator", "zero-echoing stub"])
def test_a_missing_latency_or_token_count_stays_missing_in_the_log(emulator, stores, through) -> None:
    if through == "emulator":
        with HoneyHiveClient(emulator.api_key, emulator.url, timeout=10) as client:
            by_completion = _ingest(client, stores)
    else:
        by_completion = _ingest(ZeroEchoingLogger(), stores)
    four = by_completion["four"]
    for name in (col.LATENCY_MS, col.PROMPT_TOKENS, col.COMPLETION_TOKENS, col.TOTAL_TOKENS, col.COST):
        assert _missing(four[name]), (name, four[name])
    assert by_completion["one"][col.LATENCY_MS] == 430
    assert by_completion["one"][col.TOTAL_TOKENS] == 30  # the sum, when only the parts are given
    three = by_completion["three"]  # only a total: the parts stay missing, not 0
    assert three[col.TOTAL_TOKENS] == 33 and _missing(three[col.PROMPT_TOKENS])

    summary = variant_summary(stores.log.load_log()).iloc[0]
    assert summary["p50_latency_ms"] == 812
    assert summary["mean_total_tokens"] == pytest.approx((30 + 31 + 33) / 3)
