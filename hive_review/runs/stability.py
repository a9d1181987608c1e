"""Stability of repeated runs: identical or near-identical outputs grouped, with counts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import pandas as pd

_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalized(text: str) -> str:
    """The text with case, punctuation, Unicode forms and spacing evened out: outputs that differ
    only in those count as the same answer."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACE.sub(" ", _PUNCTUATION.sub(" ", text)).strip()


def output_groups(completions: Iterable[str]) -> pd.DataFrame:
    """Groups of near-identical outputs, largest first: ``count``, ``share`` and one ``example``."""
    frame = pd.DataFrame({"completion": list(completions)})
    if frame.empty:
        return pd.DataFrame(columns=["count", "share", "example"])
    frame["key"] = frame["completion"].map(normalized)
    grouped = frame.groupby("key", sort=False).agg(count=("completion", "size"), example=("completion", "first"))
    grouped["share"] = grouped["count"] / len(frame)
    return grouped.sort_values("count", ascending=False).reset_index(drop=True)[["count", "share", "example"]]


def stability_table(items: pd.DataFrame) -> pd.DataFrame:
    """Per input row and variant (``row_number``, ``variant``, ``completion`` columns): runs,
    distinct outputs, and the share of the most common output."""
    rows = []
    for (row_number, variant), group in items.groupby(["row_number", "variant"], sort=True):
        groups = output_groups(group["completion"])
        rows.append(
            {
                "row": row_number,
                "variant": variant or "deployed",
                "runs": len(group),
                "distinct_outputs": len(groups),
                "top_share": float(groups["share"].iloc[0]) if len(groups) else 0.0,
                "top_output": groups["example"].iloc[0] if len(groups) else "",
            }
        )
    return pd.DataFrame(rows, columns=["row", "variant", "runs", "distinct_outputs", "top_share", "top_output"])
