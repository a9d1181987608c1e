"""What a logged model event holds besides its text: the ``config`` and ``metadata`` objects."""

from __future__ import annotations

from typing import Any

from hive_review.backends.model_endpoint import ModelAnswer
from honeyhive_api import Configuration, Usage

__all__ = ["answer_metadata", "model_config", "token_metadata"]


def _template(configuration: Configuration) -> list[dict[str, Any]] | str | None:
    template = configuration.parameters.template
    return template if template is None or isinstance(template, str) else [m.model_dump() for m in template]


def model_config(configuration: Configuration, *, model: str, environment: str) -> dict[str, Any]:
    """The event's ``config``: what ran (provider, model, hyperparameters, template) and which
    configuration it came from, so an event can be traced back to the prompt a reviewer rated."""
    config: dict[str, Any] = {
        "provider": configuration.provider,
        "model": model,
        "hyperparameters": dict(configuration.parameters.hyperparameters),
        "template": _template(configuration),
        "call_type": configuration.parameters.call_type,
        "configuration_id": configuration.id,
        "configuration_name": configuration.name,
        "env": list(configuration.env),
        "environment": environment,
    }
    if model != configuration.parameters.model:  # a model override ran instead of the configured one
        config["configured_model"] = configuration.parameters.model
    return config


def token_metadata(usage: Usage | None, cost: float | None) -> dict[str, Any]:
    """Token counts and cost; keys without a value are left out."""
    counts: dict[str, Any] = {}
    if usage is not None:
        counts = {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.total_tokens,
        }
    return {**counts, "cost": cost} if cost is not None else counts


def answer_metadata(answer: ModelAnswer) -> dict[str, Any]:
    """The event's ``metadata`` for a model call made here."""
    metadata = {
        **token_metadata(answer.usage, answer.cost),
        "response_model": answer.model,
        "first_token_ms": answer.time_to_first_token_ms,
        "finish_reason": answer.finish_reason,
        # The endpoint's own account, when it gives one: the model's time apart from the wait for it.
        "model_latency_ms": answer.model_ms,
        "wait_ms": answer.queue_ms,
    }
    return {key: value for key, value in metadata.items() if value is not None}
