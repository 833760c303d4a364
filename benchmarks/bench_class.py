"""A class on one server: N students at once, without browsers, against the real server (scripts/serve.py).

Each student is a `streamlit_client.Visitor` (Streamlit's own websocket protocol, what a browser sends and
receives, less the drawing). Every student opens Home, then Convolution, Pooling and Conv layer, moving each
page's slider `--moves` times with `--think` seconds between moves; then opens Train LeNet-5, names the run
after themselves and presses Train (the Quick look preset, the page's default); then, while the queue trains,
keeps moving the explorers' sliders until their run is finished, and hands it in on the Class board page: a
teacher creates the class first, and each student joins it by its link with a display name before exploring.

Reports, for each page, the reruns' latency p50/p95 before any training and while training runs (the time from
the message that asks for a run to the server's `script_finished`, as a browser sees it less its drawing); each
student's wait from pressing Train to their run on the board; the server's and the training processes' memory
(RSS, sampled every half second); and every error (an exception on a page, a refused job, a dropped connection).
The targets (issue 32): slider reruns p95 <= 1.0 s while training runs, every run on the board within 12 minutes
of the first submission, no error, server RSS <= 1.5 GB and server + trainers <= 2.7 GB at all times.

`--calibrate` moves the Convolution stride slider with one protocol student and one Chromium browser in turns,
through the same values, and prints the protocol's time, the browser's whole wait (bench_server.py's measure: key
press to the page's end of run, drawing included) and the server's part of the browser's wait, stamped on the wire
by a proxy between the browser and the server (WireClock).

Run: .venv/bin/python benchmarks/bench_class.py --students 30 [--think 3] [--moves 5] [--one-core]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench_server import explorer_sliders, rss_mb, start_server
from streamlit_client import Visitor, percentile
from wire_clock import WireClock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lib.runs.classes import class_codes, load_class

# The TensorFlow-free explorer pages, by address, and the key of the slider students move there (their declarations
# in lib/server/pages.py); the values are the slider's own range.
EXPLORERS = dict(explorer_sliders())
MAX_STRIDE = 4
RUN_NAME = "Run name (optional)"
TRAIN = "Train"
CLASS_TITLE, CREATE = "Class title", "Create the class"
DISPLAY_NAME, JOIN, HAND_IN = "Your display name in this class", "Join", "Hand in"
TARGET_SLIDER_P95 = 1.0
TARGET_BOARD_SECONDS = 12 * 60
TARGET_SERVER_MB = 1536
TARGET_TOTAL_MB = 2765


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (the training processes and their own children)."""
    children: dict[int, list[int]] = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(stat.parent.name))
    result, stack = [], list(children[pid])
    while stack:
        child = stack.pop()
        result.append(child)
        stack.extend(children[child])
    return result


class Class:
    """What the students share: the clock, the measurements, the runs folder."""

    def __init__(self, arguments, url: str, runs: Path, server: subprocess.Popen):
        self.arguments, self.url, self.runs, self.server = arguments, url, runs, server
        self.latency: dict[tuple[str, bool], list[float]] = defaultdict(list)  # (page, training?) -> seconds
        self.live: list[float] = []
        self.errors: list[str] = []
        self.submitted: dict[str, float] = {}
        self.finished: dict[str, float] = {}
        self.on_board: dict[str, float] = {}
        self.memory: list[tuple[float, float, float]] = []  # (seconds since start, server MB, trainers MB)
        self.started = time.monotonic()
        self.first_submission: float | None = None
        self.code = ""

    def training(self) -> bool:
        return bool(self.submitted) and len(self.finished) < len(self.submitted)

    def on_the_board(self, name: str) -> bool:
        found = load_class(self.code, self.runs)
        return any(entry.get("name") == name for entry in found.entries)

    def run_finished(self, name: str) -> bool:
        """Whether a run named `name` has been published in some workspace (runs are published whole)."""
        for config in self.runs.glob("workspaces/*/*/config.json"):
            try:
                if json.loads(config.read_text()).get("name") == name and (config.parent / "metrics.json").exists():
                    return True
            except (OSError, ValueError):
                continue
        return False

    async def sample_memory(self) -> None:
        while True:
            trainers = sum(rss_mb(pid) for pid in descendants(self.server.pid))
            self.memory.append((time.monotonic() - self.started, rss_mb(self.server.pid), trainers))
            await asyncio.sleep(0.5)


