"""Translations: the app's strings are English in the code; Korean comes from a gettext catalog.

Every string a person reads is marked where it is written: `_("...")` for a sentence, `ngettext(singular,
plural, n)` for one with a count (format the number in afterwards: `ngettext("{n} run", "{n} runs", n)
.format(n=n)`), and `N_("...")` for a string kept in a module-level table and translated where it is shown
(`_(PAGE.title)`). Babel's extraction (babel.cfg at the repository root) collects all three into
locales/messages.pot; the Korean catalog is locales/ko/LC_MESSAGES/messages.po, and scripts/catalog.py
updates and compiles it.

The language is a visitor's, never the process's: there is no `gettext.install`. lib/ does not import
Streamlit, so the app tells this module where the current visitor's language is kept (`use_language_source`,
called by the entry file through ui/language.py's `read_language_from_session` with a function reading the
session's state; importing a module never sets it); code with no visitor (the CLI, the warm-up thread) reads
English. `language_override` pins one language for a block, in this thread only (tests,
a child process).

The compiled `.mo` file is made from the `.po` when it is missing or older (at install, by scripts/run.sh,
or here on first use); where the folder cannot be written, the catalog is compiled in memory instead.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext
import io
import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from lib import REPO_ROOT

log = logging.getLogger(__name__)

LOCALE_DIR = REPO_ROOT / "locales"
DOMAIN = "messages"
ENGLISH = "en"
KOREAN = "ko"
LANGUAGES = {ENGLISH: "English", KOREAN: "한국어"}  # code: the language's own name, as the switch shows it

_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("cnn_lab_language", default=None)
_source: Callable[[], str | None] = lambda: None  # noqa: E731 - replaced by the app's (streamlit_app.py)
_lock = threading.Lock()
_catalogs: dict[str, gettext.NullTranslations] = {}


def normalize(code: str | None) -> str | None:
    """'ko', 'ko-KR', 'KO_kr' -> 'ko'; 'en-US' -> 'en'; anything else (None, 'fr', junk) -> None."""
    if not code:
        return None
    base = str(code).strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def language_of_locale(locale: str | None) -> str:
    """The app's language for a browser's locale: Korean for ko*, English for every other one."""
    return KOREAN if normalize(locale) == KOREAN else ENGLISH


def use_language_source(source: Callable[[], str | None]) -> None:
    """Where the current visitor's language is read from (a function; None or an error means English)."""
    global _source
    _source = source


@contextlib.contextmanager
def language_override(code: str) -> Iterator[None]:
    """Read `code` in this thread (and context) for the block, whatever the visitor's language is."""
    token = _override.set(normalize(code) or ENGLISH)
    try:
        yield
    finally:
        _override.reset(token)


def language() -> str:
    """The language the current reader reads: the override, else the visitor's, else English."""
    pinned = _override.get()
    if pinned is not None:
        return pinned
    try:
        return normalize(_source()) or ENGLISH
    except Exception:  # no visitor here (a background thread): English
        return ENGLISH


def po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(code: str) -> Path:
    return po_path(code).with_suffix(".mo")


def compile_catalog(code: str, *, write: bool = True) -> bytes:
    """The compiled catalog of `code`, made from its .po; written beside it (atomically) when `write`."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path(code).open("rb") as source:
        catalog = read_po(source, locale=code)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    data = buffer.getvalue()
    if write:
        target = mo_path(code)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        os.replace(partial, target)
    return data


def _load(code: str) -> gettext.NullTranslations:
    if code == ENGLISH or not po_path(code).exists():
        return gettext.NullTranslations()
    mo, po = mo_path(code), po_path(code)
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as compiled:
            return gettext.GNUTranslations(compiled)
    try:
        data = compile_catalog(code, write=True)
    except OSError as error:  # a read-only deployment: compile in memory
        log.warning("could not write %s (%s); the catalog is compiled in memory", mo, error)
        data = compile_catalog(code, write=False)
    return gettext.GNUTranslations(io.BytesIO(data))


def translations(code: str | None = None) -> gettext.NullTranslations:
    """The catalog of `code` (default: the current language), loaded once per process."""
    code = normalize(code) or language()
    catalog = _catalogs.get(code)
    if catalog is None:
        with _lock:
            catalog = _catalogs.get(code)
            if catalog is None:
                catalog = _catalogs[code] = _load(code)
    return catalog


def reload_catalogs() -> None:
    """Forget the loaded catalogs (after the .po changed)."""
    with _lock:
        _catalogs.clear()


def _(message: str) -> str:
    """`message` in the current reader's language."""
    return translations().gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of `singular`/`plural` for `n`, in the current reader's language (format `n` in afterwards)."""
    return translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it now: it is translated where it is shown."""
    return message


class LazyText(str):
    """Words for people made where no reader is (a job's thread, the server's journal), read where shown.

    The string itself is the English text: comparisons, `in` and logs see it. `str()`, `format()` and f-strings
    call `words` again and so give the text in the current reader's language:
    `LazyText(lambda: _("Stopped after {n} s.").format(n=seconds))` (bind loop variables as defaults). Another
    LazyText formatted into the words follows the same language. Copies are the same object; a pickle keeps
    the English.
    """

    _words: Callable[[], str]

    def __new__(cls, words: Callable[[], str]) -> LazyText:
        with language_override(ENGLISH):
            english = str(words())
        text = super().__new__(cls, english)
        text._words = words
        return text

    def __str__(self) -> str:
        return str(self._words())

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __reduce__(self):
        return (str, (str.__str__(self),))

    def __copy__(self) -> LazyText:
        return self

    def __deepcopy__(self, memo) -> LazyText:
        return self
