"""Work the server does once, in the background, so that the pages a visitor opens next find it done.

Not Streamlit-specific: `BackgroundOnce` runs its steps, one function after another, in a daemon thread the
first time `start` is called and never again in this process (a step that fails is logged and the next one
runs), then freezes what the work imported out of later garbage collections
(lib.server.heap). The app starts its warm-up (ui/warmup.py) after a visitor's first page has rendered, so a
server that nobody visits stays as light as it started.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from lib.server.heap import freeze_loaded_modules

log = logging.getLogger(__name__)


class BackgroundOnce:
    """Run `steps` in order in a daemon thread on the first `start()`; later calls do nothing."""

    def __init__(self, name: str, *steps: Callable[[], object]):
        self.name = name
        self.steps = steps
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()

    @property
    def started(self) -> bool:
        return self._thread is not None

    def start(self) -> bool:
        """Start the work unless it was started before; True if this call started it."""
        with self._lock:
            if self._thread is not None:
                return False
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the work has finished (or failed); True if it has."""
        return self._done.wait(timeout)

    def _run(self) -> None:
        try:
            for step in self.steps:
                try:
                    step()
                except Exception:  # what a step did not warm, its page loads itself, and says what went wrong
                    log.exception("%s: %s failed; its pages will load what they need", self.name, step.__name__)
        finally:
            freeze_loaded_modules()  # TensorFlow and Keras stay out of every later collection
            self._done.set()
