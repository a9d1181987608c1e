"""Export, search and queue filters compiled to SQL over the events table.

Each event is stored whole as JSON (``body``); a filter's field is a path into it, dotted for
nested keys (``feedback.rating``, ``metadata.task``). Filtering, counting and paging all happen in
SQLite, so an export of thousands of events never decodes one in Python.

Semantics, chosen to match HoneyHive's document store: a negative operator (``is not``, ``not
contains``, ``not exists``) also selects events that lack the field; ``contains`` ignores case and
reads objects as their JSON text; ``greater than`` / ``less than`` compare numbers when the value is
a number (or a date, for ``datetime`` fields, compared as milliseconds since the epoch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from honeyhive_api.current_models import FILTER_OPERATORS, FILTER_TYPES, EventFilter

# Top-level fields with a column of their own (indexed or cheap to read): "is" on them uses it.
COLUMNS = frozenset({"event_id", "session_id", "event_type", "event_name", "source"})
_NUMBER_TYPES = "('integer', 'real')"


class FilterError(ValueError):
    """A filter the emulator cannot apply; the message names the filter and what is wrong."""


@dataclass
class Where:
    """A SQL condition and its parameters, built up clause by clause."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    @property
    def sql(self) -> str:
        return " AND ".join(f"({clause})" for clause in self.clauses) or "1 = 1"


def json_path(name: str) -> str:
    """``feedback.rating`` → ``$."feedback"."rating"`` (quoted, so keys may hold spaces or dashes)."""
    parts = name.split(".")
    if any(not part or '"' in part or "\\" in part for part in parts):
        raise FilterError(f"filter field {name!r} is not a field path; write e.g. 'feedback.rating'")
    return "$" + "".join(f'."{part}"' for part in parts)


def to_millis(value: Any, what: str) -> float:
    """A date as milliseconds since the epoch: a number (already ms) or an ISO 8601 text."""
    if isinstance(value, bool):
        raise FilterError(f"{what}: {value!r} is not a date")
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        pass
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise FilterError(f"{what}: {value!r} is not an ISO 8601 date such as 2026-01-31T12:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() * 1000


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_boolean(value: Any, what: str) -> str:
    text = _as_text(value).strip().lower()
    if text in ("true", "1"):
        return "true"
    if text in ("false", "0"):
        return "false"
    raise FilterError(f"{what}: {value!r} is not a boolean; send true or false")


def _condition(item: EventFilter) -> tuple[str, list[Any]]:
    operator = item.operator.strip().lower()
    kind = (item.type or "string").strip().lower()
    what = f"filter {item.field!r} {item.operator!r}"
    if operator not in FILTER_OPERATORS:
        raise FilterError(f"{what}: unknown operator; use one of: {', '.join(FILTER_OPERATORS)}")
    if kind not in FILTER_TYPES:
        raise FilterError(f"{what}: unknown type {item.type!r}; use one of: {', '.join(FILTER_TYPES)}")
    path = json_path(item.field)
    value_sql, type_sql = "json_extract(body, ?)", "json_type(body, ?)"
    # JSON true/false read as the words, numbers as written: what a string filter compares with.
    text_sql = (
        "(CASE json_type(body, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
        "ELSE CAST(json_extract(body, ?) AS TEXT) END)"
    )
    if operator in ("exists", "not exists"):
        clause = f"COALESCE({type_sql}, 'null') != 'null'"
        return (clause if operator == "exists" else f"NOT ({clause})"), [path]
    if item.value is None:
        raise FilterError(f"{what}: needs a value")

    if operator in ("is", "is not"):
        if kind == "number":
            number = _as_number(item.value)
            if number is None:
                raise FilterError(f"{what}: {item.value!r} is not a number")
            clause, params = f"{type_sql} IN {_NUMBER_TYPES} AND {value_sql} = ?", [path, path, number]
        elif kind == "boolean":
            clause, params = f"{type_sql} = ?", [path, _as_boolean(item.value, what)]
        elif kind == "datetime":
            clause, params = f"{value_sql} = ?", [path, to_millis(item.value, what)]
        elif item.field in COLUMNS:
            clause, params = f"{item.field} = ?", [_as_text(item.value)]
        else:
            clause, params = f"{text_sql} = ?", [path, path, _as_text(item.value)]
        return (clause if operator == "is" else f"NOT COALESCE(({clause}), 0)"), params

    if operator in ("contains", "not contains"):
        clause = f"instr(lower({text_sql}), lower(?)) > 0"
        params = [path, path, _as_text(item.value)]
        return (clause if operator == "contains" else f"NOT COALESCE(({clause}), 0)"), params

    comparison = ">" if operator == "greater than" else "<"
    if kind == "datetime":
        return f"{type_sql} IN {_NUMBER_TYPES} AND {value_sql} {comparison} ?", [
            path,
            path,
            to_millis(item.value, what),
        ]
    number = _as_number(item.value)
    if number is not None:
        return f"{type_sql} IN {_NUMBER_TYPES} AND {value_sql} {comparison} ?", [path, path, number]
    if kind == "number":
        raise FilterError(f"{what}: {item.value!r} is not a number")
    return f"{text_sql} {comparison} ?", [path, path, _as_text(item.value)]


def compile_filters(filters: Sequence[EventFilter], where: Where | None = None) -> Where:
    """All filters must hold (HoneyHive joins a filter list with AND)."""
    where = where or Where()
    for item in filters:
        clause, params = _condition(item)
        where.add(clause, *params)
    return where
