"""The review queue's keyboard: every key a reviewer presses applies, in order, however slow the
server.

Why not ``st.button(shortcut=...)``: each shortcut click reruns the script, and keys pressed while a
run is going on are coalesced (their callbacks then run in the order the buttons were drawn, not
the order of the keys) or lost (a value set from a callback is overwritten by the browser's older
widget value when the run that would have shown the new one is interrupted by the next key).
Measured on the emulator at 300 ms latency: ``U 4 N`` pressed without a pause gave thumbs without
stars.

So a tiny static component listens to the keys instead (``queue_keys_frontend/index.html``). It
renders nothing (no text at all, so no untrusted text either) and keeps the keys it saw in a list,
each with a sequence number, that it sends whole as its value: a value, unlike a button's trigger,
is never coalesced away, since the latest one holds every key. Python applies the keys it has not
applied yet, in order, and tells the component (through its arguments) which number it reached, so
the list stays short.

It is a ``components.v1`` component on purpose: the state of a ``components.v2`` one sits in
session state as an object that does not pickle, which ``runner.enforceSerializableSessionState``
(our config) refuses at the end of every run.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit.components.v1 as components

# The keys the queue knows with the default rubric; "enter" stands for Ctrl+Enter (or Cmd+Enter),
# "?" shows every key. Another rubric has its own (``hive_review.rubrics.keys.queue_key_names``):
# callers pass them as ``allowed``, and the listener takes only those.
KEYS = frozenset({"u", "d", "1", "2", "3", "4", "5", "n", "s", "b", "enter", "?"})

_FRONTEND = Path(__file__).resolve().parent / "queue_keys_frontend"


def _applied(key: str) -> MutableMapping[str, Any]:
    """How far this session applied the keys of one page load's component: ``epoch`` and ``seq``."""
    return st.session_state.setdefault(f"{key}.applied", {"epoch": None, "seq": 0})


def new_keys(key: str, allowed: Collection[str] = KEYS) -> Iterator[str]:
    """The keys pressed since the last call, in order, each given once. Apply them before drawing
    anything (drawing is where Streamlit may stop a run for the next one): they belong to what the
    reviewer saw when pressing them."""
    return take_keys(_value(st.session_state.get(key)), _applied(key), allowed)


def take_keys(
    value: Mapping[str, Any] | None, applied: MutableMapping[str, Any], allowed: Collection[str] = KEYS
) -> Iterator[str]:
    """The keys of ``value`` (the component's state) after ``applied["seq"]``. A key counts as
    applied when the caller asks for the next one, so a run stopped halfway leaves the rest for
    the next run. A new page load has a new epoch and numbers its keys from 1 again."""
    if not value:
        return
    epoch = str(value.get("epoch") or "")
    if epoch != applied["epoch"]:
        applied.update(epoch=epoch, seq=0)
    for item in value.get("keys") or []:
        try:
            seq, name = int(item[0]), str(item[1])
        except (TypeError, ValueError, IndexError):
            continue
        if seq > applied["seq"] and name in allowed:
            yield name
            applied["seq"] = seq
        elif seq > applied["seq"]:
            applied["seq"] = seq


def _value(state: Any) -> Mapping[str, Any] | None:
    return state if isinstance(state, Mapping) else None


def keys_ready(key: str) -> bool:
    """Whether the listener of this page load has reported (keys pressed before are not seen)."""
    value = _value(st.session_state.get(key))
    return bool(value and value.get("epoch"))


def capture_keys(key: str, allowed: Collection[str] = KEYS) -> None:
    """Draw the (invisible) key listener and tell it which keys to take and which it sent are applied."""
    # Declared at each call, from a script run: declaring registers it with the running server.
    listener = components.declare_component("listener", path=str(_FRONTEND))
    applied = _applied(key)
    listener(epoch=applied["epoch"], applied=applied["seq"], keys=sorted(allowed), key=key, default=None)
