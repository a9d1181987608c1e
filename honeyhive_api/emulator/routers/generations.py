"""The proxy (``POST /generations``: run a task's deployed or chosen prompt, streamed or not),
logging completions made elsewhere (``POST /generations/log``), and listing them.

A proxied generation's answer carries, beside HoneyHive's ``latency`` (the whole request), three
fields of the emulator's own: ``model_latency`` (the model's own time, ms), ``queue_ms`` (how long
the request waited for the model) and ``first_token_ms`` (the model's time to its first piece).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from honeyhive_api import streaming
from honeyhive_api.emulator import streams
from honeyhive_api.emulator.providers import Completion, timed
from honeyhive_api.emulator.responses import ApiError
from honeyhive_api.emulator.routers.tasks import require_task
from honeyhive_api.emulator.state import EmulatorState, State
from honeyhive_api.models import GenerateQuery, GenerationLoggingQuery
from honeyhive_api.templates import missing_variables, prompt_variables, render_template

router = APIRouter(tags=["generations"])
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def chosen_prompt(state: EmulatorState, query: GenerateQuery) -> dict[str, Any]:
    require_task(state, query.task)
    prompts = state.store.tasks.list_prompts(task=query.task)
    if query.prompts:
        wanted = query.prompts[0]
        found = [p for p in prompts if wanted in (p["name"], p["version"], p["id"])]
        if not found:
            names = ", ".join(p["name"] for p in prompts)
            raise ApiError(404, f"prompt {wanted!r} not found in task {query.task!r}; its prompts: {names}")
        return found[0]
    deployed = [p for p in prompts if p["is_deployed"]]
    if not deployed:
        raise ApiError(404, f"task {query.task!r} has no deployed prompt; deploy one first")
    return deployed[0]


def rendered(prompt: dict[str, Any], inputs: dict[str, str]) -> str:
    variables = prompt_variables(prompt["text"], prompt["input_variables"])
    missing = missing_variables(variables, inputs)
    if missing:
        raise ApiError(
            422,
            f"missing input variables for prompt {prompt['name']!r}: {', '.join(missing)}; "
            "send a value for each in `input`",
            [f"input.{name}" for name in missing],
        )
    return render_template(prompt["text"], inputs)


def record_generation(
    state: EmulatorState, query: GenerateQuery, prompt: dict[str, Any], text: str, usage: Completion, started: float
) -> dict[str, Any]:
    generation = state.store.generations.add_generation(
        {
            "task": query.task,
            "version": prompt["version"] or prompt["name"],
            "prompt_name": prompt["name"],
            "model": state.provider.model_label(prompt["model"]),
            "model_id": query.model_id,
            "hyperparameters": prompt["hyperparameters"],
            "prompt_template": prompt["text"],
            "inputs": query.input,
            "prompt": render_template(prompt["text"], query.input),
            "generation": text,
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.prompt_tokens + usage.completion_tokens,
            "cost": 0.0,  # the emulator's models cost nothing
            "latency": (time.perf_counter() - started) * 1000,
            "source": query.source,
            "user_properties": query.user_properties,
            "kind": "proxy",
        }
    )
    # In this answer only (not stored, as HoneyHive has no such fields): the client logs them.
    times = usage.timings(started)
    return {
        **generation,
        "model_latency": times["model_ms"],
        "queue_ms": times["queue_ms"],
        "first_token_ms": times["first_token_ms"],
    }


@router.post("/generations")
async def generate(state: State, query: GenerateQuery) -> Any:
    prompt = chosen_prompt(state, query)
    text_in = rendered(prompt, query.input)
    started = time.perf_counter()
    usage = Completion()

    def produce() -> Iterator[str]:
        # The model goes along for an OpenAI-compatible provider that has none of its own.
        hyperparameters = {"model": prompt["model"], **prompt["hyperparameters"]}
        return timed(state.provider.complete(text_in, hyperparameters, usage), usage)

    if not query.stream:
        try:
            text = await streams.whole(produce, instant=state.instant, executor=state.model_thread)
        except Exception as exc:
            raise ApiError(502, f"the model provider {state.provider.name!r} failed: {exc}") from None
        return record_generation(state, query, prompt, text, usage, started)

    async def events() -> AsyncIterator[bytes]:
        pieces: list[str] = []
        try:
            async for piece in streams.pieces(produce, instant=state.instant, executor=state.model_thread):
                pieces.append(piece)
                yield streaming.encode_event(streaming.CHUNK, {"text": piece})
        except Exception as exc:
            yield streaming.encode_event(
                streaming.ERROR,
                {"message": f"the model provider {state.provider.name!r} failed: {exc}", "status_code": 502},
            )
            return
        generation = record_generation(state, query, prompt, "".join(pieces), usage, started)
        yield streaming.encode_event(streaming.DONE, generation)

    return StreamingResponse(events(), media_type=streaming.MEDIA_TYPE, headers=SSE_HEADERS)


@router.post("/generations/log")
async def log_generation(state: State, query: GenerationLoggingQuery) -> Any:
    require_task(state, query.task)
    usage = query.usage
    completion_tokens = usage.completion_tokens if usage else 0
    prompt_tokens = usage.prompt_tokens if usage else 0
    total = usage.total_tokens if usage and usage.total_tokens else prompt_tokens + completion_tokens
    prompt_text = query.prompt
    if prompt_text is None and query.prompt_template and query.inputs:
        try:
            prompt_text = render_template(query.prompt_template, {k: str(v) for k, v in query.inputs.items()})
        except KeyError:
            prompt_text = None
    return state.store.generations.add_generation(
        {
            "task": query.task,
            "version": query.version or "logged",
            "prompt_name": None,
            "model": query.model,
            "hyperparameters": query.hyperparameters,
            "prompt_template": query.prompt_template,
            "inputs": query.inputs,
            "prompt": prompt_text,
            "generation": query.generation,
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": total,
            "cost": 0.0,
            "latency": query.latency or 0.0,
            "source": query.source,
            "user_properties": query.user_properties,
            "metadata": query.metadata,
            "ground_truth": query.ground_truth,
            "feedback": query.feedback,
            "kind": "log",
        }
    )


@router.get("/generations")
async def list_generations(
    state: State, task: str | None = None, prompt: str | None = None, model_id: str | None = None
) -> Any:
    return state.store.generations.list_generations(task=task, prompt=prompt, model_id=model_id)
