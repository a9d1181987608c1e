"""A lead's file of gold items (CSV or JSONL), checked row by row.

``uploads.read_table`` reads the file (size, encoding, malformed lines and duplicate columns are
refused there, with their own messages). Then each row needs:

* ``completion``: the text the reviewers judge;
* at least one expected value: ``expected_thumbs`` (``up`` / ``down``), ``expected_stars`` (``4``,
  or a range ``4-5``), ``expected_labels`` (``a, b``, or a JSON list in JSONL), or an expected value
  of any other dimension of the active rubric: an ``expected_<dimension>`` column, or an ``expected``
  JSON object (``gold_dimensions`` reads and checks those);
* inputs, optional: ``input.<variable>`` columns and/or an ``inputs`` column holding a JSON object;
* optional: ``task``, ``prompt_name``, ``prompt_version``, ``model``: what the item shows while it
  is reviewed. Give those of the queue it is mixed into, so that nothing tells it apart.

Every problem names its row (counted from 1 under the header), its column and the fix; all of them
are listed together (``UploadError``), so the file is fixed in one go.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from hive_review.feedback.ratings import split_labels
from hive_review.log import columns as col
from hive_review.missing import is_missing
from hive_review.quality.gold_dimensions import (
    EXPECTED_OBJECT,
    SCALE_RANGE,
    dimension_columns,
    dimension_value,
    find_dimension,
    object_entries,
    unknown_problem,
)
from hive_review.quality.gold_rules import DimensionExpected, Expected
from hive_review.rubrics.models import DEFAULT_RUBRIC, Rubric
from hive_review.runs.upload_rows import INPUTS_COLUMN, SHOWN_PROBLEMS
from hive_review.runs.uploads import UploadError, json_cell, read_table

EXPECTED_THUMBS: Final = "expected_thumbs"
EXPECTED_STARS: Final = "expected_stars"
EXPECTED_LABELS: Final = "expected_labels"
EXPECTED: Final[tuple[str, ...]] = (EXPECTED_THUMBS, EXPECTED_STARS, EXPECTED_LABELS)
SHOWN_AS: Final[tuple[str, ...]] = (col.TASK, col.PROMPT_NAME, col.PROMPT_VERSION, col.MODEL)
KNOWN: Final[tuple[str, ...]] = (col.COMPLETION, INPUTS_COLUMN, *EXPECTED, EXPECTED_OBJECT, *SHOWN_AS)
_PREFIX: Final = "expected_"

_THUMBS: Final[dict[str, str]] = {"up": "up", "down": "down", "👍": "up", "👎": "down", "true": "up", "false": "down"}


@dataclass(frozen=True)
class GoldRow:
    """One gold item of a file: what reviewers see, and what they should say."""

    completion: str
    expected: Expected
    inputs: dict[str, str] = field(default_factory=dict)
    task: str | None = None
    prompt_name: str | None = None
    prompt_version: str | None = None
    model: str | None = None


def read_gold_file(data: bytes, filename: str, rubric: Rubric = DEFAULT_RUBRIC) -> list[GoldRow]:
    """The gold items of an uploaded file, or ``UploadError`` saying what to fix; expected values of
    dimensions are checked against ``rubric`` (the active one)."""
    return gold_rows(read_table(data, filename), rubric)


def gold_rows(frame: pd.DataFrame, rubric: Rubric = DEFAULT_RUBRIC) -> list[GoldRow]:
    """The gold items of a table read by ``read_table``, or ``UploadError`` naming rows and columns."""
    columns = [str(column) for column in frame.columns]
    found = _find_columns(columns)
    by_dimension = dimension_columns(columns, taken=found.values())
    missing = [name for name in (col.COMPLETION,) if name not in found]
    if missing or not (any(name in found for name in (*EXPECTED, EXPECTED_OBJECT)) or by_dimension):
        raise UploadError(
            "A gold file needs a 'completion' column and at least one of 'expected_thumbs', 'expected_stars', "
            "'expected_labels', 'expected_<dimension>' (a dimension of the active rubric) and an 'expected' JSON "
            f"object; this file has: {', '.join(columns)}. Rename or add the columns and upload it again."
        )
    input_columns = {
        name[len(col.INPUT_PREFIX) :]: name
        for name in columns
        if name.casefold().startswith(col.INPUT_PREFIX) and len(name) > len(col.INPUT_PREFIX)
    }
    rows: list[GoldRow] = []
    problems: list[str] = []
    for position, record in enumerate(frame.to_dict(orient="records"), start=1):
        cell = {name: _text(record[column]) for name, column in found.items()}
        row_problems: list[str] = []
        if not cell[col.COMPLETION].strip():
            row_problems.append(f"row {position}: 'completion' is empty (write the text the reviewers judge)")
        given = _given(
            cell, {by_dimension[c]: (f"'{c}'", _text(record[c])) for c in by_dimension}, position, row_problems
        )
        expected = _expected(given, rubric, position, row_problems)
        inputs = _inputs(cell.get(INPUTS_COLUMN, ""), position, row_problems)
        inputs.update({name: _text(record[column]) for name, column in input_columns.items() if _text(record[column])})
        problems += row_problems
        if not row_problems:
            shown = {name: cell.get(name, "").strip() or None for name in SHOWN_AS}
            rows.append(GoldRow(completion=cell[col.COMPLETION], expected=expected, inputs=inputs, **shown))
    if problems:
        shown_problems = "; ".join(problems[:SHOWN_PROBLEMS])
        more = len(problems) - SHOWN_PROBLEMS
        raise UploadError(
            f"{len(problems):,} problem{'s' if len(problems) > 1 else ''} in the gold file: {shown_problems}"
            f"{f'; and {more:,} more' if more > 0 else ''}. Fix those cells, or delete those rows, and upload "
            "the file again (rows are counted from 1 under the header)."
        )
    return rows


def _find_columns(columns: list[str]) -> dict[str, str]:
    """Each known name → the file's column of that name (exact, else ignoring case and spaces)."""
    found: dict[str, str] = {}
    for name in KNOWN:
        if name in columns:
            found[name] = name
            continue
        loose = [column for column in columns if column.strip().casefold() == name]
        if len(loose) == 1:
            found[name] = loose[0]
    return found


