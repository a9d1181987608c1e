"""Client of HoneyHive's task API and current API, their wire models, and a local emulator.

Nothing in this package imports Streamlit: it is usable from scripts, notebooks and tests.
"""

from honeyhive_api.client import DEFAULT_BASE_URL, GenerationStream, HoneyHiveClient
from honeyhive_api.current_api import CurrentAPI
from honeyhive_api.current_models import (
    Configuration,
    ConfigurationParameters,
    DateRange,
    Event,
    EventFilter,
    Queue,
    SessionStartResponse,
)
from honeyhive_api.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    HoneyHiveError,
    InvalidBaseURLError,
    MalformedResponseError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
    ServerError,
    StreamError,
    UnsupportedAPIError,
    ValidationError,
)
from honeyhive_api.models import Feedback, Generation, Prompt, Task, Usage
from honeyhive_api.retrying import backoff_delay, is_transient, may_retry, not_processed
from honeyhive_api.tasks_api import TaskAPI
from honeyhive_api.urls import redact_url

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "Configuration",
    "ConfigurationParameters",
    "ConflictError",
    "CurrentAPI",
    "DateRange",
    "Event",
    "EventFilter",
    "Feedback",
    "Generation",
    "GenerationStream",
    "HoneyHiveClient",
    "HoneyHiveError",
    "InvalidBaseURLError",
    "MalformedResponseError",
    "NotFoundError",
    "PayloadTooLargeError",
    "Prompt",
    "Queue",
    "RateLimitError",
    "ServerError",
    "SessionStartResponse",
    "StreamError",
    "Task",
    "TaskAPI",
    "UnsupportedAPIError",
    "Usage",
    "ValidationError",
    "backoff_delay",
    "is_transient",
    "may_retry",
    "not_processed",
    "redact_url",
]
