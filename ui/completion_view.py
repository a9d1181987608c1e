"""How a completion is shown. Model output is untrusted text: it is never rendered as HTML and
can never make the browser fetch anything.

* Plain text (the default) goes through ``st.code``, which shows characters, not markup.
* The optional Markdown view first strips images and unsafe links
  (``hive_review.safe_text.markdown_without_remote_content``); Streamlit already escapes raw HTML.
* While streaming, ``st.write_stream`` types into a Markdown element, so each chunk is
  backslash-escaped first: a half-received ``![x](https://…)`` can never become an image.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import streamlit as st

from hive_review.safe_text import escape_markdown, markdown_without_remote_content
from ui.compare_completion import time_parts
from ui.text import code

# Past this length a fixed-height, scrollable box keeps the page usable.
LONG_TEXT_CHARS = 4_000


def render_completion(text: str, *, markdown: bool) -> None:
    if markdown:
        st.markdown(markdown_without_remote_content(text))
        return
    height: int | str = 420 if len(text) > LONG_TEXT_CHARS else "content"
    st.code(text, language=None, wrap_lines=True, height=height)


def stream_completion(chunks: Iterable[str]) -> None:
    """Show chunks as they arrive, escaped so that nothing in them is interpreted."""

    def escaped() -> Iterator[str]:
        for chunk in chunks:
            yield escape_markdown(chunk)

    st.write_stream(escaped())


VARIANT_HIDDEN = "Variant hidden until you submit"


def render_metadata(row: Mapping[str, object], *, hide_variant: bool = False) -> None:
    """The numbers of one generation: id, version, model, its time (the model's own, apart from any
    wait for a busy local model), tokens, cost. ``hide_variant`` keeps the version and the model
    back (a shared queue's item before its reviewer submits)."""
    tokens = row.get("total_tokens")
    cost = row.get("cost")
    variant = [
        f"**Version** {code(row.get('prompt_version') or '—')}",
        f"**Model** {code(row.get('model') or '—')}",  # from HoneyHive, or from an ingested file
    ]
    parts = [
        *([VARIANT_HIDDEN] if hide_variant else variant),
        *time_parts(row),
        f"**Tokens** {int(tokens):,}" if _is_number(tokens) else "**Tokens** —",  # type: ignore[arg-type]
        f"**Cost** ${float(cost):.5f}" if _is_number(cost) else "**Cost** —",
    ]
    st.caption(" · ".join(parts))
    st.caption(f"Generation id {code(row.get('generation_id'))}")


def _is_number(value: object) -> bool:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return number == number  # NaN is not a number to show