async def move(school: Class, student: Visitor, page: str, moves: int) -> None:
    await student.open(page)
    slider = student.widget_by_key(EXPLORERS[page])
    # The slider's own range, up to 4: larger strides (Pooling's go to 10) would make the pictures, and the work,
    # smaller than a class moving the slider around its start does.
    label, values = slider.label, range(int(slider.proto.min), int(min(slider.proto.max, MAX_STRIDE)) + 1)
    current = slider.proto.default[0]
    for _move in range(moves):
        await asyncio.sleep(school.arguments.think * random.uniform(0.5, 1.5))
        current = random.choice([value for value in values if value != current])
        training = school.training()
        school.latency[(page, training)].append(await student.set_slider(label, current))


async def student(school: Class, number: int) -> None:
    name = f"student-{number:02d}"
    visitor = await Visitor.connect(school.url)
    try:
        await asyncio.sleep(random.uniform(0, school.arguments.think))  # a class does not click in step
        school.latency[("home", school.training())].append(await visitor.open(""))
        await visitor.open("class_board", f"class={school.code}")
        await visitor.type_text(DISPLAY_NAME, name)
        await visitor.click(JOIN)
        for page in EXPLORERS:
            await move(school, visitor, page, school.arguments.moves)
        if school.arguments.no_train:
            return
        await visitor.open("train")
        await visitor.type_text(RUN_NAME, name)
        await visitor.click(TRAIN)
        school.submitted[name] = time.monotonic()
        school.first_submission = school.first_submission or school.submitted[name]
        refusals = [alert for alert in visitor.alerts if "queue" in alert.lower() and "full" in alert.lower()]
        if refusals:
            school.errors.append(f"{name}: {refusals[0]}")
            return
        pages = list(EXPLORERS)
        while not school.run_finished(name):
            await move(school, visitor, random.choice(pages), 1)
        school.finished[name] = time.monotonic()
        await visitor.open("class_board", f"class={school.code}")
        await visitor.click(HAND_IN)
        if school.on_the_board(name):
            school.on_board[name] = time.monotonic()
        else:
            school.errors.append(f"{name}: not on the board after Hand in ({' | '.join(visitor.alerts)})")
    except Exception as error:  # every failure is a finding, reported with the student
        school.errors.append(f"{name}: {type(error).__name__}: {error}")
    finally:
        school.live.extend(visitor.live)
        school.errors.extend(f"{name}: {error}" for error in visitor.errors)
        await visitor.close()


def report(school: Class) -> None:
    arguments = school.arguments
    print(f"{arguments.students} students, {arguments.think:g} s think time, {arguments.moves} moves per explorer"
          f"{', server on one core' if arguments.one_core else ''}")
    print("| page | reruns before training: n, p50 / p95 | while training: n, p50 / p95 |")
    print("| --- | --- | --- |")
    for page in ["home", *EXPLORERS]:
        cells = []
        for training in (False, True):
            values = school.latency[(page, training)]
            cells.append(f"{len(values)}, {percentile(values, 0.5):.2f} / {percentile(values, 0.95):.2f} s"
                         if values else "-")
        print(f"| {page} | {cells[0]} | {cells[1]} |")
    sliders = [value for (page, training), values in school.latency.items() if training and page != "home"
               for value in values]
    if sliders:
        verdict = "met" if percentile(sliders, 0.95) <= TARGET_SLIDER_P95 else "missed"
        print(f"slider reruns while training: p95 {percentile(sliders, 0.95):.2f} s (target {TARGET_SLIDER_P95} s: "
              f"{verdict})")
    if school.live:
        print(f"live progress reruns: n {len(school.live)}, p50 {percentile(school.live, 0.5):.2f} s, "
              f"p95 {percentile(school.live, 0.95):.2f} s")
    if school.submitted:
        waits = [school.on_board[name] - school.submitted[name] for name in school.on_board]
        last = max(school.on_board.values(), default=school.first_submission) - school.first_submission
        print(f"runs on the board: {len(school.on_board)} of {len(school.submitted)}; wait from Train p50 "
              f"{statistics.median(waits) if waits else float('nan'):.0f} s, longest {max(waits, default=0):.0f} s; "
              f"the last {last:.0f} s after the first submission (target {TARGET_BOARD_SECONDS} s)")
    server_peak = max((server for _t, server, _trainers in school.memory), default=0.0)
    total_peak = max((server + trainers for _t, server, trainers in school.memory), default=0.0)
    print(f"memory: server RSS peak {server_peak:.0f} MB (target {TARGET_SERVER_MB}), server + trainers peak "
          f"{total_peak:.0f} MB (target {TARGET_TOTAL_MB})")
    print(f"errors: {len(school.errors)}")
    for error in school.errors[:20]:
        print(f"  {error}")


