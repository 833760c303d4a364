"""Every page in English and in Korean, through AppTest: each renders in both; a Korean session reads Korean (its
title, the route guide, nearly every line of prose), an English one reads no Korean; the language, chosen by
`?lang=`, the sidebar's switch or the browser, is kept across pages and is each session's own.

Each page is rendered once per language for the whole module (the renders are shared by the tests below).

AppTest computes the widgets' states for the next run in the test's own thread, with their `format_func`s
(`format_func=_`), where no session is and lib.i18n reads English; `run` pins the session's language there so that
a Korean page's options match what its format_func gives. (The script itself runs in AppTest's script thread and
reads the session's own language, as on a server.)
"""

from __future__ import annotations

import functools
import re

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lib.i18n import language_override
from lib.server.navigation import route, step_of
from lib.server.pages import PAGES
from tests.conftest import entry_app
from tests.test_caching import translations_in_caches
from ui.language import SWITCH_KEY

TIMEOUT = 180  # the first render of a page that imports TensorFlow takes several seconds
HOME = "pages/start/home.py"
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
KOREAN_SHARE = 0.9  # of a Korean page's prose lines

# What a page shows as prose, and the widgets and blocks whose labels (and options) people read.
PROSE = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error")
LABELLED = ("button", "checkbox", "toggle", "radio", "selectbox", "multiselect", "slider", "select_slider",
            "number_input", "text_input", "text_area", "button_group", "expander", "tabs", "page_link", "metric")

ids = [page.title for page in PAGES]


def has_hangul(text: str) -> bool:
    return bool(HANGUL.search(text or ""))


@pytest.fixture(scope="module", autouse=True)
def runs_dir(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path_factory.mktemp("languages") / "runs"))
        render.cache_clear()
        yield
        render.cache_clear()


@pytest.fixture(scope="module", autouse=True)
def unpinned_translations():
    """Every translation a cached function made without its language pinned, while this module's pages render.
    The data caches start empty, so what an earlier test filled is computed again here."""
    st.cache_data.clear()
    with translations_in_caches() as found:
        yield found


def new_app(lang: str | None = None, locale: str | None = None) -> AppTest:
    app = entry_app(timeout=TIMEOUT)
    if lang is not None:
        app.query_params["lang"] = lang
    if locale is not None:
        app.context = {"locale": locale}
    return app


def run(app: AppTest, shown_in: str = "en") -> AppTest:
    """One run of `app`, whose last run was drawn in `shown_in` (see the module's note)."""
    with language_override(shown_in):
        return app.run()


@functools.cache
def render(path: str, lang: str) -> AppTest:
    """`path` opened in a session of `lang` (given by ?lang=, as a teacher's link does), once per module."""
    app = new_app(lang)
    run(app, lang)
    if path != HOME:
        app.switch_page(path)
        run(app, lang)
    return app


def texts(app: AppTest, *, labels: bool = True, options: bool = False) -> list[str]:
    """What the page shows people to read, main area and sidebar, but the language switch (its labels are
    each in its own language on purpose)."""
    found = [element.value for kind in PROSE for element in getattr(app, kind)]
    if labels:
        for kind in LABELLED:
            for element in getattr(app, kind, []):
                if getattr(element, "key", None) == SWITCH_KEY:
                    continue
                found.append(str(getattr(element, "label", "") or ""))
                if options:
                    found.extend(str(option) for option in getattr(element, "options", None) or [])
    return [str(text) for text in found if text]


def prose_lines(text: str) -> list[str]:
    """The lines of prose in a text: code blocks, formulas, code spans, icons, links, lines of numbers or symbols
    and a name standing alone (an optimizer's, a layer's: "**Adam**", "conv1": names stay as Keras writes them)
    left out."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)
    lines = []
    for line in text.splitlines():
        line = re.sub(r"`[^`]*`", "", line)
        line = re.sub(r"\$[^$]+\$", "", line)
        line = re.sub(r":material/[a-z_]+:|https?://\S+", "", line).strip()
        if len(re.findall(r"[A-Za-z\uac00-\ud7a3]", line)) < 3:
            continue
        if not has_hangul(line) and len(re.sub(r"[*_#>|]", " ", line).split()) == 1:
            continue
        lines.append(line)
    return lines


def korean_share(app: AppTest) -> tuple[float, list[str]]:
    """The share of the page's prose lines that are Korean, and the lines that are not."""
    lines = [line for text in texts(app) for line in prose_lines(text)]
    english = [line for line in lines if not has_hangul(line)]
    return (1 - len(english) / len(lines) if lines else 1.0), english


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_every_page_renders_in_english_and_in_korean(page):
    for lang in ("en", "ko"):
        app = render(page.path, lang)
        assert not app.exception, (lang, [exception.message for exception in app.exception])
        assert app.title, f"{page.title} shows no title in {lang}"
        assert app.query_params.get("lang") == lang


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_a_korean_page_has_a_korean_title_and_route_guide(page):
    app = render(page.path, "ko")
    assert has_hangul(app.title[0].value), app.title[0].value
    if step_of(page):
        guide = [info.value for info in app.info if "단계 중" in info.value]
        assert guide and f"{len(route())}단계 중 {step_of(page)}단계" in guide[0], [info.value for info in app.info]
        links = [link.label for link in app.page_link if link.label.startswith("다음:") or "경로" in link.label]
        assert links and all(has_hangul(label) for label in links), [link.label for link in app.page_link]


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_an_english_page_shows_no_korean(page):
    app = render(page.path, "en")
    korean = [text for text in texts(app, options=True) if has_hangul(text)]
    assert not korean, korean[:10]


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_a_korean_page_reads_korean(page):
    share, english = korean_share(render(page.path, "ko"))
    assert share >= KOREAN_SHARE, f"{share:.0%} of the prose lines are Korean; not: {english[:15]}"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_cached_function_words_text_in_whichever_language_filled_it(lang, unpinned_translations):
    for page in PAGES:
        render(page.path, lang)  # rendered once for the module: the tests above may have done it
    assert unpinned_translations == [], "cache it with ui.caching.cache_data_per_language: " + "; ".join(
        sorted(set(unpinned_translations))[:10])


