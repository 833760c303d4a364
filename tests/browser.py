"""Browser harness: a real `streamlit run` server driven by Playwright in Chromium.

`streamlit_server` starts the app on a free localhost port and waits for its
health endpoint; `browser` launches Debian's Chromium (Playwright cannot
download its own browser here); `app_page` opens a fresh tab and, after the
test, asserts the page shows no Streamlit exception.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parent.parent
# Debian's headless shell where it is installed (scripts/setup.sh): the same Blink with less around it, it opens a
# page of this app with less CPU than the full browser (benchmarks/bench_browser_open.py; README, "Run the tests").
CHROMIUM = os.environ.get("CHROMIUM_PATH") or next(
    (path for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if Path(path).exists()),
    "/usr/bin/chromium")
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
        self.log = open(log_path, "w")  # noqa: SIM115 - stays open for the server's lifetime, closed in stop()
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
    server.runs_dir = workdir / "runs"
    try:
        server.wait_healthy()
        server.warmed = False
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright import sync_api as playwright_api

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium-headless-shell or chromium package")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def warm_up(browser, server: StreamlitServer) -> None:
    """Open the app's root once, so the server leaves Streamlit's old pages/ mode.

    Until the entry file has called st.navigation once, Streamlit treats a
    server's very first deep link (say /convolution) the old way, answering
    "Page not found" in a dialog before the app's own navigation takes over.
    """
    page = browser.new_page()
    page.app_url = server.url
    open_page(page)
    page.close()


# How long a click, a fill or a read waits for its element: a page on a loaded two-core machine can take tens of
# seconds to come back (a CI run once met a field disabled for 30 s while its page waited on the server).
ACTION_TIMEOUT_MS = 60_000
# How long a wait for text or a condition the page will show goes on by default, for the same reason. A test that
# passes waits only until it sees what it waits for.
WAIT_SECONDS = ACTION_TIMEOUT_MS / 1000

# The tests' browsers ask for reduced motion, as a learner's system setting can: Streamlit and Plotly then leave out
# the animations they mark for it (dialogs sliding in, tab indicators, smooth scrolling), and a page open costs the
# browser less CPU, which the server and trainings under test get instead (benchmarks/bench_browser_open.py measures
# an open both ways).
CONTEXT_OPTIONS = {"viewport": {"width": 1400, "height": 1000}, "reduced_motion": "reduce"}


def new_context(browser, **options):
    """A browser context (a visitor's browser) with the tests' options, `options` overriding them."""
    return browser.new_context(**{**CONTEXT_OPTIONS, **options})


@contextlib.contextmanager
def visitor(browser, app_url: str):
    """A tab in a browser context of its own (a visitor with their own workspace), closed afterwards."""
    context = new_context(browser)
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.app_url = app_url
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def app_page(browser, streamlit_server):
    """A fresh tab on the app; fails the test if any Streamlit exception is shown."""
    if not streamlit_server.warmed:
        warm_up(browser, streamlit_server)
        streamlit_server.warmed = True
    with visitor(browser, streamlit_server.url) as page:
        yield page
        assert page.locator(EXCEPTION_SELECTOR).count() == 0, page.locator(EXCEPTION_SELECTOR).first.inner_text()


def open_page(page, url_path: str = "") -> None:
    """Go to a page of the app and wait until Streamlit has finished running it."""
    if not getattr(page, "_cnn_lab_counts_runs", False):  # from the document's start: see COUNT_RUNS
        page.add_init_script(COUNT_RUNS_FROM_THE_START)
        page._cnn_lab_counts_runs = True
    page.goto(f"{page.app_url}/{url_path}")
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=90_000)
    wait_idle(page)


APP = '[data-testid="stApp"]'
# Counts the script runs that have ended in this tab: the app's root carries data-test-script-state, "running"
# while a run (or a fragment's) goes on. A MutationObserver with old values misses no change, however quickly a
# run starts and ends. Each document gets an id of its own, so a wait knows a page that has loaded anew (its count
# starts again at 0). Returns whether the counter was there already.
COUNTER = """
    if (window.__cnnLabRunsEnded !== undefined) return true;
    window.__cnnLabRunsEnded = 0;
    window.__cnnLabDocument = String(Math.random());
    new MutationObserver((records) => {
        for (const record of records) {
            if (record.oldValue === "running") window.__cnnLabRunsEnded += 1;
        }
    }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                          attributeFilter: ["data-test-script-state"]});
    return false;