async def run(arguments) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-class-"))
    server, url = start_server(arguments.one_core, folder / "runs", serve=True)
    if arguments.one_core and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, os.sched_getaffinity(0) - {0})
    school = Class(arguments, url, folder / "runs", server)
    sampler = asyncio.create_task(school.sample_memory())
    try:
        if arguments.calibrate:
            await calibrate(url, arguments)
            return
        teacher = await Visitor.connect(url)
        await teacher.open("class_board")
        await teacher.type_text(CLASS_TITLE, "Benchmark class")
        await teacher.click(CREATE)
        (school.code,) = class_codes(school.runs)
        await asyncio.gather(*(student(school, number) for number in range(arguments.students)))
        await teacher.close()
        report(school)
    finally:
        sampler.cancel()
        server.terminate()
        server.wait(timeout=30)


async def calibrate(url: str, arguments) -> None:
    """One protocol student and one Chromium, in turns, move Convolution's stride slider `--moves` times each
    through the same values. The browser reaches the server through a WireClock, which times its session's runs
    the way the protocol client times its own (request sent to script_finished received, on the wire); the rest of
    a browser's wait is its own work (the slider's pause before it sends, taking in and drawing what the run sent),
    done on each student's machine and so the same for one student as for thirty."""
    from bench_server import CHROMIUM_ARGS, RUN_ENDED, WATCH_RUNS, next_key, open_page
    from playwright.async_api import async_playwright

    visitor = await Visitor.connect(url)
    await visitor.open("")
    await visitor.open("convolution")
    protocol, whole, servers = [], [], []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        clock = WireClock(url)  # the browser reaches the server through it
        await open_page(context, clock.url, "")
        page = await context.new_page()
        await page.goto(f"{clock.url}/convolution")
        await page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
        await page.wait_for_function(RUN_ENDED.replace("window.cnnLabRuns.ended > 0 ||", "true ||"), timeout=60_000)
        thumb = page.locator('[data-testid="stSlider"]').filter(has_text="Stride s").first.get_by_role("slider")
        for index in range(arguments.moves):  # in turns, so that both meet the same machine
            await asyncio.sleep(0.5)
            # The values the browser's arrow keys give, from the slider's default of 1: 2, 1, 2, 1, ...
            protocol.append(await visitor.set_slider("Stride s", (2, 1)[index % 2]))
            await asyncio.sleep(0.5)
            await thumb.focus()
            await page.evaluate(WATCH_RUNS)
            before = len(clock.sent)
            pressed = time.perf_counter()
            await thumb.press(await next_key(thumb, index))
            await page.wait_for_function(RUN_ENDED, timeout=60_000)
            whole.append(time.perf_counter() - pressed)
            if (server := clock.server_part(before)) is not None:
                servers.append(server)
        await browser.close()
    await visitor.close()
    median = statistics.median
    server_part = median(servers) if servers else float("nan")
    ratio = median(protocol) / server_part
    print(f"one student, Convolution's stride slider, {arguments.moves} moves, medians:")
    print(f"  protocol client, message to script_finished: {median(protocol):.3f} s")
    print(f"  Chromium's session, its request to script_finished on the wire (the server's part): {server_part:.3f} s "
          f"({len(servers)} moves)")
    print(f"  Chromium, key press to the page painted: {median(whole):.3f} s (the rest is the browser's own: the "
          f"slider's pause before it sends, taking in and drawing what the run sent)")
    print(f"  protocol / the browser's server part: {ratio:.2f} (within 25 %: {'yes' if abs(ratio - 1) <= 0.25 else 'no'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--think", type=float, default=3.0, help="seconds between a student's moves (0.5x-1.5x)")
    parser.add_argument("--moves", type=int, default=5, help="slider moves on each explorer before training")
    parser.add_argument("--one-core", action="store_true", help="pin the server to core 0")
    parser.add_argument("--no-train", action="store_true", help="explorers only")
    parser.add_argument("--calibrate", action="store_true", help="one protocol student against one Chromium")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    random.seed(arguments.seed)
    asyncio.run(run(arguments))


if __name__ == "__main__":
    main()
