"""Untrusted model output made safe for st.markdown: images, unsafe links and raw HTML neutralised,
the rest of the formatting kept."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from hive_review.safe_text import escape_markdown, is_safe_link, markdown_without_remote_content

_render = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough").render


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
