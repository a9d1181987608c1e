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
* ``markdown_literal``: a name, a message or any other short text from a server or a file, for
  the many places Streamlit renders Markdown (captions, alerts, headings, widget labels): shown
  exactly as written, with no formatting, no link and no image.
* ``markdown_code_span``: the same text as one inline code span that nothing inside can close.

One job, a little over 300 lines: most of it is the Markdown writer, one short method per token
type, and what it keeps or drops is easiest to check when every token type is in view.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar, Final
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

SAFE_LINK_SCHEMES: Final = frozenset({"http", "https", "mailto"})
# Characters with a meaning in CommonMark, GFM tables/strikethrough, or Streamlit's extensions
# (":emoji:" shortcodes, "$math$", ":color[text]" directives).
_ACTIVE: Final = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&=\"'])")

# Words joined by single spaces, hyphens, " - " or underscores: nothing here starts emphasis
# (an underscore inside a word cannot), a list (text starts with a word), a link or an image.
_PLAIN_WORDS: Final = re.compile(r"[^\W_]+(?:(?: - | |_|-)[^\W_]+)*")
# A non-blank run that is rewritten after backslash escapes are resolved, so escaping cannot keep
# it as text: GFM's autolink literals (a scheme, "www.", an address) and Streamlit's icons
# (":material/home:" is drawn as an icon even when its colons are escaped).
_REWRITTEN_AFTER_ESCAPES: Final = re.compile(r"\S*(?:://|www\.|@|mailto:|xmpp:|:material/)\S*", re.IGNORECASE)

_parser = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def escape_markdown(text: str) -> str:
    """Text that Markdown shows exactly as written."""
    return _ACTIVE.sub(r"\\\1", text)


def markdown_literal(text: str) -> str:
    """Markdown that shows ``text`` exactly as written, also under GitHub's autolinks.

    Words joined by spaces, hyphens or inner underscores have no Markdown meaning and are returned
    as they are (so names stay readable in labels, where screen readers get the raw string). Any
    other text is escaped, except that each run of non-blank characters GFM would turn into a
    link by itself (``http://…``, ``www.…``, ``name@host.tld``) or Streamlit into an icon
    (``:material/…:``) becomes a code span: both act on text after escapes are resolved, so a
    backslash cannot stop them; a code span can.
    """
    if _PLAIN_WORDS.fullmatch(text):
        return text
    parts: list[str] = []
    end = 0
    for match in _REWRITTEN_AFTER_ESCAPES.finditer(text):
        parts.append(escape_markdown(text[end : match.start()]))
        parts.append(markdown_code_span(match.group()))
        end = match.end()
    parts.append(escape_markdown(text[end:]))
    return "".join(parts)


def markdown_code_span(text: str) -> str:
    """``text`` as one inline code span, shown as typed: nothing inside it can end it early.

    The fence is one backtick longer than the longest run inside; line breaks become spaces
    (Markdown reads block structure before code spans, so a blank line would end the span);
    a space pads content that starts or ends with a backtick, or with spaces on both sides
    (CommonMark strips one space from each side then). Empty text gives an empty string.
    """
    one_line = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    if not one_line:
        return ""
    fence = "`" * (_longest_run(one_line, "`") + 1)
    padded = one_line.startswith("`") or one_line.endswith("`")
    padded = padded or (one_line.startswith(" ") and one_line.endswith(" ") and bool(one_line.strip()))
    pad = " " if padded else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


def is_safe_link(href: str) -> bool:
    scheme = urlsplit(href.strip()).scheme.lower()
    return scheme in SAFE_LINK_SCHEMES


def markdown_without_remote_content(text: str) -> str:
    """Markdown that keeps the formatting of ``text`` but cannot fetch or run anything."""
    tokens = _parser.parse(text)
    return _Writer().blocks(tokens).strip() + "\n"


