"""Where a shared queue's items come from, said the way ``SharedQueue.source`` keeps it: the rows a
filter of the session log selects, in the log's order, and a description of that filter that a
reviewer can read on the queue ("log filter · task Sandbox - Email Writer · thumbs down")."""

from __future__ import annotations

import pandas as pd

from hive_review.log import columns as col
from hive_review.log.filters import LogFilter

LOG_FILTER = "log filter"


def log_filter_source(log_filter: LogFilter, *, scope: str) -> str:
    """The queue's ``source`` for rows of the log selected by ``log_filter`` in ``scope`` ("this
    session", "all sessions"): every field that filters, none that does not."""
    parts = [f"{LOG_FILTER} ({scope})"]
    if log_filter.tasks:
        parts.append(f"task {', '.join(log_filter.tasks)}")
    if log_filter.versions:
        parts.append(f"version {', '.join(log_filter.versions)}")
    if log_filter.thumbs:
        parts.append(f"thumbs {', '.join(log_filter.thumbs)}")
    if log_filter.ratings or log_filter.include_unrated:
        stars = [str(value) for value in log_filter.ratings] + (["none"] if log_filter.include_unrated else [])
        parts.append(f"stars {', '.join(stars)}")
    if log_filter.text:
        parts.append(f"text {log_filter.text!r}")
    if len(parts) == 1:
        parts.append("every row")
    return " · ".join(parts)


def filtered_generation_ids(view: pd.DataFrame) -> list[str]:
    """The generation ids of the rows a filter selected, oldest first (the order they were made
    in, which a queue then offers them in); each once."""
    if view.empty or col.GENERATION_ID not in view:
        return []
    ordered = view.sort_values(col.TIMESTAMP, kind="stable") if col.TIMESTAMP in view else view
    return list(dict.fromkeys(str(gid) for gid in ordered[col.GENERATION_ID].dropna()))
