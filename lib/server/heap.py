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
what script runs create, a few milliseconds. The cost: cyclic garbage that
was alive at a freeze is never collected, which is why this freezes only
after imports, a handful of times in a server's life, and collects first.
"""

from __future__ import annotations

import gc
import sys
import threading

_lock = threading.Lock()
_modules_at_last_freeze = 0


def freeze_loaded_modules() -> bool:
    """If modules were imported since the last call, collect once and freeze what is alive; True if it froze."""
    global _modules_at_last_freeze
    with _lock:
        count = len(sys.modules)
        if count == _modules_at_last_freeze:
            return False
        gc.collect()
        gc.freeze()
        _modules_at_last_freeze = count
        return True
