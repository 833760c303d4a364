"""Cached readers and the visitor's language: `cache_data_per_language` (ui/caching.py) keys each entry by the
language and words it in that language; a cached function that translates without it is found.

The finder (`translations_in_caches`) records every translation made inside a Streamlit cached function
(st.cache_data or st.cache_resource) whose language nobody pinned: such an entry is worded in the language of
whoever filled it first, and served to every reader. tests/test_pages_languages.py runs it over every page, in
both languages.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterator

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function

import lib.i18n
from lib.i18n import _, language_override
from ui.caching import cache_data_per_language


@contextlib.contextmanager
def translations_in_caches() -> Iterator[list[str]]:
    """While the block runs, where each unpinned translation inside a cached function was asked for."""
    found: list[str] = []
    real = lib.i18n.translations

    def watched(code: str | None = None):
        if code is None and in_cached_function.get() and lib.i18n._override.get() is None:
            outside = [frame for frame in traceback.extract_stack()[:-1] if "lib/i18n.py" not in frame.filename]
            found.append(" <- ".join(f"{frame.name} ({frame.filename.rsplit('/', 2)[-1]}:{frame.lineno})"
                                     for frame in reversed(outside[-3:])))
        return real(code)

    lib.i18n.translations = watched
    try:
        yield found
    finally:
        lib.i18n.translations = real


def test_each_language_has_its_own_entry_worded_in_it():
    calls = []

    @cache_data_per_language(max_entries=4)
    def title(page: str) -> str:
        calls.append(page)
        return _(page)

    title.clear()
    with language_override("en"):
        assert title("Home") == "Home"
    with language_override("ko"):
        korean = title("Home")
        assert korean != "Home" and title("Home") == korean
    with language_override("en"):
        assert title("Home") == "Home"
    assert calls == ["Home", "Home"]  # once per language, then from the cache


def test_two_cached_functions_with_the_same_arguments_keep_their_own_entries():
    @cache_data_per_language(max_entries=4)
    def first(value: int) -> str:
        return f"first {value}"

    @cache_data_per_language(max_entries=4)
    def second(value: int) -> str:
        return f"second {value}"

    assert (first(1), second(1)) == ("first 1", "second 1")


def test_the_finder_sees_a_cached_function_that_translates_without_its_language():
    @st.cache_data(max_entries=1)
    def unpinned_title() -> str:
        return _("Home")

    @cache_data_per_language(max_entries=1)
    def pinned_title() -> str:
        return _("Home")

    unpinned_title.clear()
    pinned_title.clear()
    with translations_in_caches() as found:
        pinned_title()
        _("Home")  # outside any cache: the visitor's own run
        assert found == []
        unpinned_title()
    assert len(found) == 1 and "unpinned_title" in found[0], found


def cached_functions_that_translate(source: str) -> list[str]:
    """The functions in `source` cached with st.cache_data or st.cache_resource (not the per-language helpers) whose
    own body calls `_` or `ngettext`: their entries would be worded in whichever language filled them first."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        decorators = [decorator.func if isinstance(decorator, ast.Call) else decorator for decorator in node.decorator_list]
        if not any(isinstance(decorator, ast.Attribute) and decorator.attr in ("cache_data", "cache_resource")
                   for decorator in decorators):
            continue
        if any(isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in ("_", "ngettext")
               for statement in node.body for call in eager_nodes(statement)):
            found.append(f"{node.name} (line {node.lineno})")
    return found


def eager_nodes(node):
    """`node` and what is under it, but not inside a lambda: a lambda's translation is made when it is read (a
    LazyText), in the reader's language."""
    import ast

    yield node
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.Lambda):
            yield from eager_nodes(child)


def test_no_cached_function_in_ui_or_pages_translates_without_its_language():
    """Every cached function of ui/ and pages/, read as code: one that translates goes through ui/caching.py's helper.
    (tests/test_pages_languages.py also watches what the cached functions translate while every page renders.)"""
    from tests.conftest import ROOT

    paths = sorted([*(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").rglob("*.py")])
    assert any(path.name == "optimizer_views.py" for path in paths)
    found = {str(path.relative_to(ROOT)): names for path in paths
             if (names := cached_functions_that_translate(path.read_text(encoding="utf-8")))}
    assert found == {}, "cache these with ui.caching.cache_data_per_language: " + str(found)


def test_the_code_check_finds_a_cached_function_that_translates():
    source = '''
@st.cache_data(max_entries=1)
def note(value):
    return _("Home") + str(value)

@st.cache_resource
def model():
    return object()

@cache_data_per_language(max_entries=1)
def pinned():
    return _("Home")

@st.cache_data
def lazy():
    return LazyText(lambda: _("Home"))

@st.cache_data
def counted(count):
    if count:
        return [ngettext("{n} run", "{n} runs", count)]
'''
    assert cached_functions_that_translate(source) == ["note (line 3)", "counted (line 19)"]
