"""The SQLite reader helper process (hive_review.log.sqlite_reader), on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hive_review.log.sqlite_reader import SqliteArrowReader


def _log_file(path: Path) -> str:
    with sqlite3.connect(path) as db:
        db.execute("create table t (seq integer, completion text)")
        db.executemany("insert into t values (?, ?)", [(1, "first"), (2, "second")])
    return str(path)


def test_the_reader_starts_and_reads_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`streamlit run /srv/hive-review/app.py` from another folder: the helper still finds the
    package (it once ended at start there, and every log page read the slow way)."""
    database = _log_file(tmp_path / "log.db")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    reader = SqliteArrowReader()
    try:
        table = reader.read(database, [("select seq, completion from t order by seq", [])])
    finally:
        reader.close()
    assert table.column("completion").to_pylist() == ["first", "second"]
