"""``HoneyHiveClient``: both HoneyHive APIs over one pooled connection.

The calls live in two resources, as in openai-python: ``client.task_api`` (``TaskAPI``, the task
API the studio speaks today) and ``client.current_api`` (``CurrentAPI``, HoneyHive's current
API). The client forwards every call by name, so ``client.list_tasks()`` and
``client.log_event(...)`` work as well as ``client.task_api.list_tasks()``. HTTP, retries,
deadlines and errors are ``honeyhive_api.transport``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, Generic, Literal, ParamSpec, TypeVar

from honeyhive_api.current_api import CurrentAPI
from honeyhive_api.errors import (
    APIStatusError,
    AuthenticationError,
    MalformedResponseError,
    RateLimitError,
    ServerError,
    UnsupportedAPIError,
)
from honeyhive_api.generation_stream import GenerationStream
from honeyhive_api.tasks_api import TaskAPI, generate_body
from honeyhive_api.transport import Transport
from honeyhive_api.urls import DEFAULT_BASE_URL, check_base_url, redact_url

__all__ = ["DEFAULT_BASE_URL", "GenerationStream", "HoneyHiveClient"]

P = ParamSpec("P")
R = TypeVar("R")


class _Forward(Generic[P, R]):
    """A client method that is a resource's method: ``client.list_tasks`` is ``client.task_api.list_tasks``."""

    def __init__(self, resource: str, method: Callable[Concatenate[Any, P], R]) -> None:
        self._resource = resource
        self._name = method.__name__
        self.__doc__ = method.__doc__

    def __get__(self, client: object, owner: type | None = None) -> Callable[P, R]:
        if client is None:
            return self  # type: ignore[return-value]  # looked up on the class, e.g. by help()
        return getattr(getattr(client, self._resource), self._name)


class HoneyHiveClient:
    """Client of HoneyHive's task API and current API.

    ``timeout`` is each call's whole budget in seconds (connecting, retries and their pauses,
    reading the answer); a stream's is its silence deadline. ``max_retries`` bounds the retries of
    one call; which failures are retried is ``honeyhive_api.retrying``'s rule.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        pool_maxsize: int = 32,
    ) -> None:
        if not api_key or not api_key.strip():
            raise AuthenticationError(
                "No HoneyHive API key given. Set HONEYHIVE_API_KEY (or add it to .streamlit/secrets.toml); "
                "you find the key in HoneyHive under Settings > Project > API Keys.",
                status_code=401,
            )
        self._api_key = api_key
        self._transport = Transport(
            api_key,
            check_base_url(base_url, api_key=api_key),
            timeout=timeout,
            max_retries=max_retries,
            pool_maxsize=pool_maxsize,
        )
        self.task_api = TaskAPI(self._transport)
        self.current_api = CurrentAPI(self._transport)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def timeout(self) -> float:
        return self._transport.timeout

    @property
    def max_retries(self) -> int:
        return self._transport.max_retries

    def __repr__(self) -> str:
        return f"HoneyHiveClient(base_url={self.base_url!r}, timeout={self.timeout:g}, api_key=<hidden>)"

    def with_options(self, *, timeout: float | None = None, max_retries: int | None = None) -> HoneyHiveClient:
        """A new client for the same HoneyHive with other timeout or retry settings.

        The batch runner uses ``max_retries=0`` so that it can show "retrying" and back off itself.
        """
        return HoneyHiveClient(
            self._api_key,
            self.base_url,
            timeout=self.timeout if timeout is None else timeout,
            max_retries=self.max_retries if max_retries is None else max_retries,
            pool_maxsize=self._transport.pool_maxsize,
        )

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> HoneyHiveClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def detect_api(self) -> Literal["current", "tasks"]:
        """Which API the base URL speaks: ``GET /v1/configurations`` answers → ``"current"``;
        otherwise ``GET /tasks`` answers → ``"tasks"``; neither → ``UnsupportedAPIError``.

        A rejected key raises ``AuthenticationError`` at once; no connection, a rate limit or a 5xx
        raise their own errors, since they say nothing about which API is there.
        """
        probes: tuple[tuple[Literal["current", "tasks"], str, Callable[[], object]], ...] = (
            ("current", "GET /v1/configurations", self.current_api.list_configurations),
            ("tasks", "GET /tasks", self.task_api.list_tasks),
        )
        outcomes: list[str] = []
        for api, what, probe in probes:
            try:
                probe()
            except (AuthenticationError, RateLimitError, ServerError):
                raise
            except APIStatusError as exc:
                outcomes.append(f"{what} answered {exc.status_code}")
            except MalformedResponseError:
                outcomes.append(f"{what} answered, but not with that API's JSON")
            else:
                return api
        raise UnsupportedAPIError(
            f"HoneyHive at {redact_url(self.base_url)} speaks neither HoneyHive API: {'; '.join(outcomes)}. "
            "Check HONEYHIVE_BASE_URL: https://api.honeyhive.ai, your account's data-plane URL (e.g. "
            "https://api.dp1.us.honeyhive.ai), or the local emulator's address."
        )

    # ---- the task API (``TaskAPI``) -------------------------------------------------------------

    list_tasks = _Forward("task_api", TaskAPI.list_tasks)
    list_prompts = _Forward("task_api", TaskAPI.list_prompts)
    list_generations = _Forward("task_api", TaskAPI.list_generations)
    generate = _Forward("task_api", TaskAPI.generate)
    generate_stream = _Forward("task_api", TaskAPI.generate_stream)
    log_generation = _Forward("task_api", TaskAPI.log_generation)
    send_feedback = _Forward("task_api", TaskAPI.send_feedback)
    # bench/client_overhead.py builds the same body by hand to compare against a bare Session.
    _generate_body = staticmethod(generate_body)

    # ---- the current API (``CurrentAPI``) -------------------------------------------------------

    list_configurations = _Forward("current_api", CurrentAPI.list_configurations)
    create_configuration = _Forward("current_api", CurrentAPI.create_configuration)
    start_session = _Forward("current_api", CurrentAPI.start_session)
    log_event = _Forward("current_api", CurrentAPI.log_event)
    update_event = _Forward("current_api", CurrentAPI.update_event)
    get_event = _Forward("current_api", CurrentAPI.get_event)
    export_events = _Forward("current_api", CurrentAPI.export_events)
    list_queues = _Forward("current_api", CurrentAPI.list_queues)
    get_queue = _Forward("current_api", CurrentAPI.get_queue)
