"""Numbers as a reader sees them: rounded to what the data supports, with units, "—" for nothing.

Pure functions used by the pages, the verdict sentences and the exported summary, so a number reads the
same everywhere. Rounding follows the interval: a figure is given to the precision its 95% interval
allows, no finer (80% from 5 ratings, 80.4% only when the interval is narrower than 2 points).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

from hive_review.missing import is_missing

MISSING: Final = "—"


def number(value: float | None, decimals: int = 0) -> str:
    """``1,234.5``; "—" for a missing value."""
    return MISSING if is_missing(value) else f"{value:,.{decimals}f}"


def percent(share: float | None, decimals: int = 0) -> str:
    """A share 0-1 as ``80%``; "—" for a missing value."""
    return MISSING if is_missing(share) else f"{share * 100:.{decimals}f}%"


def signed(value: float | None, decimals: int = 0, unit: str = "") -> str:
    """``+12 pts``, ``-0.4 stars``, ``0 pts``: a difference, with its sign always shown."""
    if is_missing(value):
        return MISSING
    text = f"{value:+,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        text = text[1:]  # "+0" and "-0" both read as "0"
    return f"{text} {unit}".rstrip()


def about(count: int) -> str:
    """A count to two significant digits, rounded up: ``7``, ``48``, ``150`` (for 147), ``1,300``."""
    if count < 100:
        return f"{count:,}"
    step = 10 ** (len(str(count)) - 2)
    return f"{math.ceil(count / step) * step:,}"


def count_of(count: int, noun: str) -> str:
    """``no ratings``, ``1 rating``, ``1,204 ratings``."""
    if count == 0:
        return f"no {noun}s"
    return f"1 {noun}" if count == 1 else f"{count:,} {noun}s"


def decimals_for(low: float | None, high: float | None, *, coarse: int, fine: int, width: float) -> int:
    """``fine`` decimals when the interval is narrower than ``width``, else ``coarse``."""
    if is_missing(low) or is_missing(high):
        return coarse
    return fine if high - low < width else coarse


def money_decimals(value: float | None) -> int:
    """Two significant digits of a small amount of money, at least cents: $0.00021, $0.012, $1.50."""
    if is_missing(value) or value == 0:
        return 2
    return max(2, 1 - math.floor(math.log10(abs(value))))


def interval(low: float | None, high: float | None, render: Callable[[float], str]) -> str:
    """``38%–96%``; "—" when there is no interval."""
    if is_missing(low) or is_missing(high):
        return MISSING
    return f"{render(low)}–{render(high)}"