def test_the_glossary_lists_every_book_term_with_its_korean_term_and_its_page():
    terms = [term for page in PAGES for term in page.glossary]
    books = ["합성곱", "합성곱 계층", "필터", "커널", "보폭", "패딩", "VALID", "SAME", "풀링", "최대 풀링", "평균 풀링",
             "수용 영역", "완전 연결 계층", "밀집 계층", "평면화", "매개변수", "초매개변수", "편향", "활성화 함수", "손실",
             "메트릭", "옵티마이저", "최적화", "학습률", "콜백", "조기 중단", "정규화", "L1", "L2", "드롭아웃", "배치 정규화",
             "순차형 API", "함수형 API", "분산 전략", "텐서보드", "에포크", "배치"]
    for lang, meaning_in_korean in (("ko", True), ("en", False)):
        table = render("pages/start/glossary.py", lang).table[0].value
        korean_terms = " ".join(table.iloc[:, 1])
        assert all(term in korean_terms for term in books), [term for term in books if term not in korean_terms]
        assert len(table) == len(terms) and all(table.iloc[:, 2]), "every term names its page"
        assert all(has_hangul(page) == meaning_in_korean for page in table.iloc[:, 2])
        assert all(has_hangul(meaning) == meaning_in_korean for meaning in table.iloc[:, 3])
        assert all(not has_hangul(english) for english in table.iloc[:, 0])


def test_lang_ko_is_kept_across_pages():
    app = new_app("ko")
    run(app, "ko")
    for path in ("pages/operations/convolution.py", "pages/start/glossary.py", HOME):
        app.switch_page(path)
        app.query_params.clear()  # page navigation clears the address's query parameters, as a browser's does
        run(app, "ko")
        assert not app.exception
        assert app.query_params.get("lang") == "ko" and "ws" not in app.query_params, app.query_params
        assert has_hangul(app.title[0].value)


def test_the_sidebar_switch_changes_the_language():
    app = new_app()
    run(app)
    assert app.title[0].value == "CNN Lab" and "lang" not in app.query_params  # nothing pinned yet
    switch(app).set_value("ko")
    run(app, "en")
    assert not app.exception and has_hangul(app.title[0].value) and app.query_params.get("lang") == "ko"
    app.switch_page("pages/operations/pooling.py")
    app.query_params.clear()
    run(app, "ko")
    assert has_hangul(app.title[0].value) and app.query_params.get("lang") == "ko"
    switch(app).set_value("en")
    run(app, "ko")
    assert not any(has_hangul(text) for text in texts(app)) and app.query_params.get("lang") == "en"


def switch(app: AppTest):
    return next(group for group in app.sidebar.button_group if group.key == SWITCH_KEY)


def test_two_sessions_keep_their_own_languages():
    korean, english = new_app("ko"), new_app("en")
    run(korean, "ko")
    run(english, "en")
    run(korean, "ko")  # after the English session's run
    english.switch_page("pages/start/glossary.py")
    run(english, "en")
    assert has_hangul(korean.title[0].value) and korean.query_params.get("lang") == "ko"
    assert english.title[0].value == "Glossary" and not any(has_hangul(text) for text in texts(english))


@pytest.mark.parametrize(("locale", "korean"), [("ko-KR", True), ("en-US", False), (None, False)])
def test_an_unknown_lang_falls_back_to_the_browser_language(locale, korean):
    app = new_app("xx", locale=locale)
    run(app)
    assert not app.exception
    assert has_hangul(app.title[0].value) == korean, app.title[0].value
