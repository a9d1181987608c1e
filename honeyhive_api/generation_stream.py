"""A streamed generation (``POST /generations`` with ``"stream": true``), read under a silence deadline.

The stream may run as long as the model writes, but it may not go quiet: when no real event
(a ``chunk``) arrives for ``timeout`` seconds, iteration ends with ``APITimeoutError``. SSE
comments (``: keep-alive``) and events of other kinds are not progress, so a server that only
keeps the connection warm cannot hold a reviewer's page forever.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import requests
import urllib3.exceptions

from honeyhive_api import streaming
from honeyhive_api.deadlines import Deadline
from honeyhive_api.errors import APIConnectionError, APITimeoutError, MalformedResponseError
from honeyhive_api.models import Generation

if TYPE_CHECKING:
    from honeyhive_api.transport import Transport

__all__ = ["GenerationStream"]

WHAT = "POST /generations"


class GenerationStream:
    """Iterate for text chunks; ``generation`` is set when the stream ends with its ``done`` event.

    ``with client.generate_stream(...) as stream: for chunk in stream: ...`` closes the connection
    even when the caller stops early.
    """

    def __init__(
        self,
        events: Iterator[streaming.StreamEvent],
        *,
        transport: Transport,
        silence: Deadline,
        response: requests.Response | None = None,
    ) -> None:
        self._events = events
        self._transport = transport
        self._silence = silence
        self._response = response
        self.generation: Generation | None = None
        self.chunks: list[str] = []

    def __iter__(self) -> Iterator[str]:
        try:
            for event in self._events:
                if event.event == streaming.CHUNK:
                    self._silence.restart()
                    text = event.data.get("text")
                    text = text if isinstance(text, str) else ""
                    self.chunks.append(text)
                    yield text
                elif event.event == streaming.DONE:
                    self.generation = self._transport.parse(Generation, event.data, WHAT)
                    return
                elif event.event == streaming.ERROR:
                    raise self._transport.stream_error(event.data, WHAT)
            raise MalformedResponseError(
                f"{WHAT}: the stream ended before its final 'done' event; the generation may be incomplete. "
                "Run it again."
            )
        except (TimeoutError, urllib3.exceptions.TimeoutError, requests.exceptions.Timeout) as exc:
            raise APITimeoutError(
                f"{WHAT}: no text for {self._silence.seconds:g} s while streaming (keep-alives do not count); "
                "the generation seems stuck. Try again, or raise the timeout."
            ) from exc
        except (OSError, urllib3.exceptions.HTTPError, requests.exceptions.RequestException) as exc:
            raise APIConnectionError(
                self._transport.clean(
                    f"{WHAT}: the connection broke while streaming ({type(exc).__name__}); the generation "
                    "is incomplete. Run it again."
                )
            ) from exc
        except ValueError as exc:  # an event whose data is not a JSON object
            raise MalformedResponseError(
                self._transport.clean(f"{WHAT}: the stream carried an event that is not a JSON object ({exc}).")
            ) from exc
        finally:
            self.close()

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def close(self) -> None:
        if self._response is not None:
            self._response.close()

    def __enter__(self) -> GenerationStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
