"""What the routes share, kept on ``app.state`` and read through the ``State`` dependency."""

from __future__ import annotations

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

    @property
    def instant(self) -> bool:
        """The provider answers at once (no model runs): no worker thread needed for it."""
        return self.provider.name == "offline"


def emulator_state(request: Request) -> EmulatorState:
    return request.app.state.emulator


State = Annotated[EmulatorState, Depends(emulator_state)]