class _Writer:
    """Writes Markdown out of markdown-it tokens again: one method per token type, looked up in
    ``_BLOCK_RULES`` and ``_INLINE_RULES``. A block token with no rule (``paragraph_open``,
    ``thead_open``…) writes nothing; an inline token with no rule is written as escaped text."""

    def __init__(self) -> None:
        self._out: list[str] = []
        self._prefixes: list[str] = []  # "> " per open quote, the marker's width per open list item
        self._list_numbers: list[int | None] = []  # per open list: the next number, None for bullets
        self._pending_marker: str | None = None  # a list item's marker, written on its first line
        self._heading = ""
        self._in_cell = False
        self._table_row: list[str] = []
        self._header_done = False
        self._links_safe: list[bool] = []
        self._hrefs: list[str] = []

    # ---- blocks -------------------------------------------------------------------------------

    def blocks(self, tokens: list[Token]) -> str:
        for token in tokens:
            rule = self._BLOCK_RULES.get(token.type)
            if rule is not None:
                rule(self, token)
        return "\n".join(self._out)

    def _emit(self, text: str) -> None:
        """Write lines under the open quotes and list items; a new item's first line gets its marker."""
        prefix = "".join(self._prefixes)
        for index, line in enumerate(text.split("\n")):
            if self._pending_marker is not None and index == 0:
                self._out.append(prefix[: -len(self._pending_marker)] + self._pending_marker + line)
                self._pending_marker = None
            else:
                self._out.append(prefix + line if line else prefix.rstrip())

    def _heading_open(self, token: Token) -> None:
        self._heading = "#" * int(token.tag[1]) + " "

    def _end_block(self, token: Token) -> None:
        self._emit("")

    def _inline_block(self, token: Token) -> None:
        rendered = self.inline(token.children or [])
        if self._heading:
            rendered = self._heading + rendered.replace("\n", " ")
            self._heading = ""
        if self._in_cell:
            self._table_row.append(rendered.replace("\n", " ").replace("|", "\\|"))
        else:
            self._emit(rendered)

    def _paragraph_close(self, token: Token) -> None:
        if not token.hidden:  # paragraphs of a tight list are hidden: no blank line between items
            self._emit("")

    def _blockquote_open(self, token: Token) -> None:
        self._prefixes.append("> ")

    def _blockquote_close(self, token: Token) -> None:
        self._prefixes.pop()
        self._emit("")

    def _bullet_list_open(self, token: Token) -> None:
        self._list_numbers.append(None)

    def _ordered_list_open(self, token: Token) -> None:
        self._list_numbers.append(int(token.attrs.get("start", 1) or 1))

    def _list_close(self, token: Token) -> None:
        self._list_numbers.pop()
        self._emit("")

    def _list_item_open(self, token: Token) -> None:
        number = self._list_numbers[-1] if self._list_numbers else None
        marker = "- " if number is None else f"{number}. "
        if number is not None:
            self._list_numbers[-1] = number + 1
        self._prefixes.append(" " * len(marker))
        self._pending_marker = marker

    def _list_item_close(self, token: Token) -> None:
        self._prefixes.pop()
        self._pending_marker = None

    def _code(self, token: Token) -> None:
        body = token.content.rstrip("\n")
        fence = "`" * max(3, _longest_run(body, "`") + 1)  # longer than any run inside: cannot close early
        self._emit(f"{fence}\n{body}\n{fence}")
        self._emit("")

    def _html_block(self, token: Token) -> None:
        self._emit(escape_markdown(token.content.rstrip("\n")))
        self._emit("")

    def _hr(self, token: Token) -> None:
        self._emit("---")
        self._emit("")

    def _table_open(self, token: Token) -> None:
        self._header_done = False

    def _tr_open(self, token: Token) -> None:
        self._table_row = []

    def _cell_open(self, token: Token) -> None:
        self._in_cell = True

    def _cell_close(self, token: Token) -> None:
        self._in_cell = False

    def _tr_close(self, token: Token) -> None:
        self._emit("| " + " | ".join(self._table_row) + " |")
        if not self._header_done:
            self._emit("|" + "---|" * len(self._table_row))
            self._header_done = True
        self._table_row = []

    _BLOCK_RULES: ClassVar[dict[str, Callable[[_Writer, Token], None]]] = {
        "heading_open": _heading_open,
        "heading_close": _end_block,
        "inline": _inline_block,
        "paragraph_close": _paragraph_close,
        "blockquote_open": _blockquote_open,
        "blockquote_close": _blockquote_close,
        "bullet_list_open": _bullet_list_open,
        "ordered_list_open": _ordered_list_open,
        "bullet_list_close": _list_close,
        "ordered_list_close": _list_close,
        "list_item_open": _list_item_open,
        "list_item_close": _list_item_close,
        "fence": _code,
        "code_block": _code,
        "html_block": _html_block,
        "hr": _hr,
        "table_open": _table_open,
        "tr_open": _tr_open,
        "th_open": _cell_open,
        "td_open": _cell_open,
        "th_close": _cell_close,
        "td_close": _cell_close,
        "tr_close": _tr_close,
        "table_close": _end_block,
    }

    # ---- inline -------------------------------------------------------------------------------

    def inline(self, children: list[Token]) -> str:
        self._links_safe = []  # links never span two inline blocks
        return "".join(self._INLINE_RULES.get(child.type, _Writer._escaped)(self, child) for child in children)

    def _escaped(self, child: Token) -> str:
        return escape_markdown(child.content)

    def _softbreak(self, child: Token) -> str:
        return "\n"

    def _hardbreak(self, child: Token) -> str:
        return "  \n"

    def _code_inline(self, child: Token) -> str:
        ticks = "`" * (_longest_run(child.content, "`") + 1)
        pad = " " if child.content.startswith("`") or child.content.endswith("`") else ""
        return f"{ticks}{pad}{child.content}{pad}{ticks}"

    def _strong(self, child: Token) -> str:
        return "**"

    def _em(self, child: Token) -> str:
        return "*"

    def _strikethrough(self, child: Token) -> str:
        return "~~"

    def _image(self, child: Token) -> str:
        alt = "".join(c.content for c in (child.children or []) if c.type == "text") or "no description"
        return escape_markdown(f"[image: {alt}]")

    def _link_open(self, child: Token) -> str:
        href = str(child.attrs.get("href", ""))
        safe = is_safe_link(href)
        self._links_safe.append(safe)
        self._hrefs.append(href)
        return "[" if safe else ""  # an unsafe link keeps only its text

    def _link_close(self, child: Token) -> str:
        safe = self._links_safe.pop() if self._links_safe else False
        href = self._hrefs.pop() if self._hrefs else ""
        return f"](<{href.replace('>', '%3E').replace('<', '%3C')}>)" if safe else ""

    _INLINE_RULES: ClassVar[dict[str, Callable[[_Writer, Token], str]]] = {
        "text": _escaped,
        "html_inline": _escaped,
        "softbreak": _softbreak,
        "hardbreak": _hardbreak,
        "code_inline": _code_inline,
        "strong_open": _strong,
        "strong_close": _strong,
        "em_open": _em,
        "em_close": _em,
        "s_open": _strikethrough,
        "s_close": _strikethrough,
        "image": _image,
        "link_open": _link_open,
        "link_close": _link_close,
    }


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(re.escape(char) + "+", text)
    return max((len(run) for run in runs), default=0)
