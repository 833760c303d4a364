"""Keep the server's garbage collections cheap: long-lived objects go where the collector no longer looks.

Streamlit collects garbage after every script run, fragment runs included:
once through Keras's `clear_session` (which it calls whenever Keras is
loaded) and once more for its `runner.postScriptGC` setting. A full
collection walks every object the process tracks. With TensorFlow, Keras,
plotly and pandas loaded that is some 360,000 objects, about 0.2 s a
collection on this project's machine, so 0.4 s of one core a run: a live
training view redrawing every few seconds then takes a third of a one-core
server, and every visitor's slider waits for it.

Almost all of those objects are modules and what they built as they loaded,
alive until the server stops. `gc.freeze` moves every object alive now into
a permanent generation that no later collection walks. Doing it whenever
modules have been imported since the last time keeps collections down to
what script runs create, a few milliseconds.

The cost: cyclic garbage that was alive at a freeze is never collected. A
page's module and its functions make such a cycle, holding the page's arrays:
frozen while another visitor's run was drawing, they stayed until the server
stopped (30 students left some 500 MB behind). So a freeze waits until no
script run is in flight (`script_run` counts them): the warm-up thread or a
run that finds others running only marks the freeze as due, and the next run
that starts alone does it, before it has built anything of its own.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_modules_at_last_freeze = 0
_runs_in_flight = 0


@contextlib.contextmanager
def script_run() -> Iterator[None]:
    """Count a script run as in flight while the block runs (the entry file wraps each run in it)."""
    global _runs_in_flight
    with _lock:
        _runs_in_flight += 1
    try:
        yield
    finally:
        with _lock:
            _runs_in_flight -= 1


def runs_in_flight() -> int:
    return _runs_in_flight


def freeze_loaded_modules(own_runs: int = 0) -> bool:
    """If modules were imported since the last freeze and no script run but the caller's own `own_runs` is in
    flight, collect once and freeze what is alive; True if it froze. Otherwise the freeze stays due, for the
    next call that finds the server quiet."""
    global _modules_at_last_freeze
    with _lock:
        count = len(sys.modules)
        if count == _modules_at_last_freeze or _runs_in_flight > own_runs:
            return False
        gc.collect()
        gc.freeze()
        _modules_at_last_freeze = count
        return True
