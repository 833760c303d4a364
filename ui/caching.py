"""A Streamlit cache for what is read in the visitor's language: the language is part of every key by itself.

Not a page itself. A cached function whose result holds words for people (notes, labels, error messages, an
explanation) gives each language its own entry: `@cache_data_per_language(max_entries=...)` instead of
`@st.cache_data(...)` (`cache_resource_per_language` for `st.cache_resource`). The reader's language (lib.i18n)
is added to the key, and pinned while the function runs, so an entry is worded in the language that keys it even
when another thread (the warm-up) fills it. Nothing passes a `lang` argument by hand, so no new cached reader can
forget it; tests/test_pages_languages.py fails when a cached function on any page translates text outside it.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from lib.i18n import language, language_override

try:  # Streamlit sets it while a cached function computes its value
    from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function as _in_cached_function
except ImportError:  # pragma: no cover - a Streamlit without it: spinners are then shown there too
    _in_cached_function = None

Result = TypeVar("Result")


def inside_cached_function() -> bool:
    """Whether a Streamlit cached function is computing its value in this thread now: a spinner there is not
    replayed on a cache hit, and its translated text would make the work depend on a reader's language."""
    return bool(_in_cached_function is not None and _in_cached_function.get())


def cache_data_per_language(**options) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """`st.cache_data(**options)`, keyed by the reader's language too. Every argument of the function is hashed."""

    return _per_language(st.cache_data, options)


def cache_resource_per_language(**options) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """`st.cache_resource(**options)`, keyed by the reader's language too: for an object shared, never mutated,
    that holds words for people (a Keras model beside its program's comments)."""
    return _per_language(st.cache_resource, options)


def source_digest(function: Callable) -> str:
    try:
        source = inspect.getsource(function).encode()
    except (OSError, TypeError):  # no source file: its bytecode
        source = function.__code__.co_code
    return hashlib.sha256(source).hexdigest()[:16]


def _per_language(cache, options: dict):
    def decorate(function: Callable[..., Result]) -> Callable[..., Result]:
        def in_language(lang: str, *args, **kwargs) -> Result:
            with language_override(lang):
                return function(*args, **kwargs)

        # Streamlit keys a cache by its function's module, name and source: this wrapper's source is the same for
        # every function it wraps, so the wrapped function's name and source keep their caches apart (two pages
        # run as __main__ may hold functions of one name).
        in_language.__module__ = function.__module__
        in_language.__qualname__ = f"{function.__qualname__}.in_language[{source_digest(function)}]"
        in_language.__name__ = function.__name__
        cached = cache(**options)(in_language)

        @functools.wraps(function)
        def call(*args, **kwargs) -> Result:
            return cached(language(), *args, **kwargs)

        call.clear = cached.clear  # as Streamlit's cached functions have
        call.per_language = True  # what tests/test_caching.py looks for
        return call

    return decorate
