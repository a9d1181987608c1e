"""A failed call to HoneyHive as a message that says what happened and what to do next.

Pages call ``show_failure`` instead of letting a ``HoneyHiveError`` reach Streamlit, which would
draw an exception box. HoneyHive's own words follow the message, escaped (``ui.text``): they are
a server's text, and may hold anything.
"""

from __future__ import annotations

import streamlit as st

from honeyhive_api import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    HoneyHiveError,
    NotFoundError,
    RateLimitError,
)
from ui.text import plain


def failure_message(error: HoneyHiveError, doing: str) -> str:
    """Markdown: what went wrong while ``doing`` (Markdown, untrusted parts already through
    ``ui.text``), what to do, then HoneyHive's own message."""
    happened, advice = _explain(error, doing)
    return f"**{happened}** {advice}  \nHoneyHive said: {plain(error.message)}"


def _explain(error: HoneyHiveError, doing: str) -> tuple[str, str]:
    status = error.status_code
    if isinstance(error, AuthenticationError):
        return (
            f"HoneyHive refused the API key ({status}) while {doing}.",
            "Check `HONEYHIVE_API_KEY` (HoneyHive: *Settings > Project > API Keys*), then reload the page.",
        )
    if isinstance(error, NotFoundError):
        return (
            f"HoneyHive answered 404 while {doing}.",
            "It may have been renamed or deleted: reload the page to pick from the current list.",
        )
    if isinstance(error, RateLimitError):
        wait = f"{error.retry_after:g} seconds" if error.retry_after is not None else "a minute"
        return f"HoneyHive is rate limiting (429) while {doing}.", f"Wait {wait}, then try again."
    if isinstance(error, APIStatusError) and status is not None and status >= 500:
        return (
            f"HoneyHive answered {status} while {doing}.",
            "HoneyHive (or a proxy in front of it) is failing: try again in a minute.",
        )
    if isinstance(error, APIStatusError):
        return f"HoneyHive answered {status} while {doing}.", "Try again; if it fails again, read why below."
    if isinstance(error, APITimeoutError):
        return (
            f"HoneyHive did not answer in time while {doing}.",
            "Try again in a minute; if it keeps happening, raise `HIVE_REVIEW_TIMEOUT`.",
        )
    if isinstance(error, APIConnectionError):
        return (
            f"Cannot reach HoneyHive while {doing}.",
            "Check the network and `HONEYHIVE_BASE_URL`, then try again.",
        )
    return (
        f"HoneyHive's answer could not be used while {doing}.",
        "Check that `HONEYHIVE_BASE_URL` is HoneyHive's API, then try again.",
    )


def show_failure(error: HoneyHiveError, doing: str, *, try_again_key: str) -> None:
    st.error(failure_message(error, doing), icon=":material/cloud_off:")
    # A click reruns the page, which asks HoneyHive again: failed listings are never cached.
    st.button("Try again", key=try_again_key, icon=":material/refresh:")
