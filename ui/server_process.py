"""What the app does for its server process rather than for a script run; the entry file asks for each explicitly.

Not a page itself. Streamlit runs the entry file (streamlit_app.py) on every script run of every visitor, but
some work belongs to the process: telling lib.i18n where each visitor's language is read (once, before the first
page), starting the background warm-up (once, after the first page has been drawn: ui/warmup.py) and freezing what
the pages imported out of later garbage collections (lib/server/heap.py: a collection and a freeze only after a run
that imported modules, a handful of times in a server's life). Importing this module does nothing of it
(tests/test_import_side_effects.py).
"""

from __future__ import annotations

import threading

from lib.server.heap import freeze_loaded_modules
from ui.language import read_language_from_session
from ui.warmup import start_warm_up

_lock = threading.Lock()
_prepared = False


def prepare_process() -> bool:
    """Before the first page of this process: lib.i18n reads each visitor's language from their session's state.
    Later calls do nothing; True if this call did it."""
    global _prepared
    with _lock:
        if _prepared:
            return False
        read_language_from_session()
        _prepared = True
        return True


def after_page() -> None:
    """After a page has run (also when it stopped early): the warm-up starts unless it has, and what the run
    imported is frozen (nothing is done when it imported nothing)."""
    start_warm_up()
    freeze_loaded_modules()