def _given(
    cell: Mapping[str, str], by_column: Mapping[str, tuple[str, str]], position: int, problems: list[str]
) -> dict[str, tuple[str, str, str]]:
    """The row's filled-in expected values: dimension name (ignoring case) → (name, where, text), from
    the expected_* columns and the ``expected`` object; a value given twice is a problem."""
    given: dict[str, tuple[str, str, str]] = {}

    def add(name: str, where: str, text: str) -> None:
        if not text.strip():
            return
        if name.casefold() in given:
            first = given[name.casefold()][1]
            problems.append(f"row {position}: {where} and {first} both expect '{name}'; keep one of them")
            return
        given[name.casefold()] = (name, where, text)

    for column in EXPECTED:
        add(column.removeprefix(_PREFIX), f"'{column}'", cell.get(column, ""))
    for name, (where, text) in by_column.items():
        add(name, where, text)
    entries, problem = object_entries(cell.get(EXPECTED_OBJECT, ""), f"'{EXPECTED_OBJECT}'")
    if problem:
        problems.append(f"row {position}: {problem}")
    for name, value in entries.items():
        add(name, f"'{EXPECTED_OBJECT}' key '{name}'", json_cell(value))
    return given


def _expected(
    given: Mapping[str, tuple[str, str, str]], rubric: Rubric, position: int, problems: list[str]
) -> Expected:
    thumbs: str | None = None
    stars: tuple[int, int] | None = None
    labels: tuple[str, ...] = ()
    dimensions: dict[str, DimensionExpected] = {}
    for name, where, text in given.values():
        dimension = find_dimension(rubric, name)
        if dimension is None:
            problems.append(f"row {position}: {unknown_problem(rubric, name, where)}")
        elif dimension.name == "thumbs":
            thumbs = _THUMBS.get(text.strip().casefold())
            if thumbs is None:
                problems.append(f"row {position}: {where} is {text.strip()!r}; write up or down, or leave it empty")
        elif dimension.name == "stars":
            stars = _stars(text)
            if stars is None:
                problems.append(
                    f"row {position}: {where} is {text.strip()!r}; write stars from 1 to 5 (4) or a range (4-5), "
                    "or leave it empty"
                )
        elif dimension.name == "labels":
            labels = _labels(text.strip(), where, position, problems)
        else:
            value, problem = dimension_value(dimension, text, where)
            if problem is not None:
                problems.append(f"row {position}: {problem}")
            elif value is not None:
                dimensions[dimension.name] = value
    if not given:
        problems.append(
            f"row {position}: no expected value; fill in '{EXPECTED_THUMBS}', '{EXPECTED_STARS}', "
            f"'{EXPECTED_LABELS}' or an 'expected_<dimension>' of the active rubric"
        )
    return Expected(thumbs=thumbs, stars=stars, labels=labels or None, dimensions=dimensions)  # type: ignore[arg-type]


def _stars(text: str) -> tuple[int, int] | None:
    match = SCALE_RANGE.match(text)
    if match is None:
        return None
    low = int(match.group(1))
    high = int(match.group(2) or low)
    return (low, high) if low <= high else None


def _labels(text: str, where: str, position: int, problems: list[str]) -> tuple[str, ...]:
    if not text.startswith("["):
        return split_labels(text)
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(f'row {position}: {where} is not a list of texts; write a, b (or in JSONL ["a", "b"])')
        return ()
    return tuple(item.strip() for item in value if item.strip())


def _inputs(text: str, position: int, problems: list[str]) -> dict[str, str]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(f"row {position}: '{INPUTS_COLUMN}' is not valid JSON ({exc.msg}); write an object")
        return {}
    if not isinstance(value, dict):
        problems.append(f'row {position}: \'{INPUTS_COLUMN}\' must be a JSON object such as {{"tone": "warm"}}')
        return {}
    return {str(key): json_cell(item) for key, item in value.items()}


def _text(value: object) -> str:
    if is_missing(value):
        return ""
    return value if isinstance(value, str) else str(value)
