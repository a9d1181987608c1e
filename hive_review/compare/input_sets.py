"""Input sets for blind A/B: the rows of inputs a set of pairs is made from (a batch's inputs, or an
uploaded CSV/JSONL file read by ``hive_review.runs.uploads``), and which pairs of a set are voted.

Refusals are ``UploadError`` with a message that names the problem and the fix, to be shown as is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import pandas as pd
import sqlalchemy as sa

from hive_review.compare.votes import votes
from hive_review.db import Database
from hive_review.runs.inputs import MAX_INPUT_CHARS
from hive_review.runs.upload_rows import batch_inputs
from hive_review.runs.uploads import UploadError
from honeyhive_api.templates import missing_variables

# Each pair costs two generations, and a reviewer votes through a set in one sitting.
MAX_PAIRS: Final = 500


def _checked_size(rows: list[dict[str, str]], where: str) -> list[dict[str, str]]:
    if not rows:
        raise UploadError(f"{where} has no rows of inputs. Choose one that has some.")
    if len(rows) > MAX_PAIRS:
        raise UploadError(
            f"{where} has {len(rows):,} rows; a blind A/B set holds at most {MAX_PAIRS:,} pairs (each is two "
            "generations, and all are voted one by one). Split it, or choose a smaller one."
        )
    return rows


def rows_from_table(
    table: pd.DataFrame, mapping: Mapping[str, str | None], variables: Sequence[str], filename: str
) -> list[dict[str, str]]:
    """One row of inputs per row of an uploaded table, its columns mapped to the pair's variables."""
    return _checked_size(batch_inputs(table, mapping, variables), f"'{filename}'")


def rows_from_batch(
    batch_rows: Sequence[Mapping[str, str]], variables: Sequence[str], batch_id: str
) -> list[dict[str, str]]:
    """The pair's variables from each row a batch ran; refused when the batch lacks one of them."""
    rows: list[dict[str, str]] = []
    problems: list[str] = []
    for position, row in enumerate(batch_rows, start=1):
        values = {name: str(row.get(name, "")) for name in variables}
        missing = missing_variables(list(variables), values)
        problems += [f"row {position}: no value for '{name}'" for name in missing]
        problems += [
            f"row {position}: '{name}' is {len(value):,} characters; the limit is {MAX_INPUT_CHARS:,}"
            for name, value in values.items()
            if len(value) > MAX_INPUT_CHARS
        ]
        rows.append(values)
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10:,} more" if len(problems) > 10 else "")
        raise UploadError(
            f"The inputs of batch {batch_id} do not fit this pair: {shown}. Choose a batch run with these "
            "variables, or upload a file with a column for each."
        )
    return _checked_size(rows, f"Batch {batch_id}")


def voted(database: Database, comparison_ids: Sequence[str]) -> dict[str, str]:
    """The winner (left / right / tie) of each of these comparisons that has a blind vote."""
    if not comparison_ids:
        return {}
    query = sa.select(votes.c.comparison_id, votes.c.winner).where(votes.c.comparison_id.in_(list(comparison_ids)))
    with database.engine.connect() as db:
        return {str(comparison_id): str(winner) for comparison_id, winner in db.execute(query)}
