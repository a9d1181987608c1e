"""What counts as "no value": one rule for every reader of the log, uploads, imports and statistics.

A cell read by pandas may hold None, NaN, ``pd.NA`` or ``NaT`` for the same hole; each of them is
missing. A list or another container is a value (``pd.isna`` would answer per element).
"""

from __future__ import annotations

import pandas as pd


def is_missing(value: object) -> bool:
    """None, NaN, NA or NaT: a cell with nothing in it (lists and other containers are present)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # an array-like cell: pd.isna answers per element
        return False
