"""Browser harness: a real `streamlit run` server driven by Playwright in Chromium.

`streamlit_server` starts the app on a free localhost port and waits for its
health endpoint; `browser` launches Debian's Chromium (Playwright cannot
download its own browser here); `app_page` opens a fresh tab and, after the
test, asserts the page shows no Streamlit exception.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
EXCEPTION_SELECTOR = '[data-testid="stException"]'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StreamlitServer:
    """A `streamlit run streamlit_app.py` process on 127.0.0.1."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not become healthy in {timeout} s; see {self.log.name}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("server")
    env = {**os.environ, "CNN_LAB_RUNS_DIR": str(workdir / "runs"), "PYTHONUNBUFFERED": "1"}
    server = StreamlitServer(env, workdir / "streamlit.log")
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def app_page(browser, streamlit_server):
    """A fresh tab on the app; fails the test if any Streamlit exception is shown."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.app_url = streamlit_server.url
    yield page
    try:
        assert page.locator(EXCEPTION_SELECTOR).count() == 0, page.locator(EXCEPTION_SELECTOR).first.inner_text()
    finally:
        context.close()


def open_page(page, url_path: str = "") -> None:
    """Go to a page of the app and wait until Streamlit has finished running it."""
    page.goto(f"{page.app_url}/{url_path}")
    wait_idle(page)


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait for the app's script run to finish (the status widget goes away)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout
    )
