"""How fast each page opens the first time, on a fresh server, and what the server's warm-up costs in memory.

"First open" here means what a new visitor meets: a freshly started server, the visitor's browser opens Home,
reads it for 6 s (`--read`), then clicks one page in the sidebar. Each page gets a server of its own, so no
page is timed with caches an earlier timed page filled; only the background warm-up that Home's render starts
(ui/warmup.py) has run. A page is timed from the click until its script run has finished
(`data-test-script-state="notRunning"` on the app, after the run the click started) with the page's own h1
drawn. A page that is still waiting for the devices line (Train, Scaling out) counts as open once its first run
ends; the line fills in by itself afterwards.

Then a cold deep link: a fresh server, a fresh browser context going straight to /draw, timed until the
drawable canvas is visible. That includes loading Streamlit's frontend
into a browser with an empty cache, which alone takes about a second here.

Last, the server's resident memory (VmRSS): idle (started, nobody visited), warmed (Home opened and the warm-up
finished), and the highest seen while a short training (the "Quick look" preset) runs, submitted from the
Train page; `--no-train` skips that.

Targets (issue 23): every page's first open at most 2.0 s; the cold deep link shows Draw's canvas within 2.5 s.
Needs Debian's Chromium and Playwright (requirements-dev.txt); MNIST_PATH for the training part.
Run: .venv/bin/python benchmarks/bench_first_open.py [--pages draw,train] [--read 6] [--no-train]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lib.server.pages import PAGES

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
APP = '[data-testid="stApp"]'
HOME_TITLE = "CNN Lab"
PAGE_OPEN_TARGET = 2.0
CANVAS_TARGET = 2.5

# Counts the script runs that end after it is installed, so that a click's run is told from Home's.
WATCH_RUNS = """() => {
    window.benchRunsEnded = 0;
    new MutationObserver(records => {
        for (const record of records) {
            if (record.oldValue === "running") window.benchRunsEnded += 1;
        }
    }).observe(document.querySelector('[data-testid="stApp"]'),
               {attributes: true, attributeOldValue: true, attributeFilter: ["data-test-script-state"]});
}"""
PAGE_OPENED = """home => {
    const h1 = document.querySelector('[data-testid="stMain"] h1');
    return window.benchRunsEnded > 0 && h1 !== null && h1.innerText.trim() !== home &&
        document.querySelector('[data-testid="stApp"]').getAttribute("data-test-script-state") === "notRunning";
}"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        import psutil
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0
    return psutil.Process(pid).memory_info().rss / 2**20


class Server:
    """A fresh `streamlit run streamlit_app.py` with a runs folder of its own."""

    def __init__(self):
        self.runs = Path(tempfile.mkdtemp(prefix="bench-first-open-"))
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "CNN_LAB_RUNS_DIR": str(self.runs), "TF_CPP_MIN_LOG_LEVEL": "2"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self) -> Server:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2):
                    return self
            except OSError:
                time.sleep(0.25)
        self.process.kill()
        raise RuntimeError("the server did not start")

    def __exit__(self, *_) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def rss(self) -> float:
        return rss_mb(self.process.pid)


def new_tab(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    return context, page


def open_home(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
    page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]', timeout=120_000)


def url_path(page_path: str) -> str:
    return Path(page_path).stem


def time_first_open(browser, page_spec, read: float) -> float:
    """Seconds from the sidebar click to the end of the page's first script run, Home read for `read` s first."""
    with Server() as server:
        context, page = new_tab(browser)
        try:
            open_home(page, server.url)
            page.wait_for_timeout(read * 1000)
            link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{url_path(page_spec.path)}"]').first
            page.evaluate(WATCH_RUNS)
            start = time.perf_counter()
            link.click()
            page.wait_for_function(PAGE_OPENED, arg=HOME_TITLE, timeout=120_000, polling=20)
            seconds = time.perf_counter() - start
            if page.locator('[data-testid="stException"]').count():
                print(f"  {page_spec.title}: the page shows an exception")
            return seconds
        finally:
            context.close()


def time_cold_canvas(browser) -> float:
    """Seconds from going to /draw on a server nobody has visited until Draw's canvas is visible."""
    with Server() as server:
        context, page = new_tab(browser)
        try:
            start = time.perf_counter()
            page.goto(f"{server.url}/draw")
            page.locator("canvas.upper-canvas").first.wait_for(state="visible", timeout=120_000)
            return time.perf_counter() - start
        finally:
            context.close()


def memory(browser, read: float, train: bool) -> dict[str, float]:
    """Server RSS in MB: idle, warmed, and at most while a Quick look training runs (unless `train` is False)."""
    readings = {}
    with Server() as server:
        time.sleep(2)
        readings["idle"] = server.rss
        context, page = new_tab(browser)
        try:
            open_home(page, server.url)
            page.wait_for_timeout(max(read, 6) * 1000)
            previous = 0.0
            for _ in range(60):  # the warm-up is done when the server stops growing
                readings["warmed"] = server.rss
                if abs(readings["warmed"] - previous) < 2:
                    break
                previous = readings["warmed"]
                time.sleep(1)
            if train:
                page.goto(f"{server.url}/train")
                page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]')
                preset = page.get_by_role("combobox", name="Preset")
                preset.click()
                preset.fill("Quick look")
                preset.press("Enter")
                page.wait_for_timeout(1500)
                page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]')
                page.get_by_role("button", name="Train", exact=True).click()
                page.get_by_text("points so far").wait_for(timeout=180_000)  # batches are running
                peak, deadline = server.rss, time.monotonic() + 180
                while time.monotonic() < deadline:
                    peak = max(peak, server.rss)
                    if "points so far" not in page.locator('[data-testid="stMain"]').inner_text():
                        break  # the live view has given way to the result
                    time.sleep(0.5)
                readings["training (peak)"] = peak
                time.sleep(2)
                readings["after training"] = server.rss
        finally:
            context.close()
    return readings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="", help="comma-separated url paths (default: every page but Home)")
    parser.add_argument("--read", type=float, default=6.0, help="seconds Home is read before the click")
    parser.add_argument("--no-train", action="store_true", help="skip the memory reading while training")
    parser.add_argument("--skip-pages", action="store_true", help="only the cold deep link and memory")
    arguments = parser.parse_args()
    chosen = {name for name in arguments.pages.split(",") if name}
    specs = [spec for spec in PAGES if not spec.default and (not chosen or url_path(spec.path) in chosen)]

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        if not arguments.skip_pages:
            print(f"first open, Home read {arguments.read:g} s before the click (target {PAGE_OPEN_TARGET} s):")
            for spec in specs:
                seconds = time_first_open(browser, spec, arguments.read)
                print(f"  {spec.title:24} {seconds:5.2f} s{'' if seconds <= PAGE_OPEN_TARGET else '  (over)'}",
                      flush=True)
        seconds = time_cold_canvas(browser)
        print(f"cold deep link to /draw, canvas visible: {seconds:.2f} s (target {CANVAS_TARGET} s)", flush=True)
        readings = memory(browser, arguments.read, train=not arguments.no_train)
        print("server RSS: " + ", ".join(f"{name} {value:.0f} MB" for name, value in readings.items()))
        browser.close()


if __name__ == "__main__":
    main()
