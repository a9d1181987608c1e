"""What the routes share, kept on ``app.state`` and read through the ``State`` dependency."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from honeyhive_api.emulator.config import EmulatorConfig
from honeyhive_api.emulator.faults import FaultState
from honeyhive_api.emulator.providers import Provider
from honeyhive_api.emulator.request_log import RequestLog
from honeyhive_api.emulator.store import EmulatorStore


@dataclass(frozen=True)
class EmulatorState:
    config: EmulatorConfig
    store: EmulatorStore
    provider: Provider
    faults: FaultState
    requests: RequestLog = field(default_factory=RequestLog)

    # The local model answers one request at a time on one thread of its own: llama.cpp's threads
    # then always start from the same thread, as when the model is called directly, instead of a
    # new worker per request with the others parked on the model's lock (measured in
    # bench/local_model_batch.py). Other providers (a remote endpoint) run side by side: None, the
    # loop's default pool.
    model_thread: Executor | None = field(default=None)

    def __post_init__(self) -> None:
        if self.provider.name == "local" and self.model_thread is None:
            object.__setattr__(self, "model_thread", ThreadPoolExecutor(1, thread_name_prefix="local-model"))

    @property
    def instant(self) -> bool:
        """The provider answers at once (no model runs): no worker thread needed for it."""
        return self.provider.name == "offline"


def emulator_state(request: Request) -> EmulatorState:
    return request.app.state.emulator


State = Annotated[EmulatorState, Depends(emulator_state)]
