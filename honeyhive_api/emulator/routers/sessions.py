"""Starting a session (current API). A session is stored as an event of type ``session`` whose id is
the session id; starting one with a session id that exists already answers that session."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from honeyhive_api.current_models import SessionStart, SessionStartRequest
from honeyhive_api.emulator.state import EmulatorState, State
from honeyhive_api.emulator.store import ORG_ID, WORKSPACE_ID

router = APIRouter(tags=["sessions"])


def start_session(state: EmulatorState, session: SessionStart) -> dict[str, Any]:
    given = session.model_dump(exclude_none=True)
    name = given.get("event_name") or given.get("session_name") or "session"
    event = {**given, "event_type": "session", "event_name": name, "event_id": session.session_id}
    [session_id] = state.store.events.add([event])
    stored = state.store.events.get(session_id)
    assert stored is not None  # just written, on the one connection
    return {**stored, "org_id": ORG_ID, "workspace_id": WORKSPACE_ID}


@router.post("/session/start")
async def start(state: State, body: SessionStartRequest) -> Any:
    return start_session(state, body.session)


@router.post("/v1/sessions")
async def start_bare(state: State, body: SessionStart) -> Any:
    return start_session(state, body)
