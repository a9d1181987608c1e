"""The one rule for "may this failed call be sent again?", and the one backoff between tries.

The client's own retries (urllib3's ``Retry``, see ``honeyhive_api.transport``) are configured
from the status sets below, and callers that retry on their own (the feedback outbox, the batch
runner) ask ``may_retry`` and wait ``backoff_delay``, so the two never disagree.

* Transient failures: no connection, a timeout, 429, and 500/502/503/504. Anything else (401,
  403, 404, 413, 422, an answer that does not parse) fails the same way when sent again.
* Idempotent calls (reads, ``PUT`` merges, ``POST /events`` with a client-chosen ``event_id``,
  feedback, which HoneyHive merges key by key) may be sent again after any transient failure.
* Non-idempotent calls (running a generation, creating a configuration) only when the request
  cannot have been processed: the connection was never made, or the server refused with 429 or
  503 before doing anything. A timeout or a 500 after sending may mean the work was done, and a
  second try would do it twice.
"""

from __future__ import annotations

import random

from honeyhive_api.errors import APIConnectionError, HoneyHiveError, RateLimitError, ServerError, StreamError

__all__ = [
    "RETRYABLE_STATUSES",
    "UNPROCESSED_STATUSES",
    "backoff_delay",
    "is_transient",
    "may_retry",
    "not_processed",
]

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
# Statuses that mean "refused before any work": sending again cannot do the work twice.
UNPROCESSED_STATUSES = frozenset({429, 503})


def backoff_delay(attempt: int, *, base: float, cap: float, retry_after: float | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (1 for the first retry).

    Full jitter (uniform between 0 and ``min(cap, base * 2 ** (attempt - 1))``, AWS Architecture
    Blog "Exponential Backoff and Jitter"), so that clients refused together do not come back
    together; never shorter than the server's ``Retry-After``.
    """
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    delay = random.uniform(0, ceiling)  # noqa: S311 (jitter, not a secret)
    return max(delay, retry_after or 0.0)


def is_transient(error: BaseException) -> bool:
    """A failure that may pass by itself: no connection, a timeout, 429, or a retryable 5xx."""
    if isinstance(error, APIConnectionError | RateLimitError):  # APITimeoutError is an APIConnectionError
        return True
    return isinstance(error, ServerError) and error.status_code in RETRYABLE_STATUSES


def not_processed(error: BaseException) -> bool:
    """True when HoneyHive cannot have acted on the request, so even a creating call may be resent."""
    if isinstance(error, APIConnectionError):
        return not error.request_sent
    if isinstance(error, StreamError):  # the stream had begun: the work ran, whatever status it reports
        return False
    return isinstance(error, HoneyHiveError) and error.status_code in UNPROCESSED_STATUSES


def may_retry(error: BaseException, *, idempotent: bool) -> bool:
    """Whether a call that failed with ``error`` may be sent again.

    ``idempotent``: sending the call twice has the effect of sending it once (see the module text).
    """
    return is_transient(error) if idempotent else not_processed(error)
