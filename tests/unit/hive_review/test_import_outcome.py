"""An import says why rows were not added (already in this session, in another session, repeated
in the file), and a file lacking columns is refused with each missing column named once."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from hive_review.log import columns as col
from hive_review.log.entries import LogEntry
from hive_review.log.exports import EXPORT_FORMATS
from hive_review.log.import_files import ImportFormatError, read_export
from hive_review.log.imports import ImportOutcome, import_export
from hive_review.stores import Stores, open_stores

CONNECTION = "test-connection"


@pytest.fixture
def stores(database_url: str) -> Iterator[Stores]:
    opened = open_stores(database_url)
    yield opened
    opened.close()


def _session_with_rows(stores: Stores, count: int) -> tuple[str, pd.DataFrame]:
    session = stores.log.create_session("qa-import")
    stores.log.add_entries(
        [
            LogEntry(
                generation_id=f"{session.id}-g{n}",
                session_id=session.id,
                reviewer="qa-import",
                task="support",
                prompt_version="v1",
                completion=f"answer {n}",
                inputs={"topic": f"topic {n}"},
            )
            for n in range(count)
        ]
    )
    exported = EXPORT_FORMATS["CSV"].write(stores.log.load_log(session.id))
    return session.id, read_export(exported, "log.csv")


def test_importing_an_export_of_this_session_says_every_row_is_already_here(stores) -> None:
    session_id, frame = _session_with_rows(stores, 12)
    outcome = import_export(stores.feedback, frame, session_id, connection_id=CONNECTION)
    assert outcome == ImportOutcome(read=12, added=0, in_this_session=12, in_other_sessions=0, repeated=0)
    assert outcome.message() == "Nothing imported: all 12 rows are already in this session."


def test_rows_of_another_session_and_rows_repeated_in_the_file_are_counted_apart(stores) -> None:
    _, theirs = _session_with_rows(stores, 3)
    mine = stores.log.create_session("qa-import").id
    fresh = theirs.assign(**{col.GENERATION_ID: [f"new-{n}" for n in range(3)]})
    frame = pd.concat([theirs, fresh, fresh.head(1)], ignore_index=True)
    outcome = import_export(stores.feedback, frame, mine, connection_id=CONNECTION)
    assert (outcome.read, outcome.added, outcome.in_other_sessions, outcome.repeated) == (7, 3, 3, 1)
    message = outcome.message()
    assert message.startswith("Imported 3 of 7 rows: 3 rows are in another review session")
    assert message.endswith("; 1 row is a repeat of an earlier row of the file.")
    assert len(stores.log.load_log(mine)) == 3


def test_a_complete_import_and_an_empty_file_say_so() -> None:
    assert ImportOutcome(1, 1, 0, 0, 0).message() == "Imported 1 row into this session."
    assert ImportOutcome(12, 12, 0, 0, 0).message() == "Imported 12 rows into this session."
    assert ImportOutcome(0, 0, 0, 0, 0).message() == "The file holds no rows: nothing to import."
    assert ImportOutcome(1, 0, 1, 0, 0).message() == "Nothing imported: 1 row is already in this session."


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("task,prompt_version,completion,generation_id", "the columns reviewer, inputs_json,"),
        ("reviewer,task,prompt_version,completion,generation_id", "the column inputs_json,"),
        ("comment", "the columns reviewer, task, prompt_version, inputs_json, completion, generation_id,"),
    ],
)
def test_a_file_lacking_columns_names_each_missing_column_once(header: str, missing: str) -> None:
    data = f"{header}\n{','.join('x' for _ in header.split(','))}\n".encode()
    with pytest.raises(ImportFormatError) as raised:
        read_export(data, "partial.csv")
    message = str(raised.value)
    assert f"'partial.csv' lacks {missing} which Hive Review needs to continue a log." in message
    for column in col.REQUIRED_FOR_IMPORT:
        assert message.count(column) <= 1, (column, message)
