"""The two languages in Chromium: a Korean browser reads the app in Korean, an English one reads no Korean,
`?lang=ko` switches an English browser to Korean for the pages it goes on to, and another browser open at the same
time keeps its own language. One server for the file (the session's), one tab per browser language."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from tests.browser import (
    ACTION_TIMEOUT_MS,
    HANGUL,
    MAIN,
    MOSTLY,
    NOT_PROSE,
    new_context,
    open_page,
    prose_lines,
    visible_text,
    wait_idle,
    warm_up,
)

GLOSSARY = "pages/start/glossary.py"

@contextlib.contextmanager
def tab(browser, server, locale: str):
    """A tab in a browser context of its own whose language (navigator.language) is `locale`."""
    context = new_context(browser, locale=locale)
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.app_url = server.url
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def server(browser, streamlit_server):
    if not streamlit_server.warmed:
        warm_up(browser, streamlit_server)
        streamlit_server.warmed = True
    return streamlit_server


@pytest.fixture(scope="module")
def korean_tab(browser, server):
    with tab(browser, server, "ko-KR") as page:
        yield page


def assert_no_exception(page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()


def h1(page) -> str:
    return page.locator(f"{MAIN} h1").first.inner_text()


def test_a_korean_browser_reads_the_app_in_korean(korean_tab):
    """A browser whose language is Korean (navigator.language, read through st.context.locale) gets Korean.

    Every page in each language is read in Chromium by tests/test_browser_layout.py's
    test_the_page_reads_in_its_language (the pages it opens anyway, by ?lang=), and through AppTest by
    tests/test_pages_languages.py (test_a_korean_page_reads_korean: 90 % of each page's prose;
    test_an_english_page_shows_no_korean: labels and options too)."""
    open_page(korean_tab, "")
    assert_no_exception(korean_tab)
    assert HANGUL.search(h1(korean_tab)), h1(korean_tab)
    lines = prose_lines(visible_text(korean_tab, tuple(NOT_PROSE)))
    korean = [line for line in lines if HANGUL.search(line)]
    assert lines and len(korean) / len(lines) >= MOSTLY, (
        f"{len(korean)} of {len(lines)} lines in Korean; not: {[line for line in lines if not HANGUL.search(line)][:15]}")


def sidebar_link(page, path: str):
    stem = Path(path).stem
    return page.locator(f'[data-testid="stSidebarNav"] a[href$="/{stem}"], '
                        f'[data-testid="stSidebarNav"] a[href*="/{stem}?"]').first


def test_lang_ko_switches_an_english_browser_and_survives_navigation_beside_an_english_browser(browser, server):
    with tab(browser, server, "en-US") as teacher_link, tab(browser, server, "en-US") as other:
        open_page(teacher_link, "?lang=ko")
        assert HANGUL.search(h1(teacher_link)), h1(teacher_link)
        open_page(other)
        assert h1(other) == "CNN Lab"
        assert not HANGUL.search(visible_text(other))  # an English browser reads no Korean
        for path in ("pages/operations/pooling.py", GLOSSARY):
            sidebar_link(teacher_link, path).click()
            teacher_link.wait_for_url(re.compile(rf"/{Path(path).stem}\?"), timeout=60_000)
            wait_idle(teacher_link)
            teacher_link.wait_for_selector(f"{MAIN} h1", timeout=60_000)
            assert_no_exception(teacher_link)
            assert "lang=ko" in teacher_link.url, teacher_link.url
            assert HANGUL.search(h1(teacher_link)), h1(teacher_link)
        # The other browser, open all along, still reads English, on its next page too.
        sidebar_link(other, GLOSSARY).click()
        other.wait_for_url(re.compile(r"/glossary"), timeout=60_000)
        wait_idle(other)
        assert h1(other) == "Glossary"
        assert not HANGUL.search(visible_text(other, ('[data-testid="stTable"]',)))
        assert "lang=" not in other.url
