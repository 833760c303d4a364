"""What a page open costs the machine in the test suite's browser, and what a polled wait costs it.

The browser tests (tests/browser.py) open pages in fresh browser contexts, one a visitor, and wait on
JavaScript conditions. This measures both, per browser given, with the suite's own harness and flags:

- a page open: each of `--opens` fresh contexts opens `--page` and waits until its script run has ended
  (`open_page`); reported per open are the seconds, the machine's busy CPU-seconds (from /proc/stat: browser,
  server, Playwright and this process together) and the Streamlit server's own CPU-seconds (so the rest is the
  browser's side); measured in contexts that ask for reduced motion (as the tests' do, tests.browser.new_context)
  and in contexts that do not, taking turns;
- a wait: a condition that never holds is waited on for 5 s on the opened page, once polled on every animation
  frame (Playwright's default) and once every tests.browser.POLL_MS; reported are the renderer's CPU-seconds
  per second of waiting.

Two opens are made first and not counted (the server's first imports). Needs Chromium and Playwright
(requirements-dev.txt). Run:
  .venv/bin/python benchmarks/bench_browser_open.py [--page convolution] [--opens 8]
      [--browsers /usr/bin/chromium,/usr/bin/chromium-headless-shell]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_server import cpu_seconds
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from tests.browser import CHROMIUM_ARGS, CONTEXT_OPTIONS, POLL_MS, StreamlitServer, open_page

TICKS = os.sysconf("SC_CLK_TCK")
WAIT_SECONDS = 5


def machine_busy() -> float:
    """CPU-seconds the machine has spent busy since boot (all cores)."""
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:9]]
    return (sum(values) - values[3] - values[4]) / TICKS


def renderers_cpu() -> float:
    """CPU-seconds of every Chromium renderer process now running."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"chrom" in command and b"--type=renderer" in command:
                total += cpu_seconds(int(pid)) or 0.0  # or it has just ended
        except OSError:
            continue
    return total


def measure(playwright, executable: str, server: StreamlitServer, page_path: str, opens: int) -> None:
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)

    def one_open(motion: str, keep: bool = False):
        context = browser.new_context(**{**CONTEXT_OPTIONS, "reduced_motion": motion})
        page = context.new_page()
        page.app_url = server.url
        open_page(page, page_path)
        if keep:
            return context, page
        context.close()
        return None

    one_open("reduce"), one_open("no-preference")
    totals = {motion: [0.0, 0.0, 0.0] for motion in ("no-preference", "reduce")}  # seconds, busy, server's
    for _open in range(opens):
        for motion, total in totals.items():  # in turns, so that a busier moment of the machine falls on both
            busy, served, started = machine_busy(), cpu_seconds(server.process.pid), time.perf_counter()
            one_open(motion)
            total[0] += time.perf_counter() - started
            total[1] += machine_busy() - busy
            total[2] += cpu_seconds(server.process.pid) - served
    for motion, (seconds, busy, served) in totals.items():
        print(f"{Path(executable).name}: /{page_path}, {opens} opens, reduced motion {motion}: "
              f"{seconds / opens:.2f} s an open, {busy / opens:.2f} CPU-s of the machine, {served / opens:.2f} of them "
              "the server's")

    context, page = one_open("reduce", keep=True)
    for label, polling in (("every frame", "raf"), (f"every {POLL_MS} ms", POLL_MS)):
        before = renderers_cpu()
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function("() => false", timeout=WAIT_SECONDS * 1000, polling=polling)
        print(f"  a wait polled {label}: {(renderers_cpu() - before) / WAIT_SECONDS:.2f} CPU-s a second "
              "in the renderers")
    context.close()
    browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--page", default="convolution", help="the page's address after the app's root ('' is Home)")
    parser.add_argument("--opens", type=int, default=8)
    parser.add_argument("--browsers", default="/usr/bin/chromium,/usr/bin/chromium-headless-shell")
    arguments = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-browser-open-"))
    server = StreamlitServer({**os.environ, "CNN_LAB_RUNS_DIR": str(folder / "runs")}, folder / "streamlit.log")
    try:
        server.wait_healthy()
        with sync_playwright() as playwright:
            for executable in arguments.browsers.split(","):
                if not Path(executable).exists():
                    print(f"{executable}: not installed, skipped")
                    continue
                measure(playwright, executable, server, arguments.page, arguments.opens)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
