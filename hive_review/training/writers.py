"""Training rows as JSONL: one JSON object per line, UTF-8, non-ASCII text as it is."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any


def to_jsonl(rows: Iterable[Mapping[str, Any]]) -> bytes:
    lines = [json.dumps(dict(row), ensure_ascii=False) for row in rows]
    return ("\n".join(lines) + "\n").encode() if lines else b""


def read_jsonl(data: bytes) -> list[dict[str, Any]]:
    """The rows of a JSONL export (blank lines skipped)."""
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]
