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
import time
from collections.abc import Callable

from lib.server.heap import freeze_loaded_modules

log = logging.getLogger(__name__)


class BackgroundOnce:
    """Run `steps` in order in a daemon thread on the first `start()`; later calls do nothing.

    `delay` seconds (given to `start`) pass before the first step: the page that started the work has just
    been sent, and its browser may still fetch what it needs from this server (a component's files), which a
    step that takes the CPU (importing TensorFlow) would slow down.
    """

    def __init__(self, name: str, *steps: Callable[[], object]):
        self.name = name
        self.steps = steps
        self.delay = 0.0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._ran: set[Callable[[], object]] = set()

    @property
    def started(self) -> bool:
        return self._thread is not None

    def start(self, delay: float = 0.0) -> bool:
        """Start the work, after `delay` seconds, unless it was started before; True if this call started it."""
        with self._lock:
            if self._thread is not None:
                return False
            self.delay = delay
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
            return True

    def has_run(self, step: Callable[[], object]) -> bool:
        """Whether `step` has run (or failed: then whoever needs its work does it and meets the error)."""
        return step in self._ran

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the work has finished (or failed); True if it has."""
        return self._done.wait(timeout)

    def _run(self) -> None:
        try:
            time.sleep(self.delay)
            for step in self.steps:
                try:
                    step()
                except Exception:  # what a step did not warm, its page loads itself, and says what went wrong
                    log.exception("%s: %s failed; its pages will load what they need", self.name, step.__name__)
                finally:
                    self._ran.add(step)
        finally:
            freeze_loaded_modules()  # TensorFlow and Keras stay out of every later collection
            self._done.set()
