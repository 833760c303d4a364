"""Visitors' text (run, class and display names) escaped so that Markdown and Plotly show it as itself."""

import html
import re

import pytest
from markdown_it import MarkdownIt

from lib.plain_text import WORD_JOINER, plain, plain_html

HOSTILE = [
    "![p](http://127.0.0.1:9/p.png) :red[**PWNED**] [click me](javascript:alert(1))",
    "<img src=http://127.0.0.1:9/h.png> <a href='javascript:alert(1)'>x</a> $x^2$ :material/home:",
    "# heading\n- item\n\n> quote `code` ~~gone~~ _it_ | a | b |",
    "\\![escaped](http://127.0.0.1:9/e.png) &lt;b&gt; 1. <https://example.com>",
    "1. a numbered list? no",
    "+ a list | not a table",
]


def one_line(name: str) -> str:
    return re.sub(r"\n+", " ", name)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_name_rendered_as_markdown_is_its_own_text_with_no_tag(name):
    rendered = MarkdownIt("commonmark").enable("strikethrough").enable("table").render(plain(name))
    assert rendered.startswith("<p>") and rendered.endswith("</p>\n")
    inner = rendered[len("<p>"):-len("</p>\n")]
    assert "<" not in inner.replace("&lt;", "")  # no tag at all: no image, no link, no emphasis
    assert html.unescape(inner).replace(WORD_JOINER, "") == one_line(name)


def test_bare_addresses_are_broken_by_an_invisible_word_joiner_so_nothing_links_them():
    shown = plain("http://127.0.0.1:9/p.png www.example.com a@example.com")
    for address in ("://", "www.", "www\\.", "@e", "\\@e"):
        assert address not in shown
    assert shown.count(WORD_JOINER) == 3


def test_plain_text_is_left_as_it_is():
    for text in ("circle 2 Kreis", "원 세모", "my runs: lying, upright.", "Class 'circle' added? \"yes\"; 3"):
        assert plain(text) == text


@pytest.mark.parametrize("name", HOSTILE)
def test_a_name_in_a_plotly_label_has_no_tag(name):
    escaped = plain_html(name)
    assert "<" not in escaped and ">" not in escaped
    assert html.unescape(escaped) == one_line(name)
