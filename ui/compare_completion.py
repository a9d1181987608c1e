"""What the Playground and Compare say under a completion: the model configured and the one that
answered, the model's own time apart from the time the run waited for it, tokens and cost.

The local emulator's model answers one request at a time: parallel runs wait for it in turn, and a
run's whole latency says more about its place in that queue than about its variant. So the model's
own time is what is shown (and compared) when the endpoint gave it, with the wait beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import pandas as pd
import streamlit as st

from hive_review.log import columns as col
from ui.text import code

# A wait shorter than this is a request's ordinary overhead, not a queue worth mentioning.
WAIT_NOTICE_MS: Final = 250.0


def number(value: object) -> float | None:
    """``value`` as a float, or ``None`` for a missing, NaN or unreadable one."""
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return result if result == result else None  # NaN is no number to show


def duration(ms: float) -> str:
    return f"{ms:,.0f} ms" if ms < 10_000 else f"{ms / 1000:,.1f} s"


def model_text(configured: str | None, answered: object) -> str:
    """``**Model** `gpt-3.5-turbo` configured · answered by `gemma-3-270m```: both when they differ."""
    answered_by = str(answered or "")
    if configured and answered_by and answered_by != configured:
        return f"**Model** {code(configured)} configured · answered by {code(answered_by)}"
    if answered_by:
        return f"**Model** {code(answered_by)}"
    return f"**Model** {code(configured or '—')} configured · the answer did not name its model"


def time_parts(row: Mapping[str, object]) -> list[str]:
    """The model's time, its first token and the wait when the log has them, else the whole latency."""
    model = number(row.get(col.MODEL_LATENCY_MS))
    if model is None:
        latency = number(row.get(col.LATENCY_MS))
        return [f"**Latency** {duration(latency)}" if latency is not None else "**Latency** —"]
    parts = [f"**Model time** {duration(model)}"]
    first = number(row.get(col.FIRST_TOKEN_MS))
    if first is not None:
        parts.append(f"**First token** {duration(first)}")
    wait = number(row.get(col.WAIT_MS))
    if wait is not None and wait >= WAIT_NOTICE_MS:
        parts.append(f"**Waited** {duration(wait)} for the model")
    return parts


def render_run_details(row: Mapping[str, object], *, configured_model: str | None) -> None:
    """The numbers of one generation, each from the server or a file, so each as text."""
    tokens = number(row.get(col.TOTAL_TOKENS))
    cost = number(row.get(col.COST))
    parts = [
        f"**Version** {code(row.get(col.PROMPT_VERSION) or '—')}",
        model_text(configured_model, row.get(col.MODEL)),
        *time_parts(row),
        f"**Tokens** {int(tokens):,}" if tokens is not None else "**Tokens** —",
        f"**Cost** ${cost:.5f}" if cost is not None else "**Cost** —",
    ]
    st.caption(" · ".join(parts))
    st.caption(f"Generation id {code(row.get(col.GENERATION_ID))}")


def longest_wait(waits: Iterable[object]) -> float | None:
    """The longest of these waits worth a mention (``WAIT_NOTICE_MS`` or more), else ``None``."""
    found = [wait for wait in (number(value) for value in waits) if wait is not None and wait >= WAIT_NOTICE_MS]
    return max(found) if found else None


def waiting_notice(waits: Iterable[object]) -> str | None:
    """What a page says when runs waited for a model that answers one request at a time."""
    longest = longest_wait(waits)
    if longest is None:
        return None
    return (
        "These runs waited for a single model that answers one request at a time (up to "
        f"{duration(longest)}). Times shown are the model's own; each run's wait is shown apart."
    )


def render_waiting_notice(waits: Iterable[object]) -> None:
    notice = waiting_notice(waits)
    if notice:
        st.caption(f":material/hourglass_top: {notice}")


def numbers_notice(rows: pd.DataFrame) -> str | None:
    """For the Numbers page: whether its latencies leave out a wait for a single model."""
    if col.WAIT_MS not in rows or col.MODEL_LATENCY_MS not in rows:
        return None
    waited = pd.to_numeric(rows[col.WAIT_MS], errors="coerce")
    count = int((waited >= WAIT_NOTICE_MS).sum())
    if not count:
        return None
    return (
        f"{count:,} run{'s' if count != 1 else ''} waited for a single model that answers one request at a time. "
        "The latencies here are the model's own time, without that wait (the whole latency where the log has no "
        "model time)."
    )
