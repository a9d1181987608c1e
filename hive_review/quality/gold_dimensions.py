"""A gold file's expected values for a rubric's dimensions: where the file gives them, how each is
read and checked against the active rubric, and how they are kept in ``gold_items``.

A dimension's expected value sits in an ``expected_<dimension>`` column (as ``expected_thumbs``,
``expected_stars`` and ``expected_labels`` do; ``expected.<dimension>`` is read too), or under the
dimension's name in an ``expected`` JSON object (natural in JSONL: ``"expected": {"tone": "warm"}``).
Per kind:

* ``scale``: a value from 1 to 5 (``4``) or a range (``4-5``), as stars;
* ``categorical``: one of the dimension's named values;
* ``pass_fail``: ``pass`` / ``fail`` (or ``true`` / ``false``);
* ``text``: never; a free text has no right answer to compare with.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Final

from hive_review.quality.gold_rules import DimensionExpected
from hive_review.rubrics.models import Dimension, Rubric

EXPECTED_OBJECT: Final = "expected"
PREFIXES: Final[tuple[str, ...]] = ("expected_", "expected.")
SCALE_RANGE: Final = re.compile(r"^\s*([1-5])(?:\.0+)?\s*(?:(?:-|–|\.\.)\s*([1-5])(?:\.0+)?\s*)?$")
_PASS_FAIL: Final[dict[str, bool]] = {"pass": True, "fail": False, "true": True, "false": False}


def dimension_columns(columns: Iterable[str], taken: Iterable[str]) -> dict[str, str]:
    """Each ``expected_<name>`` column of the file (but those in ``taken``, read elsewhere) → ``<name>``."""
    skip = set(taken)
    found: dict[str, str] = {}
    for column in columns:
        if column in skip:
            continue
        stripped = column.strip()
        for prefix in PREFIXES:
            if stripped.casefold().startswith(prefix) and len(stripped) > len(prefix):
                found[column] = stripped[len(prefix) :].strip()
                break
    return found


def find_dimension(rubric: Rubric, name: str) -> Dimension | None:
    """The rubric's dimension of that name (exact, else ignoring case when only one fits)."""
    exact = rubric.dimension(name)
    if exact is not None:
        return exact
    loose = [d for d in rubric.dimensions if d.name.casefold() == name.casefold()]
    return loose[0] if len(loose) == 1 else None


def unknown_problem(rubric: Rubric, name: str, where: str) -> str:
    """What to do about an expected value for a dimension the active rubric does not have."""
    names = ", ".join(d.name for d in rubric.dimensions if d.kind != "text")
    return (
        f"{where} expects '{name}', which is not a dimension of the active rubric '{rubric.name}' "
        f"(version {rubric.version}); rename it to one of {names} (as expected_<dimension>), or make the "
        "rubric that has it active on the Rubrics page"
    )


def dimension_value(dimension: Dimension, text: str, where: str) -> tuple[DimensionExpected | None, str | None]:
    """The expected value a cell gives for a rubric dimension, or the problem (what to write instead)."""
    cleaned = text.strip()
    if dimension.kind == "text":
        return None, (
            f"{where}: '{dimension.name}' is a text dimension, which has no right answer to expect; delete it "
            "(expect a scale, categorical or pass/fail dimension)"
        )
    if dimension.kind == "scale":
        match = SCALE_RANGE.match(cleaned)
        low, high = (int(match.group(1)), int(match.group(2) or match.group(1))) if match else (0, 0)
        if match is None or low > high:
            return None, f"{where} is {cleaned!r}; write a value from 1 to 5 (4) or a range (4-5), or leave it empty"
        return (low, high), None
    if dimension.kind == "pass_fail":
        verdict = _PASS_FAIL.get(cleaned.casefold())
        if verdict is None:
            return None, f"{where} is {cleaned!r}; write pass or fail (or true / false), or leave it empty"
        return verdict, None
    named = _categorical(dimension, cleaned)
    if named is None:
        values = ", ".join(dimension.values)
        return (
            None,
            f"{where} is {cleaned!r}; write one of {values} (the values of '{dimension.name}'), or leave it empty",
        )
    return named, None


def _categorical(dimension: Dimension, text: str) -> str | None:
    if text in dimension.values:
        return text
    loose = [value for value in dimension.values if value.casefold() == text.casefold()]
    return loose[0] if len(loose) == 1 else None


def object_entries(text: str, where: str) -> tuple[dict[str, object], str | None]:
    """The ``expected`` JSON object of a row (name → value), or the problem."""
    if not text.strip():
        return {}, None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return {}, f'{where} is not valid JSON ({exc.msg}); write an object such as {{"tone": "warm"}}'
    if not isinstance(value, dict):
        return {}, f'{where} must be a JSON object such as {{"tone": "warm", "stars": "4-5"}}'
    return {str(key): item for key, item in value.items()}, None


# ---- in the database: gold_items.expected_dimensions, JSON -------------------------------------------
# A scale's range is a list [low, high], a categorical value a string, a pass_fail verdict a boolean:
# the JSON types tell the kinds apart, so judging a review needs no rubric.


def dimensions_to_json(dimensions: Mapping[str, DimensionExpected]) -> str | None:
    if not dimensions:
        return None
    return json.dumps(
        {name: list(value) if isinstance(value, tuple) else value for name, value in dimensions.items()},
        ensure_ascii=False,
    )


def dimensions_from_json(text: object) -> dict[str, DimensionExpected]:
    if not isinstance(text, str) or not text.strip():
        return {}
    try:
        loaded = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(loaded, dict):
        return {}
    found: dict[str, DimensionExpected] = {}
    for name, value in loaded.items():
        if isinstance(value, list) and len(value) == 2:
            found[str(name)] = (int(value[0]), int(value[1]))
        elif isinstance(value, bool | str):
            found[str(name)] = value
    return found
