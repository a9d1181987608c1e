"""The log frames of this process, kept up to date by loading only what changed.

Pages rerun on every click and read the log each time; a 100k-row log takes about half a second to
load whole. Each (session | every session) keeps one frame here, with the revisions it reflects.
Each writer stamps the rows it writes with its session's new revision (``LogStore.bump``), so a
read after a rating asks only for the rows above the revision held: it replaces the changed rows
in place and appends the new ones (``seq`` order kept, as a whole load would give).

Frames handed out are never modified: an update builds a new frame (columns that did not change
are shared with the old one), so a page still filtering the old frame is not disturbed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hive_review.log import columns as col
from hive_review.log.frames import column_dtype, with_columns

if TYPE_CHECKING:
    from hive_review.log.store import LogStore

# Past these, loading the whole log again is as cheap as merging the changes into it.
_MAX_CHANGED_SESSIONS = 64
_MAX_CHANGED_SHARE = 0.25


@dataclass(frozen=True)
class LoadedLog:
    """A log frame and what it reflects: per session, its revision and the highest row stamp held."""

    frame: pd.DataFrame
    seq: np.ndarray
    revisions: dict[str, int]
    marks: dict[str, int]


def marks_of(table: pa.Table) -> dict[str, int]:
    """Per session, the highest row stamp among these rows."""
    if table.num_rows == 0:
        return {}
    grouped = table.group_by(col.SESSION_ID).aggregate([("updated_rev", "max")]).to_pydict()
    return dict(zip(grouped[col.SESSION_ID], grouped["updated_rev_max"], strict=True))


class LogCache:
    def __init__(self, store: LogStore, max_entries: int = 4) -> None:
        self._store = store
        self._max_entries = max_entries
        self._entries: OrderedDict[str | None, LoadedLog] = OrderedDict()
        self._locks: dict[str | None, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, session_id: str | None) -> pd.DataFrame:
        """The log of a session (every session's with ``None``) as committed now. Do not modify it."""
        # Read before the rows: rows read afterwards reflect at least these revisions.
        revisions = self._store.session_revisions(session_id)
        with self._lock(session_id):
            entry = self._entries.get(session_id)
            if entry is not None and entry.revisions == revisions:
                self._touch(session_id, entry)
                return entry.frame
            entry = self._refreshed(entry, session_id, revisions)
            self._touch(session_id, entry)
            return entry.frame

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()

    def _lock(self, session_id: str | None) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(session_id, threading.Lock())

    def _touch(self, session_id: str | None, entry: LoadedLog) -> None:
        with self._guard:
            self._entries[session_id] = entry
            self._entries.move_to_end(session_id)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def _refreshed(self, entry: LoadedLog | None, session_id: str | None, revisions: dict[str, int]) -> LoadedLog:
        changed = {s: entry.marks.get(s, -1) for s, r in revisions.items() if entry and entry.revisions.get(s) != r}
        if entry is None or len(changed) > _MAX_CHANGED_SESSIONS or set(entry.revisions) - set(revisions):
            return self._store.load_rows(session_id, revisions)
        rows = self._store.changed_rows(changed)
        if rows.num_rows > _MAX_CHANGED_SHARE * max(len(entry.frame), 1):
            return self._store.load_rows(session_id, revisions)
        return merge(entry, rows, revisions, self._store.frame_of(rows))


def merge(entry: LoadedLog, rows: pa.Table, revisions: dict[str, int], changes: pd.DataFrame) -> LoadedLog:
    """``entry`` with ``changes`` (the typed frame of ``rows``) applied: rows already held are
    replaced where they are, new ones appended, and the result in ``seq`` order."""
    marks = dict(entry.marks)
    for session_id, mark in marks_of(rows).items():
        marks[session_id] = max(mark, marks.get(session_id, -1))
    if changes.empty:
        return LoadedLog(entry.frame, entry.seq, revisions, marks)
    where = _positions(entry.frame, changes[col.GENERATION_ID])
    held = where >= 0
    frame = _replace_rows(entry.frame, where[held], changes[held])
    seq = entry.seq
    if not held.all():
        added = changes[~held]
        frame = _append(frame, added)
        seq = np.concatenate([seq, np.asarray(rows.column("seq").to_numpy())[~held]])
        if len(seq) > 1 and (np.diff(seq) < 0).any():  # a writer that committed late: keep seq order
            order = np.argsort(seq, kind="stable")
            frame = frame.take(order).reset_index(drop=True)
            seq = seq[order]
    return LoadedLog(frame, seq, revisions, marks)


def _positions(frame: pd.DataFrame, ids: pd.Series) -> np.ndarray:
    """Row number in ``frame`` of each id (-1 when not there): Arrow hashes the few ids and probes
    the log's ids in C, a few milliseconds at 100k rows, with no index to build or keep."""
    held = _arrow(frame[col.GENERATION_ID]) if len(frame) else None
    wanted = _arrow(ids)
    where = np.full(len(wanted), -1, dtype=np.int64)
    if held is None:
        return where
    found = pc.index_in(held, value_set=wanted)  # per log row: which wanted id it is, or null
    rows = np.flatnonzero(found.is_valid().to_numpy(zero_copy_only=False))
    where[found.take(pa.array(rows)).to_numpy(zero_copy_only=False)] = rows
    return where


def _arrow(values: pd.Series) -> pa.ChunkedArray | pa.Array:
    """Text as Arrow: the buffers of an Arrow-backed column as they are (pandas 3), else converted."""
    array = values.array
    if hasattr(array, "__arrow_array__"):
        return array.__arrow_array__()
    return pa.array(values.to_numpy(dtype=object), pa.string(), from_pandas=True)


def _values(array: Any, where: np.ndarray) -> list[Any]:
    """The cells at ``where`` as Python values, every kind of missing as ``None`` (one by one: a
    rating changes a row or two, and a take from 100k rows costs more)."""
    return [None if pd.isna(value) else value for value in (array[int(i)] for i in where)]


def _replace_rows(frame: pd.DataFrame, where: np.ndarray, changes: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the rows at ``where`` replaced by ``changes``; only the columns whose values
    differ are copied (a rating touches a few short columns, never the completions)."""
    if len(where) == 0:
        return frame
    replaced: dict[str, pd.Series] = {}
    everywhere = np.arange(len(changes))
    for name in dict.fromkeys([*frame.columns, *changes.columns]):
        if name in changes:
            new = changes[name].astype(column_dtype(name) if name not in frame else frame[name].dtype).array
        else:  # a variable these rows do not have
            new = pd.array([None] * len(changes), dtype=frame[name].dtype)
        if name in frame:
            old = frame[name].array
            if _values(old, where) == _values(new, everywhere):
                continue
            array = old.copy()
        else:
            array = pd.array([None] * len(frame), dtype=column_dtype(name))
        array[where] = new
        replaced[name] = pd.Series(array, index=frame.index, name=name)
    return with_columns(frame, replaced)


def _append(frame: pd.DataFrame, added: pd.DataFrame) -> pd.DataFrame:
    combined = pd.concat([frame, added], ignore_index=True)
    # A column only one side had is all-missing on the other: keep the log's dtype for it.
    retype: Mapping[str, object] = {
        name: column_dtype(name) for name in combined.columns if combined[name].dtype != column_dtype(name)
    }
    return combined.astype(retype) if retype else combined
