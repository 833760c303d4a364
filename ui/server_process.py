"""What the app does for its server process rather than for a script run; the entry file asks for each explicitly.

Not a page itself. Streamlit runs the entry file (streamlit_app.py) on every script run of every visitor, but
some work belongs to the process: telling lib.i18n where each visitor's language is read (once, before the first
page), starting the background warm-up (once, after the first page has been drawn: ui/warmup.py) and freezing what
the pages imported out of later garbage collections (lib/server/heap.py: a collection and a freeze only when
earlier runs imported modules, a handful of times in a server's life, and only at the start of a run that no
other visitor's run overlaps, before it has built anything: a page's module frozen while alive is never freed).
Importing this module does nothing of it (tests/test_import_side_effects.py).
"""

from __future__ import annotations

import threading

from lib.server.heap import freeze_loaded_modules, script_run
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


__all__ = ["after_page", "before_page", "prepare_process", "script_run"]


def before_page() -> None:
    """At the start of a run (counted by `script_run`): what earlier runs imported is frozen, if they imported
    anything and no other visitor's run is in flight; otherwise the freeze waits for a quieter run."""
    freeze_loaded_modules(own_runs=1)


def after_page() -> None:
    """After a page has run (also when it stopped early): the warm-up starts unless it has."""
    start_warm_up()
