"""The streaming format of ``POST /generations`` with ``"stream": true``.

Server-sent events (``Content-Type: text/event-stream``), each event's data one JSON object so
that newlines inside a chunk cannot break the framing::

    event: chunk
    data: {"text": "Dear team,"}

    event: chunk
    data: {"text": " the launch moves"}

    event: done
    data: {"generation_id": "…", "version": "…", "generation": "Dear team, the launch moves…",
           "model": "…", "latency": 812.4, "usage": {…}, "cost": 0.0, …}

    event: error
    data: {"message": "the model stopped: …", "status_code": 500}

``chunk`` events come first, in order; exactly one ``done`` (the whole ``Generation``) or one
``error`` ends the stream. Both the emulator and the client use the functions below.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

CHUNK = "chunk"
DONE = "done"
ERROR = "error"
MEDIA_TYPE = "text/event-stream"


@dataclass(frozen=True)
class StreamEvent:
    event: str
    data: dict[str, Any]


def encode_event(event: str, data: dict[str, Any]) -> bytes:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {payload}\n\n".encode()


def decode_events(lines: Iterable[str]) -> Iterator[StreamEvent]:
    """Parse SSE lines (without their line endings), yielding each event as its blank line ends it.

    Comments (``: keep-alive``) and events without data yield nothing. Raises ``ValueError`` when
    an event's data is not a JSON object.
    """
    event = "message"
    data_lines: list[str] = []
    for line in lines:
        if line == "":
            if data_lines:
                yield _event(event, data_lines)
            event, data_lines = "message", []
        elif line.startswith(":"):
            continue  # a comment, e.g. a keep-alive
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                event = value
            elif field == "data":
                data_lines.append(value)
    if data_lines:  # a last event whose blank line never came
        yield _event(event, data_lines)


def _event(event: str, data_lines: list[str]) -> StreamEvent:
    data = json.loads("\n".join(data_lines))
    if not isinstance(data, dict):
        raise ValueError(f"event {event!r} carries {type(data).__name__}, not an object")
    return StreamEvent(event, data)
