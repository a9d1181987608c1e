"""What the AppTest tests read: the text a reader sees on a page, every string a page hands
Streamlit to render as Markdown, and what the emulator holds (through its public API)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import requests
from markdown_it import MarkdownIt
from markdown_it.token import Token
from streamlit.testing.v1 import AppTest

# Streamlit's Markdown is CommonMark with GFM tables and strikethrough; raw HTML is shown as text.
_parser = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
# What GFM's autolink literals (mdast-util-gfm-autolink-literal) turn into links in plain text.
_GFM_AUTOLINK = re.compile(r"https?://|www\.|[-.\w+]+@[-\w]+(\.[-\w]+)+|mailto:|xmpp:", re.IGNORECASE)
_FETCHING_OR_LINKING = {"image", "link_open", "html_inline", "html_block"}

# Elements whose value is Markdown, and elements whose label is (every widget's label is).
_MARKDOWN_VALUES = ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success")
_MARKDOWN_LABELS = (
    "expander", "tabs", "status", "button", "form_submit_button", "download_button", "checkbox", "toggle", "text_area",
    "text_input", "selectbox", "multiselect", "number_input", "radio", "segmented_control", "pills", "metric",
    "file_uploader",
)  # fmt: skip


def _inline(markdown: str) -> list[Token]:
    tokens: list[Token] = []
    for block in _parser.parse(markdown):
        tokens.append(block)
        tokens.extend(block.children or [])
    return tokens


def shown(markdown: str) -> str:
    """The characters a reader sees in ``markdown``: escapes resolved, code spans' text kept."""
    parts = []
    for token in _inline(markdown):
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def shown_generation_ids(at: AppTest) -> list[str]:
    """The ids of the generations the page shows, in its order (the metadata line under each)."""
    lines = (shown(str(caption.value)) for caption in at.caption)
    return [line.removeprefix("Generation id ") for line in lines if line.startswith("Generation id ")]


def shown_errors(at: AppTest) -> str:
    return " ".join(shown(str(error.value)) for error in at.error)


def markdown_strings(at: AppTest) -> list[str]:
    """Every string of the page that Streamlit renders as Markdown in the browser: the main area
    and its toasts (the sidebar is the connection panel, which shows the studio's own settings)."""
    page = at.main
    strings = [str(toast.value) for toast in at.toast]
    for kind in _MARKDOWN_VALUES:
        strings.extend(str(element.value) for element in getattr(page, kind))
    for kind in _MARKDOWN_LABELS:
        strings.extend(str(element.label) for element in getattr(page, kind) if getattr(element, "label", None))
    strings.extend(progress.proto.text for progress in page.progress if progress.proto.text)
    return strings


def links_or_images(markdown: str) -> list[str]:
    """What in ``markdown`` a browser would fetch or offer as a link: images, links, raw HTML, and
    text GFM links by itself (URLs, ``www.``, e-mail addresses). Empty for inert Markdown."""
    found = []
    for token in _inline(markdown):
        if token.type in _FETCHING_OR_LINKING:
            found.append(f"{token.type}: {token.content or token.attrs}")
        elif token.type == "text" and _GFM_AUTOLINK.search(token.content):
            found.append(f"autolink: {token.content}")
    return found


def emulator_api(emulator, method: str, path: str, **kwargs) -> requests.Response:
    answer = requests.request(
        method, f"{emulator.url}{path}", headers={"Authorization": f"Bearer {emulator.api_key}"}, timeout=10, **kwargs
    )
    answer.raise_for_status()
    return answer


def generations(emulator, task: str) -> list[dict]:
    """The generations HoneyHive (the emulator) holds for ``task``."""
    return emulator_api(emulator, "GET", "/generations", params={"task": task}).json()


def feedback_of(
    emulator, task: str, generation_id: str, *, until: Callable[[dict], bool] = bool, timeout: float = 15.0
) -> dict:
    """The feedback the emulator stored for a generation, once ``until`` holds (or at the deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        row = next((g for g in generations(emulator, task) if g["generation_id"] == generation_id), None)
        feedback = (row or {}).get("feedback") or {}
        if until(feedback) or time.monotonic() > deadline:
            return feedback
        time.sleep(0.1)
