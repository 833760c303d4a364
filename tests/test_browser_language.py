"""The two languages in Chromium: a Korean browser reads the app in Korean, an English one reads no Korean,
`?lang=ko` switches an English browser to Korean for the pages it goes on to, and another browser open at the same
time keeps its own language. One server for the file (the session's), one tab per browser language."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from tests.browser import open_page, wait_idle, warm_up

HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
MAIN = '[data-testid="stMain"]'
# Not prose: icons (their names are ligatures: "explore"), code, formulas, Streamlit's own uploader texts (not
# translatable) and tables drawn on a canvas.
ICONS = '[data-testid="stIconMaterial"], [data-testid="stAlertDynamicIcon"]'
NOT_PROSE = [ICONS, '[data-testid="stCode"]', "pre", ".katex", '[data-testid="stFileUploader"]',
             '[data-testid="stDataFrame"]', '[data-testid="stTable"]']
MOSTLY = 0.5  # "most of the main area's text"; tests/test_pages_languages.py holds each page's prose to 90 %
GLOSSARY = "pages/start/glossary.py"

@contextlib.contextmanager
def tab(browser, server, locale: str):
    """A tab in a browser context of its own whose language (navigator.language) is `locale`."""
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
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


def main_text(page, leave_out: tuple[str, ...] = ()) -> str:
    """The main area's text as the reader sees it, without the `leave_out` elements (hidden while it is read)."""
    return page.evaluate("""([main, leaveOut]) => {
        const area = document.querySelector(main);
        const hidden = leaveOut.length ? [...area.querySelectorAll(leaveOut.join(","))] : [];
        const displays = hidden.map((element) => element.style.display);
        hidden.forEach((element) => { element.style.display = "none"; });
        const text = area.innerText;
        hidden.forEach((element, index) => { element.style.display = displays[index]; });
        return text;
    }""", [MAIN, list(leave_out)])


def prose_lines(text: str) -> list[str]:
    """Lines with at least three letters: numbers, symbols and single marks left out."""
    return [line.strip() for line in text.splitlines() if len(re.findall(r"[A-Za-z\uac00-\ud7a3]", line)) >= 3]


def assert_no_exception(page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()


def h1(page) -> str:
    return page.locator(f"{MAIN} h1").first.inner_text()


def test_a_korean_browser_reads_the_app_in_korean(korean_tab):
    """A browser whose language is Korean (navigator.language, read through st.context.locale) gets Korean.

    Every page's own text in each language is checked through AppTest, which reads what the browser shows here:
    tests/test_pages_languages.py's test_a_korean_page_reads_korean (90 % of each page's prose, not this test's
    50 %) and test_an_english_page_shows_no_korean (labels and options too); and the English browser, which once
    opened every page here, reads Home and the glossary in English in the test below."""
    open_page(korean_tab, "")
    assert_no_exception(korean_tab)
    assert HANGUL.search(h1(korean_tab)), h1(korean_tab)
    lines = prose_lines(main_text(korean_tab, tuple(NOT_PROSE)))
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
        assert not HANGUL.search(main_text(other))  # an English browser reads no Korean
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
        assert not HANGUL.search(main_text(other, ('[data-testid="stTable"]',)))
        assert "lang=" not in other.url
