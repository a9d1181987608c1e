"""A streamed generation in the current mode: the model's text as it comes, then the logged event.

The same interface as ``honeyhive_api.generation_stream.GenerationStream`` (iterate for text,
``generation`` after the end, ``chunks`` and ``text``, a context manager, ``close()``), so the
playground streams either API through one code path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from hive_review.backends.model_endpoint import ModelAnswer, ModelStream
from honeyhive_api import Generation

__all__ = ["CurrentGenerationStream"]


class CurrentGenerationStream:
    """``generation`` is set once the model has finished and the call is logged at HoneyHive.

    A reader that stops early (or ``close()``) ends the model call; nothing is logged then, as a
    task-API stream closed before its ``done`` event leaves no generation.
    """

    def __init__(self, stream: ModelStream, record: Callable[[ModelAnswer], Generation]) -> None:
        self._stream = stream
        self._record = record
        self.generation: Generation | None = None
        self.chunks: list[str] = []

    def __iter__(self) -> Iterator[str]:
        try:
            for text in self._stream:
                self.chunks.append(text)
                yield text
        finally:
            self.close()
        answer = self._stream.answer
        if answer is not None:
            self.generation = self._record(answer)

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> CurrentGenerationStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
