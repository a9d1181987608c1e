"""The emulator's routes, one router per resource.

Task-based API (``honeyhive-legacy-api.md``): tasks, prompts, generations, feedback.
Current API (``honeyhive-current-api.md``): configurations, sessions, events, queues.
OpenAI-compatible chat completions, and the emulator's own controls (``/health``, ``/_emulator``).

Routes are ``async``: the store answers in well under a millisecond, so handing each request to a
worker thread would cost more than it saves. Only a real model's work runs in a thread.
"""

from honeyhive_api.emulator.routers import (
    admin,
    chat,
    configurations,
    events,
    feedback,
    generations,
    prompts,
    queues,
    sessions,
    tasks,
)

ROUTERS = (
    admin.router,
    tasks.router,
    prompts.router,
    generations.router,
    feedback.router,
    configurations.router,
    sessions.router,
    events.router,
    queues.router,
    chat.router,
)

__all__ = ["ROUTERS"]
