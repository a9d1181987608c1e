"""Client of HoneyHive's task-based API, its wire models, and a local emulator of it.

Nothing in this package imports Streamlit: it is usable from scripts, notebooks and tests.
"""

from honeyhive_api.client import DEFAULT_BASE_URL, GenerationStream, HoneyHiveClient
from honeyhive_api.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    HoneyHiveError,
    MalformedResponseError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from honeyhive_api.models import Feedback, Generation, Prompt, Task, Usage

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "Feedback",
    "Generation",
    "GenerationStream",
    "HoneyHiveClient",
    "HoneyHiveError",
    "MalformedResponseError",
    "NotFoundError",
    "PayloadTooLargeError",
    "Prompt",
    "RateLimitError",
    "ServerError",
    "Task",
    "Usage",
    "ValidationError",
]