"""
COUNT_RUNS = "() => {" + COUNTER + "}"
# The same counter installed before any of the page's own scripts (Playwright's init script, in the top frame only,
# not in the canvas's iframe): a page just loaded has counted every run from its first, so a wait on it needs no
# grace for a run that may have ended before the counter was there.
COUNT_RUNS_FROM_THE_START = "(() => { if (window.top !== window) return;" + COUNTER + "})();"
RUN_BEGUN_OR_ENDED = ("(seen) => window.__cnnLabRunsEnded > seen || "
                      f"document.querySelector('{APP}')?.getAttribute('data-test-script-state') === 'running'")
# How long an action is given to start a run: past that, it started none (a click on what is already chosen).
RUN_START_GRACE_MS = 1_500
# After a run, the browser's next two frames: what the run sent is painted.
NEXT_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


# How often a wait re-reads its JavaScript condition. Playwright's default polls on every animation frame, which
# makes the tab draw a frame 60 times a second for as long as the wait lasts, at a CPU cost to the server and the
# trainings under test (benchmarks/bench_browser_open.py measures it; README, "Run the tests").
POLL_MS = 50


def wait_until(page, condition: str, arg=None, timeout: float = ACTION_TIMEOUT_MS) -> None:
    """Wait until the JavaScript function `condition` (given `arg`) returns something truthy, read every POLL_MS."""
    page.wait_for_function(condition, arg=arg, timeout=timeout, polling=POLL_MS)


def wait_idle(page, timeout: float = 90_000) -> None:
    """Wait until the app's script run (started by the last action) has finished.

    Streamlit's own signal: its root element's data-test-script-state, watched by a counter of ended runs in the
    page (COUNT_RUNS). A run that began after the last wait has ended once the counter passed what that wait saw,
    however short it was; an action that starts no run costs RUN_START_GRACE_MS. A page opened by open_page
    counts from its document's start, so its first run is simply waited for; a page loaded otherwise gets its
    counter late, and the run may start a moment after this call or have ended already: it is given the same
    grace. A page that reloads itself meanwhile (a tab joining another's workspace) is waited on again once it
    has loaded.
    """
    for _attempt in range(3):
        try:
            return _wait_idle_once(page, timeout)
        except PlaywrightTimeout:
            raise
        except PlaywrightError as error:
            if "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
            page.wait_for_load_state()
            page.wait_for_selector(APP, timeout=timeout)
    _wait_idle_once(page, timeout)


def _wait_idle_once(page, timeout: float) -> None:
    had_counter = page.evaluate(COUNT_RUNS)
    document = page.evaluate("() => window.__cnnLabDocument")
    if had_counter and document != getattr(page, "_cnn_lab_document", None):
        # A document loaded with the counter from its start (open_page): a load always runs the script, so its
        # first run is waited for, however long it takes to start, and no grace is spent.
        wait_until(page, "() => window.__cnnLabRunsEnded > 0", timeout=timeout)
    else:
        seen = getattr(page, "_cnn_lab_runs_seen", 0) if had_counter else 0
        with contextlib.suppress(PlaywrightTimeout):
            wait_until(page, RUN_BEGUN_OR_ENDED, arg=seen, timeout=RUN_START_GRACE_MS)
    page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]', timeout=timeout)
    page._cnn_lab_document = document
    page._cnn_lab_runs_seen = page.evaluate("() => window.__cnnLabRunsEnded")
    page.evaluate(NEXT_FRAMES)


def wait_settled(page, quiet_ms: float = 800, timeout: float = 90_000) -> None:
    """Wait until the app's runs have ended and no new one begins for `quiet_ms`.

    For actions that send more than one update, each starting a run of its own: the drawing canvas sends each
    stroke some 200 ms after it ends, so the run of a digit's first stroke can end before its last stroke's
    begins, and a test reading then reads half a digit (an 8's first loop, read as 0).
    """
    wait_idle(page, timeout)
    while True:
        try:
            wait_until(page, RUN_BEGUN_OR_ENDED, arg=page._cnn_lab_runs_seen, timeout=quiet_ms)
        except PlaywrightTimeout:
            return
        wait_idle(page, timeout)


# What a reader reads, in either language (tests/test_browser_language.py, tests/test_browser_layout.py).
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
MAIN = '[data-testid="stMain"]'
# Not prose: icons (their names are ligatures: "explore"), code, formulas, Streamlit's own uploader texts (not
# translatable) and tables drawn on a canvas.
ICONS = '[data-testid="stIconMaterial"], [data-testid="stAlertDynamicIcon"]'
NOT_PROSE = [ICONS, '[data-testid="stCode"]', "pre", ".katex", '[data-testid="stFileUploader"]',
             '[data-testid="stDataFrame"]', '[data-testid="stTable"]']
MOSTLY = 0.5  # "most of the main area's text" in Korean; tests/test_pages_languages.py holds each page's prose to 90 %


def visible_text(page, leave_out: tuple[str, ...] = ()) -> str:
    """The main area's text as the reader sees it, without the `leave_out` elements (hidden while it is read)."""
    return page.evaluate("""([main, leaveOut]) => {
        const area = document.querySelector(main);
        const hidden = leaveOut.length ? [...area.querySelectorAll(leaveOut.join(","))] : [];
        const displays = hidden.map((element) => element.style.display);
        hidden.forEach((element) => { element.style.display = "none"; });
        const text = area.innerText;
        hidden.forEach((element, index) => { element.style.display = displays[index]; });
        return text;
    }""", [MAIN, list(leave_out)])


def prose_lines(text: str) -> list[str]:
    """Lines with at least three letters: numbers, symbols and single marks left out."""
    return [line.strip() for line in text.splitlines() if len(re.findall(r"[A-Za-z\uac00-\ud7a3]", line)) >= 3]


def widget(page, test_id: str, label: str | re.Pattern):
    """The Streamlit widget of kind `test_id` (e.g. "stSlider") whose text contains `label` (a string: in any case;
    a pattern: as it says)."""
    return page.locator(f'[data-testid="{test_id}"]').filter(has_text=label).first


# Quiet time after a slider's keys before its last value is taken as sent: Streamlit's slider sends a value a moment
# after the changes stop, not at each one.
SLIDER_QUIET_MS = 400


def nudge_slider(page, label: str, presses: int) -> None:
    """Move a slider by keyboard, `presses` steps right (negative: left), and wait for the rerun."""
    thumb = widget(page, "stSlider", label).get_by_role("slider")
    thumb.focus()
    for _ in range(abs(presses)):
        thumb.press("ArrowRight" if presses > 0 else "ArrowLeft")
    # On a busy machine the presses can come further apart than the slider waits before it sends, each sending a
    # value and starting a run of its own: wait for the last, not the first (which read 4 kernels of 5).
    wait_settled(page, quiet_ms=SLIDER_QUIET_MS)


def eventually(page, read, done, timeout: float = WAIT_SECONDS):
    """Read with `read()` until `done(value)` holds or `timeout` seconds pass; return the last value read, for the
    test to assert on. For what the browser paints after the run has ended: a data grid repaints its cells a moment
    after the text around it."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(250)


def pick_option(page, label: str, option: str, attempts: int = 3) -> None:
    """Open the select box `label` and click `option`. A box that moves as it is clicked (an expander still
    opening above it, a fragment's rerun) can take the click without opening: it is opened again."""
    for attempt in range(attempts):
        widget(page, "stSelectbox", label).click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
    wait_idle(page)


def choose_radio(page, label: str, option: str) -> None:
    widget(page, "stRadio", label).get_by_text(option, exact=True).click()
    wait_idle(page)


def wait_enabled(page, locator, timeout: float = 90_000) -> None:
    """Wait until `locator` is enabled; on a timeout, say whether the page had lost its server (Streamlit disables
    every widget while its websocket is not connected)."""
    try:
        expect(locator).to_be_enabled(timeout=timeout)
    except AssertionError as error:
        connection = page.locator(APP).get_attribute("data-test-connection-state")
        raise AssertionError(f"{locator} stayed disabled for {timeout / 1000:g} s; the page's connection to the "
                             f"server: {connection}") from error


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def find_in_main(page, pattern: str, timeout: float = WAIT_SECONDS) -> re.Match:
    """Poll the main area's text until `pattern` matches; fail with the text if it never does."""
    deadline = time.monotonic() + timeout
    while True:
        text = main_text(page)
        match = re.search(pattern, text)
        if match or time.monotonic() > deadline:
            assert match, f"{pattern!r} not found in page text:\n{text[-3000:]}"
            return match
        page.wait_for_timeout(250)


def set_number(page, label: str, value) -> None:
    """Type a value into a number input and commit it. The label is matched with its case ("Epochs" is not
    "Patience (epochs)"); the field is waited for as long as a run is (a page on a busy machine may still be
    reconnecting to the server, and Streamlit disables every widget until it has)."""
    field = widget(page, "stNumberInput", re.compile(re.escape(label))).locator("input")
    wait_enabled(page, field)
    field.fill(str(value))
    field.press("Enter")
    wait_idle(page)


def go_to_page(page, title: str) -> None:
    """Follow the sidebar navigation link with this title, as a user would."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{title}")', timeout=60_000)
    wait_idle(page)


def published_runs(server) -> list[Path]:
    """Every run folder the server has published, in any workspace."""
    root = server.runs_dir / "workspaces"
    if not root.is_dir():
        return []
    return [run for workspace in root.iterdir() if workspace.is_dir() for run in workspace.iterdir()
            if run.is_dir() and not run.name.startswith(".")]


def workspace_cookie(page, timeout: float = WAIT_SECONDS) -> str:
    """The workspace token this tab's browser keeps in its cookie (set by the sidebar's script once it ran)."""
    from ui.workspace import COOKIE

    deadline = time.monotonic() + timeout
    while True:
        found = [cookie["value"] for cookie in page.context.cookies() if cookie["name"] == COOKIE]
        if found or time.monotonic() > deadline:
            assert found, f"no {COOKIE} cookie in this browser"
            return found[0]
        page.wait_for_timeout(250)


def use_workspace(page, token: str) -> None:
    """Give this tab's browser the workspace `token`, as its cookie would after a visit or a private link."""
    from ui.workspace import COOKIE

    page.context.add_cookies([{"name": COOKIE, "value": token, "url": page.app_url}])
