"""The columns of the session log: one row per generation.

Every module that reads or writes the log (store, filters, exports, imports, pages) takes
the names from here, so a renamed column is renamed everywhere.
"""

from __future__ import annotations

from typing import Final

# Inputs appear twice: all of them as one JSON object in ``inputs_json``, and each variable in a
# column of its own named ``input.<variable>`` (added per log, since tasks differ in variables).
INPUT_PREFIX: Final = "input."

TIMESTAMP: Final = "timestamp"  # UTC, when the generation was made or logged
SESSION_ID: Final = "session_id"
REVIEWER: Final = "reviewer"
TASK: Final = "task"
PROMPT_NAME: Final = "prompt_name"
PROMPT_VERSION: Final = "prompt_version"
MODEL: Final = "model"
SOURCE: Final = "source"
ORIGIN: Final = "origin"  # playground / compare / batch / ingest / import
INPUTS_JSON: Final = "inputs_json"
COMPLETION: Final = "completion"
LATENCY_MS: Final = "latency_ms"  # the whole request, any wait for a busy model included
# The model's own time, its time to the first token, and the time the run waited for the model (a
# local model answers one request at a time): empty when the endpoint did not say.
MODEL_LATENCY_MS: Final = "model_latency_ms"
FIRST_TOKEN_MS: Final = "first_token_ms"  # noqa: S105 (a column name, not a secret)
WAIT_MS: Final = "wait_ms"
PROMPT_TOKENS: Final = "prompt_tokens"
COMPLETION_TOKENS: Final = "completion_tokens"
TOTAL_TOKENS: Final = "total_tokens"
COST: Final = "cost"
GENERATION_ID: Final = "generation_id"
THUMBS: Final = "thumbs"  # "up" / "down" / empty
RATING: Final = "rating"  # 1..5 stars / empty
LABELS: Final = "labels"  # comma-separated label names
COMMENT: Final = "comment"
IDEAL_ANSWER: Final = "ideal_answer"
RATED_AT: Final = "rated_at"
FEEDBACK_STATUS: Final = "feedback_status"  # unrated / pending / sent / failed
FEEDBACK_ERROR: Final = "feedback_error"  # the last delivery error, for failed
BATCH_ID: Final = "batch_id"
COMPARISON_ID: Final = "comparison_id"
PREFERENCE: Final = "preference"  # win / loss / tie in a blind A/B vote
AB_POSITION: Final = "ab_position"  # left / right: where the blind vote showed this generation
# The rubric a rating was given under (``hive_review.rubrics``) and the values of its dimensions
# beyond the form's own parts, as a JSON object (dimension name -> value).
RUBRIC_NAME: Final = "rubric_name"
RUBRIC_VERSION: Final = "rubric_version"
DIMENSIONS_JSON: Final = "dimensions_json"

LOG_COLUMNS: Final[tuple[str, ...]] = (
    TIMESTAMP,
    SESSION_ID,
    REVIEWER,
    TASK,
    PROMPT_NAME,
    PROMPT_VERSION,
    MODEL,
    SOURCE,
    ORIGIN,
    INPUTS_JSON,
    COMPLETION,
    LATENCY_MS,
    MODEL_LATENCY_MS,
    FIRST_TOKEN_MS,
    WAIT_MS,
    PROMPT_TOKENS,
    COMPLETION_TOKENS,
    TOTAL_TOKENS,
    COST,
    GENERATION_ID,
    THUMBS,
    RATING,
    LABELS,
    COMMENT,
    IDEAL_ANSWER,
    RATED_AT,
    FEEDBACK_STATUS,
    FEEDBACK_ERROR,
    BATCH_ID,
    COMPARISON_ID,
    PREFERENCE,
    AB_POSITION,
    RUBRIC_NAME,
    RUBRIC_VERSION,
    DIMENSIONS_JSON,
)

# What an import must carry to be continued: who rated what, under which prompt, with which inputs.
REQUIRED_FOR_IMPORT: Final[tuple[str, ...]] = (
    REVIEWER,
    TASK,
    PROMPT_VERSION,
    INPUTS_JSON,
    COMPLETION,
    GENERATION_ID,
)

THUMBS_VALUES: Final[tuple[str, ...]] = ("up", "down")


def input_column(variable: str) -> str:
    return f"{INPUT_PREFIX}{variable}"
