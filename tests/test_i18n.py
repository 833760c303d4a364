"""lib/i18n: each reader's language, English by default, Korean from the catalog, never a global install."""

import builtins
import threading

from lib import i18n
from lib.i18n import KOREAN, N_, _, language, language_of_locale, language_override, ngettext, normalize


def test_locales_map_to_the_two_languages():
    assert [language_of_locale(code) for code in ("ko", "ko-KR", "KO_kr", "en-US", "fr", "", None)] == \
        ["ko", "ko", "ko", "en", "en", "en", "en"]
    assert normalize("ja") is None and normalize("en-GB") == "en"


def test_english_is_the_source_and_korean_comes_from_the_catalog():
    assert _("Home") == "Home" and language() == "en"
    with language_override("ko"):
        assert language() == KOREAN
        assert _("Home") != "Home" and _("Home")  # translated
        assert _("a sentence no catalog has") == "a sentence no catalog has"
    assert _("Home") == "Home"
    assert N_("Home") == "Home"


def test_counts_take_the_form_for_their_number():
    assert ngettext("{n} run", "{n} runs", 1).format(n=1) == "1 run"
    assert ngettext("{n} run", "{n} runs", 3).format(n=3) == "3 runs"


def test_one_readers_language_never_changes_anothers():
    seen = {}
    ready = threading.Barrier(2)

    def read(code):
        with language_override(code):
            ready.wait(5)
            seen[code] = (language(), _("Home"))

    threads = [threading.Thread(target=read, args=(code,)) for code in ("ko", "en")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen["en"] == ("en", "Home") and seen["ko"][0] == "ko" and seen["ko"][1] != "Home"
    assert not hasattr(builtins, "_") or builtins._ is not i18n._  # no gettext.install


def test_a_source_that_fails_reads_english():
    def broken():
        raise RuntimeError("no session")

    previous = i18n._source
    i18n.use_language_source(broken)
    try:
        assert language() == "en"
    finally:
        i18n.use_language_source(previous)
