"""Untrusted model output made safe for st.markdown: images, unsafe links and raw HTML neutralised,
the rest of the formatting kept."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from hive_review.safe_text import (
    escape_markdown,
    is_safe_link,
    markdown_code_span,
    markdown_literal,
    markdown_without_remote_content,
)

_parser = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
_render = _parser.render


def rendered(text: str) -> str:
    """HTML a CommonMark renderer makes of the sanitised Markdown: what could reach a browser."""
    return _render(markdown_without_remote_content(text))


@pytest.mark.parametrize(
    "attack",
    [
        "![x](https://evil.example/pixel.png)",
        "![x][ref]\n\n[ref]: https://evil.example/ref.png",
        "<img src=https://evil.example/a.png>",
        '<img src="x" onerror="alert(1)">',
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<a href='javascript:alert(1)'>x</a>",
        "<iframe src=https://evil.example></iframe>",
        "[![nested](https://evil.example/n.png)](https://ok.example)",
        "| a |\n|---|\n| ![t](https://evil.example/t.png) |",
        "> quote ![q](https://evil.example/q.png)",
        "- item ![l](//evil.example/l.png)",
    ],
)
def test_nothing_can_fetch_or_run(attack: str) -> None:
    html = rendered(attack).lower()
    # Text such as "onerror=" may remain, but only as text: no tag can carry it.
    assert "<img" not in html and "<script" not in html and "<iframe" not in html
    assert 'href="javascript' not in html and 'href="data:' not in html


def test_formatting_and_safe_links_are_kept() -> None:
    text = (
        "# Title\n\nSome **bold**, *em*, `code` and [docs](https://example.com/a?b=1).\n\n"
        "- one\n- two\n\n```\nx = 1\n```"
    )
    html = rendered(text)
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html and "<em>em</em>" in html and "<code>code</code>" in html
    assert '<a href="https://example.com/a?b=1">docs</a>' in html
    assert "<li>one</li>" in html and "x = 1" in html


def test_an_image_becomes_its_description() -> None:
    assert "[image: a cat]" in rendered("![a cat](https://evil.example/cat.png)")


def test_escaped_text_shows_as_typed() -> None:
    text = "*not em* ![no](http://x/y.png) <b>no</b> [a](javascript:x) :smile: $x$ 1. # h"
    html = _render(escape_markdown(text))
    assert "<em>" not in html and "<img" not in html and "<b>" not in html and "<a " not in html
    assert "<h1>" not in html and "<ol" not in html


@pytest.mark.parametrize(
    ("href", "safe"),
    [("https://a.b", True), ("http://a.b", True), ("mailto:x@y.z", True), ("javascript:x", False),
     (" JAVASCRIPT:x", False), ("data:text/html,x", False), ("vbscript:x", False), ("file:///etc/passwd", False)],
)  # fmt: skip
def test_safe_link_schemes(href: str, safe: bool) -> None:
    assert is_safe_link(href) is safe


def test_emoji_and_right_to_left_text_survive() -> None:
    text = "שלום עולם 👋🏽 مرحبا"
    assert "שלום עולם 👋🏽 مرحبا" in rendered(text)


# What is rewritten in text after escapes are resolved: GFM's autolink literals
# (mdast-util-gfm-autolink-literal) and Streamlit's material icons.
_REWRITTEN = re.compile(r"(https?://|www\.)|[-.\w+]+@[-\w]+(\.[-\w]+)+|mailto:|xmpp:|:material/\w+:", re.IGNORECASE)
_MARKUP = {"image", "link_open", "html_inline", "html_block", "em_open", "strong_open", "s_open", "heading_open"}

HOSTILE = [
    "![x](http://127.0.0.1:9/beacon.png)",
    "x` ![x](http://127.0.0.1:9/b.png) `y",
    "``` ![x](https://evil.example/p.png)",
    "[click](javascript:alert(1)) <img src=x onerror=alert(1)>",
    "**bold** _em_ ~~gone~~ $x^2$ :smile: :red[red] :material/home: and:material/star:",
    "# heading | a | b |",
    "see www.evil.example or https://evil.example/path?q=1 or ops@evil.example",
    "HTTP://EVIL.EXAMPLE/x",
    "1. not a list",
    "- not a list",
    "> not a quote",
    "trailing backslash \\",
    "gpt-4o-mini@2024-07-18",
]


def _inline_tokens(markdown: str) -> list[Token]:
    tokens = []
    for block in _parser.parse(markdown):
        tokens.append(block)
        tokens.extend(block.children or [])
    return tokens


def _shown(markdown: str) -> str:
    """The characters a reader sees: text and code, in order."""
    return "".join(t.content for t in _inline_tokens(markdown) if t.type in ("text", "code_inline"))


@pytest.mark.parametrize("text", HOSTILE)
def test_a_literal_shows_as_typed_with_no_markup_link_or_image(text: str) -> None:
    literal = markdown_literal(text)
    tokens = _inline_tokens(literal)
    assert not {t.type for t in tokens} & _MARKUP
    assert [t.type for t in tokens if t.type.endswith("_open") and t.level == 0] == ["paragraph_open"]
    assert _shown(literal) == text
    for token in tokens:  # only code spans may hold what GFM links, or Streamlit draws as an icon
        if token.type == "text":
            assert not _REWRITTEN.search(token.content), (text, token.content)


@pytest.mark.parametrize("name", ["Sandbox - Email Writer", "email-writer-v2-concise", "customer_name", "שלום 2"])
def test_plain_names_are_left_as_they_are(name: str) -> None:
    assert markdown_literal(name) == name


@pytest.mark.parametrize(
    "text", ["a`b", "``", "`lead", "trail`", " both ", "   ", "line\nbreak\n\n![x](http://e/x.png)", "x"]
)
def test_a_code_span_holds_its_text_and_cannot_be_closed_early(text: str) -> None:
    span = markdown_code_span(text)
    [paragraph_inline] = [t for t in _inline_tokens(span) if t.type == "inline"]
    assert [c.type for c in paragraph_inline.children or []] == ["code_inline"]
    assert paragraph_inline.children[0].content == text.replace("\n", " ")


def test_an_empty_code_span_is_nothing() -> None:
    assert markdown_code_span("") == ""
