"""The HoneyHive APIs behind one interface (``hive_review.ports.ReviewBackend``).

* ``TasksBackend``: the task API's proxy (``HoneyHiveClient``), as the studio used it so far;
* ``CurrentBackend``: HoneyHive's current API: configurations, a model endpoint called here
  (``ModelEndpoint``), and the call logged as an event.
"""

from hive_review.backends.current import DEFAULT_SOURCE, CurrentBackend
from hive_review.backends.current_stream import CurrentGenerationStream
from hive_review.backends.errors import (
    ModelAuthenticationError,
    ModelConnectionError,
    ModelEndpointError,
    ModelNotFoundError,
    ModelRateLimitError,
    ModelRequestError,
    ModelServerError,
    ModelStatusError,
    ModelStreamError,
    ModelTimeoutError,
    NoModelEndpointError,
    NotDeployedError,
)
from hive_review.backends.model_endpoint import ModelAnswer, ModelEndpoint, ModelStream
from hive_review.backends.tasks import TasksBackend

__all__ = [
    "DEFAULT_SOURCE",
    "CurrentBackend",
    "CurrentGenerationStream",
    "ModelAnswer",
    "ModelAuthenticationError",
    "ModelConnectionError",
    "ModelEndpoint",
    "ModelEndpointError",
    "ModelNotFoundError",
    "ModelRateLimitError",
    "ModelRequestError",
    "ModelServerError",
    "ModelStatusError",
    "ModelStream",
    "ModelStreamError",
    "ModelTimeoutError",
    "NoModelEndpointError",
    "NotDeployedError",
    "TasksBackend",
]
