"""The app as a shared server sees it: slider latency and memory, idle, while a job trains, and after.

Starts `streamlit run` (pinned to one core with `--one-core`, as a small
Community Cloud app is), then in Chromium:
1. idle: one browser moves the Convolution page's stride slider, many times;
   and the Draw page is opened (once to load its model, then timed);
2. training: another browser starts the Book preset on the Training page, and
   `--sessions` browsers move sliders on the explorer pages at once; then the
   Draw page is opened and timed again;
3. after: the job is stopped, and the server's memory read again. With
   `--kill`, its training process is killed with SIGKILL halfway through step
   2 instead, the sliders keep moving, and the trainer's page must say why.
It prints the slider rerun latency (median and p95) idle and while training,
the server's resident memory before, during (highest) and after the job, and
whether any page showed an exception. Targets (issues 14 and 15): p95 while
training at most 1.0 s; memory after within 150 MB of before; below 2.5 GB
throughout.

Needs MNIST_PATH, Debian's Chromium and Playwright (requirements-dev.txt).
Run: .venv/bin/python benchmarks/bench_server.py --one-core [--sessions 8] [--moves 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lib.engine.resources import cpu_seconds
from lib.server.navigation import tagged
from lib.server.pages import EXPLORER, NEEDS_TENSORFLOW
from lib.server.process_runner import training_children

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
APP = '[data-testid="stApp"]'


def explorer_sliders() -> list[tuple[str, str]]:
    """The TensorFlow-free explorer pages (lib/server/pages.py), each by its address, with the key of the slider a
    session moves there (the page's declared `slider`)."""
    return [(Path(page.path).stem, page.slider) for page in tagged(EXPLORER)
            if page.slider and not page.has(NEEDS_TENSORFLOW)]


EXPLORERS = explorer_sliders()
OPENED = "draw"  # the page timed as it opens, idle and while training


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MB; 0 for one that has ended."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def start_server(one_core: bool, runs: Path, serve: bool = False,
                 env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """`streamlit run streamlit_app.py` (or, with `serve`, scripts/serve.py, what scripts/run.sh starts) on a free
    port, its runs in `runs`; the process and its address once it answers."""
    port = free_port()
    entry = ["scripts/serve.py"] if serve else ["-m", "streamlit", "run", "streamlit_app.py"]
    command = [sys.executable, *entry, "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    if one_core:
        command = ["taskset", "-c", "0", *command]
    env = {**os.environ, "CNN_LAB_RUNS_DIR": str(runs), **(env or {})}
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return server, url
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("the server did not start")


# Watches a page for the end of the script run an action causes. Seeing the "running" state is not enough: a
# fast rerun can be missed by polling, and a busy browser can apply a run's start and end in one render, so
# the page never shows "running" at all. A run counts as ended when the page is not running and either left
# the running state or changed its content (the moved slider's own change aside).
WATCH_RUNS = """() => {
    window.cnnLabRuns = {ended: 0, changed: 0};
    if (window.cnnLabWatcher) window.cnnLabWatcher.disconnect();
    window.cnnLabWatcher = new MutationObserver(records => {
        for (const record of records) {
            if (record.attributeName === "data-test-script-state") {
                if (record.oldValue === "running") window.cnnLabRuns.ended += 1;
            } else {
                const element = record.target.nodeType === 1 ? record.target : record.target.parentElement;
                if (element && !element.closest('[data-testid="stSlider"]')) window.cnnLabRuns.changed += 1;
            }
        }
    });
    window.cnnLabWatcher.observe(document.body, {attributes: true, attributeOldValue: true, childList: true,
                                                 characterData: true, subtree: true});
}"""
RUN_ENDED = """() => (window.cnnLabRuns.ended > 0 || window.cnnLabRuns.changed > 0) &&
    document.querySelector('[data-testid="stApp"]').getAttribute("data-test-script-state") === "notRunning" """


async def idle(page) -> None:
    """Wait until the page's script run has ended."""
    await page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]', timeout=60_000)


async def rerun(page, action, *arguments) -> None:
    """Await `action(*arguments)` and wait for the script run it causes to end."""
    await page.evaluate(WATCH_RUNS)
    await action(*arguments)
    await page.wait_for_function(RUN_ENDED, timeout=60_000)


async def open_page(context, url: str, path: str):
    page = await context.new_page()
    await page.goto(f"{url}/{path}")
    await page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
    await idle(page)
    return page


async def time_open(browser, url: str, path: str) -> float:
    """Seconds until a page opened in a new browser context has drawn and finished its script run."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    start = time.perf_counter()
    await open_page(context, url, path)
    seconds = time.perf_counter() - start
    await context.close()
    return seconds


async def next_key(thumb, index: int) -> str:
    """Right and left in turn, but never against an end of the slider (that would change nothing, and not rerun)."""
    value, low, high = await thumb.evaluate("input => [input.valueAsNumber, Number(input.min), Number(input.max)]")
    if value >= high:
        return "ArrowLeft"
    if value <= low:
        return "ArrowRight"
    return "ArrowRight" if index % 2 == 0 else "ArrowLeft"


async def move_slider(page, key: str, moves: int, latencies: list[float], stop_at: float | None = None) -> None:
    """Move the slider whose widget key is `key` (Streamlit gives its element the class st-key-KEY)."""
    thumb = page.locator(f".st-key-{key}").first.get_by_role("slider")
    for index in range(moves):
        if stop_at is not None and time.monotonic() > stop_at:
            return
        await thumb.focus()
        start = time.perf_counter()
        await rerun(page, thumb.press, await next_key(thumb, index))
        latencies.append(time.perf_counter() - start)


async def exceptions(pages) -> int:
    return sum([await page.locator('[data-testid="stException"]').count() for page in pages])


def summary(latencies: list[float]) -> str:
    if not latencies:
        return "no samples"
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):.2f} s, p95 {p95:.2f} s, worst {ordered[-1]:.2f} s ({len(ordered)} moves)"


async def run(arguments) -> None:
    from playwright.async_api import async_playwright

    runs = Path(tempfile.mkdtemp(prefix="bench-server-runs-"))
    server, url = start_server(arguments.one_core, runs)
    if arguments.one_core and len(os.sched_getaffinity(0)) > 1:
        # The browsers stand for visitors' own machines: keep them off the server's core.
        os.sched_setaffinity(0, os.sched_getaffinity(0) - {0})
    memory = {}
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            first = await browser.new_context(viewport={"width": 1400, "height": 1000})
            await open_page(first, url, "")  # leave Streamlit's old pages/ mode once per server
            await asyncio.sleep(1)
            memory["home"] = rss_mb(server.pid)  # nothing has loaded TensorFlow yet
            watched, watched_slider = EXPLORERS[0]
            watcher = await open_page(first, url, watched)
            idle_latencies: list[float] = []
            cpu_start, wall_start = cpu_seconds(server.pid), time.monotonic()
            await move_slider(watcher, watched_slider, arguments.moves, idle_latencies)
            idle_share = (cpu_seconds(server.pid) - cpu_start) / (time.monotonic() - wall_start)
            await time_open(browser, url, OPENED)  # its model, cached for the server from now on
            opening = {"idle": await time_open(browser, url, OPENED)}

            trainer_context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            trainer = await open_page(trainer_context, url, "train")
            preset = trainer.get_by_role("combobox", name="Preset")
            await preset.click()
            await preset.fill("Book")
            await rerun(trainer, preset.press, "Enter")
            await asyncio.sleep(2)
            memory["before"] = rss_mb(server.pid)  # the server as it is just before the job starts
            await trainer.get_by_role("button", name="Train", exact=True).click()
            await trainer.get_by_text("points so far").wait_for(timeout=180_000)  # batches are running

            sessions = []
            for index in range(arguments.sessions):
                context = await browser.new_context(viewport={"width": 1400, "height": 1000})
                path, slider = EXPLORERS[index % len(EXPLORERS)]
                sessions.append((await open_page(context, url, path), slider))
            training_latencies: list[float] = []
            peak = [rss_mb(server.pid)]

            async def sample_memory(until: float):
                while time.monotonic() < until:
                    peak.append(rss_mb(server.pid))
                    await asyncio.sleep(0.5)

            until = time.monotonic() + arguments.seconds
            cpu_start, wall_start = cpu_seconds(server.pid), time.monotonic()
            killed = []

            async def kill_training(after: float):
                """Halfway through the phase, SIGKILL the training process; the sliders keep moving."""
                await asyncio.sleep(after)
                for child in training_children(server.pid):
                    os.kill(child, signal.SIGKILL)
                    killed.append(child)

            extra = [kill_training(min(arguments.seconds / 2, 8))] if arguments.kill else []
            await asyncio.gather(*extra, sample_memory(until), *(move_slider(page, slider, arguments.moves, training_latencies,
                                                                     until) for page, slider in sessions))
            memory["during"] = max(peak)
            server_share = (cpu_seconds(server.pid) - cpu_start) / (time.monotonic() - wall_start)
            shown = await exceptions([watcher, *(page for page, _ in sessions)])
            opening["while training"] = await time_open(browser, url, OPENED)

            if arguments.kill:
                await trainer.get_by_text("the training process was killed").wait_for(timeout=30_000)
            else:
                with contextlib.suppress(Exception):  # the job may have finished on its own meanwhile
                    await trainer.get_by_role("button", name="Stop (keeps the run so far)").click(timeout=15_000)
            await trainer.get_by_text("Last run:").wait_for(timeout=180_000)
            await asyncio.sleep(3)
            memory["after"] = rss_mb(server.pid)
            await browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    cores = "one core (taskset -c 0)" if arguments.one_core else "all cores"
    print(f"server on {cores}; {arguments.sessions} browser session(s) moving sliders while the Book preset trains")
    print(f"slider rerun, idle:           {summary(idle_latencies)}")
    print(f"slider rerun, while training: {summary(training_latencies)}")
    print("opening the Draw page: " + ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in opening.items()))
    print(f"server memory (RSS): {memory['home']:.0f} MB with Home open (TensorFlow not loaded yet); "
          "the Convolution and Draw pages load it")
    print(f"server memory (RSS): before {memory['before']:.0f} MB, during at most {memory['during']:.0f} MB, "
          f"after {memory['after']:.0f} MB ({memory['after'] - memory['before']:+.0f} MB)")
    print(f"server process CPU: {idle_share:.0%} of a core idle, {server_share:.0%} while training "
          "(the training process is not counted)")
    print(f"exceptions shown on any page: {shown}")
    if arguments.kill:
        print(f"training process {killed} killed with SIGKILL midway: the job failed with its reason, and the "
              "sliders' latencies above include the moves after it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--one-core", action="store_true", help="pin the server (and its training) to core 0")
    parser.add_argument("--sessions", type=int, default=1, help="browsers moving sliders while the job trains")
    parser.add_argument("--moves", type=int, default=20, help="slider moves per browser and phase")
    parser.add_argument("--kill", action="store_true",
                        help="end the job by killing its training process (SIGKILL) instead of pressing Stop")
    parser.add_argument("--seconds", type=float, default=90, help="at most this long for the training phase")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
