"""What the test suite's frozen heap saves an AppTest.

After every script run Streamlit collects garbage (through Keras's `clear_session`, and once more), and each
collection walks every object the process tracks; the suite (tests/conftest.py) collects once and freezes what is
alive before each test file (`frozen_heap`), so later collections walk only what that file makes. This measures
both ways on the same pages in one process.

Each round opens `--pages` in turn (the app's entry file, then the page, as the tests' `open_app` does) once with
the heap as it grows and once frozen, taking turns so that a busier moment of the machine falls on both; reported per page open are the
seconds and this process's CPU-seconds (threads included). The rounds after the first are counted (the first
imports TensorFlow and fills the caches). Needs MNIST_PATH only for pages that train nothing; no browser.
Run: .venv/bin/python benchmarks/bench_apptest_heap.py [--pages pages/operations/convolution.py,...] [--rounds 4]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import WarmUpOff, open_app

PAGES = "pages/operations/convolution.py,pages/training/optimizers.py,pages/training/history.py"


def open_pages(pages: list[str]) -> tuple[float, float]:
    """Seconds and this process's CPU-seconds to open each page once."""
    started, cpu = time.perf_counter(), time.process_time()
    for page in pages:
        app = open_app(page)
        assert not app.exception, [exception.message for exception in app.exception]
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default=PAGES)
    parser.add_argument("--rounds", type=int, default=4)
    arguments = parser.parse_args()
    pages = arguments.pages.split(",")
    import ui.warmup

    ui.warmup.WARM_UP = WarmUpOff()  # as in the tests: no warm-up thread beside the runs
    settings = {"heap as it grows": False, "heap frozen": True}
    totals = {name: [0.0, 0.0] for name in settings}
    for round_number in range(arguments.rounds + 1):
        for name, freeze in settings.items():
            if freeze:
                gc.collect()
                gc.freeze()
            seconds, cpu = open_pages(pages)
            if freeze:
                gc.unfreeze()  # the next setting starts from the heap as it grew
            if round_number:
                totals[name][0] += seconds
                totals[name][1] += cpu
    opens = arguments.rounds * len(pages)
    print(f"{opens} opens each of {', '.join(Path(page).stem for page in pages)}:")
    for name, (seconds, cpu) in totals.items():
        print(f"  {name}: {seconds / opens:.2f} s an open, {cpu / opens:.2f} CPU-s")


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
