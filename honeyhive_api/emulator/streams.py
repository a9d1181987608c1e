"""A provider's completion as async pieces, for the routes that stream (generations, chat)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor

_END = object()


async def pieces(
    produce: Callable[[], Iterator[str]], *, instant: bool, executor: Executor | None = None
) -> AsyncIterator[str]:
    """The pieces of ``produce()`` as they come. A real model runs on one worker thread that hands
    each piece to the event loop through a queue (not one thread hop per piece); an instant one
    (the offline provider) runs on the loop itself."""
    if instant:
        for piece in produce():
            yield piece
        return
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()

    def work() -> None:
        try:
            for piece in produce():
                loop.call_soon_threadsafe(queue.put_nowait, piece)
        except Exception as exc:  # handed to the stream, which reports it as an error event
            loop.call_soon_threadsafe(queue.put_nowait, exc)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, _END)

    worker = loop.run_in_executor(executor, work)
    while (item := await queue.get()) is not _END:
        if isinstance(item, Exception):
            raise item
        yield str(item)
    await worker


async def whole(produce: Callable[[], Iterator[str]], *, instant: bool, executor: Executor | None = None) -> str:
    """The whole completion; a real model runs in a worker thread."""
    if instant:
        return "".join(produce())
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, lambda: "".join(produce()))
