"""Model output is untrusted text. These functions make it safe to hand to ``st.markdown``.

* ``escape_markdown``: every Markdown-active character backslash-escaped, so the text shows as
  typed (used while a completion streams in).
* ``markdown_without_remote_content``: the optional Markdown view. The text is parsed by a real
  CommonMark parser (markdown-it-py, with tables) and written out again from its tokens, keeping
  emphasis, headings, lists, quotes, code and tables, and dropping what could make the browser
  fetch or run something: every image becomes the text ``[image: alt]``, a link keeps its target
  only when it is ``http``, ``https`` or ``mailto`` (``javascript:``, ``data:`` and the rest keep
  just their text), and raw HTML is shown as text. Streamlit never renders HTML from
  ``st.markdown`` without ``unsafe_allow_html`` (which this project never passes).
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

SAFE_LINK_SCHEMES: Final = frozenset({"http", "https", "mailto"})
# Characters with a meaning in CommonMark, GFM tables/strikethrough, or Streamlit's extensions
# (":emoji:" shortcodes, "$math$", ":color[text]" directives).
_ACTIVE: Final = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&=\"'])")

_parser = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def escape_markdown(text: str) -> str:
    """Text that Markdown shows exactly as written."""
    return _ACTIVE.sub(r"\\\1", text)


def is_safe_link(href: str) -> bool:
    scheme = urlsplit(href.strip()).scheme.lower()
    return scheme in SAFE_LINK_SCHEMES


def markdown_without_remote_content(text: str) -> str:
    """Markdown that keeps the formatting of ``text`` but cannot fetch or run anything."""
    tokens = _parser.parse(text)
    return _Writer().blocks(tokens).strip() + "\n"


class _Writer:
    def __init__(self) -> None:
        self._heading = ""
        self._in_cell = False
        self._hrefs: list[str] = []

    def blocks(self, tokens: list[Token]) -> str:
        out: list[str] = []
        prefix_stack: list[str] = []
        list_stack: list[list[int | None]] = []  # [next number or None for bullets]
        table_row: list[str] = []
        header_done = False
        pending_item_marker: str | None = None

        def emit(line_text: str) -> None:
            nonlocal pending_item_marker
            prefix = "".join(prefix_stack)
            lines = line_text.split("\n")
            for i, line in enumerate(lines):
                if pending_item_marker is not None and i == 0:
                    out.append(prefix[: -len(pending_item_marker)] + pending_item_marker + line)
                    pending_item_marker = None
                else:
                    out.append(prefix + line if line else prefix.rstrip())

        for token in tokens:
            kind = token.type
            if kind == "heading_open":
                self._heading = "#" * int(token.tag[1]) + " "
            elif kind == "heading_close":
                emit("")
            elif kind == "inline":
                rendered = self.inline(token.children or [])
                if self._heading:
                    rendered = self._heading + rendered.replace("\n", " ")
                    self._heading = ""
                if self._in_cell:
                    table_row.append(rendered.replace("\n", " ").replace("|", "\\|"))
                else:
                    emit(rendered)
            elif kind == "paragraph_close":
                if not token.hidden:
                    emit("")
            elif kind == "blockquote_open":
                prefix_stack.append("> ")
            elif kind == "blockquote_close":
                prefix_stack.pop()
                emit("")
            elif kind == "bullet_list_open":
                list_stack.append([None])
            elif kind == "ordered_list_open":
                list_stack.append([int(token.attrs.get("start", 1) or 1)])
            elif kind in ("bullet_list_close", "ordered_list_close"):
                list_stack.pop()
                emit("")
            elif kind == "list_item_open":
                number = list_stack[-1][0] if list_stack else None
                marker = "- " if number is None else f"{number}. "
                if number is not None:
                    list_stack[-1][0] = number + 1
                prefix_stack.append(" " * len(marker))
                pending_item_marker = marker
            elif kind == "list_item_close":
                prefix_stack.pop()
                pending_item_marker = None
            elif kind in ("fence", "code_block"):
                body = token.content.rstrip("\n")
                fence = "`" * max(3, _longest_run(body, "`") + 1)
                emit(f"{fence}\n{body}\n{fence}")
                emit("")
            elif kind == "html_block":
                emit(escape_markdown(token.content.rstrip("\n")))
                emit("")
            elif kind == "hr":
                emit("---")
                emit("")
            elif kind == "table_open":
                header_done = False
            elif kind == "tr_open":
                table_row = []
            elif kind in ("th_open", "td_open"):
                self._in_cell = True
            elif kind in ("th_close", "td_close"):
                self._in_cell = False
            elif kind == "tr_close":
                emit("| " + " | ".join(table_row) + " |")
                if not header_done:
                    emit("|" + "---|" * len(table_row))
                    header_done = True
                table_row = []
            elif kind == "table_close":
                emit("")
        return "\n".join(out)

    def inline(self, children: list[Token]) -> str:
        parts: list[str] = []
        link_stack: list[bool] = []
        for child in children:
            kind = child.type
            if kind == "text":
                parts.append(escape_markdown(child.content))
            elif kind == "softbreak":
                parts.append("\n")
            elif kind == "hardbreak":
                parts.append("  \n")
            elif kind == "code_inline":
                ticks = "`" * (_longest_run(child.content, "`") + 1)
                pad = " " if child.content.startswith("`") or child.content.endswith("`") else ""
                parts.append(f"{ticks}{pad}{child.content}{pad}{ticks}")
            elif kind in ("strong_open", "strong_close"):
                parts.append("**")
            elif kind in ("em_open", "em_close"):
                parts.append("*")
            elif kind in ("s_open", "s_close"):
                parts.append("~~")
            elif kind == "image":
                alt = "".join(c.content for c in (child.children or []) if c.type == "text") or "no description"
                parts.append(escape_markdown(f"[image: {alt}]"))
            elif kind == "link_open":
                href = str(child.attrs.get("href", ""))
                safe = is_safe_link(href)
                link_stack.append(safe)
                parts.append("[" if safe else "")
                self._hrefs.append(href)
            elif kind == "link_close":
                safe = link_stack.pop() if link_stack else False
                href = self._hrefs.pop() if self._hrefs else ""
                if safe:
                    parts.append(f"](<{href.replace('>', '%3E').replace('<', '%3C')}>)")
            elif kind == "html_inline":
                parts.append(escape_markdown(child.content))
            else:
                parts.append(escape_markdown(child.content))
        return "".join(parts)


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(re.escape(char) + "+", text)
    return max((len(run) for run in runs), default=0)
