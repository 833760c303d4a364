"""A hostile upload on a real server: the server's CPU it costs, and another visitor's slider meanwhile.

Builds the worst zips within every limit on files and bytes (issue 29):
- "bombs": MAX_IMAGES blank 1-bit PNGs of 6320 x 6320 (40 M pixels each, just under the per-image limit), a
  megabyte zipped; before the header check they took minutes of the server's CPU to decode;
- "heaviest read": RGB PNGs of 6320 x 6320 with a bar of ink, as many as the set's pixel cap lets through,
  so every one is decoded and prepared: the most decoding a zip can still ask for.
Starts `streamlit run` (pinned to one core with `--one-core`, as bench_server.py does; the decoding worker inherits
the core, and gives way to the server at the lowest priority), then in Chromium one visitor moves the Convolution
page's stride slider: idle, then while another visitor opens "Your own classes", uploads each zip and clicks "Load
the zip", `--rounds` times (more until the slider has moved `--moves-during` times during them). The uploader
speaks Streamlit's websocket protocol (streamlit_client.py), as a hostile script would: its own browser would
otherwise share the watcher's core and be counted in the watcher's latency. Prints, for each zip, the message the
uploader saw, the server process's own CPU seconds for one load with nobody else on the server (target at most 2 s)
and its children's (the worker), and the slider's median latency during the loads against idle (target within 10
%).

Needs Debian's Chromium and Playwright (requirements-dev.txt).
The idle baseline is taken once the server is quiet (its warm-up over).
Run: .venv/bin/python benchmarks/bench_hostile_upload.py --one-core [--rounds 3] [--moves 30] [--moves-during 15]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
from bench_server import CHROMIUM_ARGS, cpu_seconds, move_slider, open_page, start_server, summary
from PIL import Image
from streamlit_client import Visitor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from lib.engine.image_sets import MAX_BYTES, MAX_SET_PIXELS
from lib.engine.labelled_images import MAX_IMAGES

SIDE = 6320  # 39.9 M pixels: the largest square under the per-image limit (lib.explore.images.MAX_PIXELS)


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    data = buffer.getvalue()
    assert len(data) <= MAX_BYTES and sum(map(len, files.values())) <= MAX_BYTES and len(files) <= MAX_IMAGES
    return data


def bombs_zip() -> bytes:
    blank = png(Image.new("1", (SIDE, SIDE)))
    return zipped({f"{'ab'[index % 2]}/{index:04d}.png": blank for index in range(MAX_IMAGES)})


def heaviest_read_zip() -> bytes:
    pixels = np.zeros((SIDE, SIDE, 3), np.uint8)
    pixels[SIDE // 4: 3 * SIDE // 4, SIDE // 2 - 200: SIDE // 2 + 200] = 255
    inked = png(Image.fromarray(pixels))
    count = MAX_SET_PIXELS // SIDE**2  # the most that pass the set's pixel cap
    return zipped({f"{'ab'[index % 2]}/{index:04d}.png": inked for index in range(count)})


async def server_quiet(pid: int, share: float = 0.05, window: float = 2.0, longest: float = 180.0) -> None:
    """Wait until the server uses under `share` of a core over `window` seconds (at most `longest`)."""
    deadline = time.monotonic() + longest
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        await asyncio.sleep(window)
        if cpu_seconds(pid) - before < share * window:
            return


ZIP_UPLOADER = "A zip of class folders: one folder per class, the images inside"


async def load_zip(uploader, path: Path) -> str:
    """Upload `path` on the own-classes page and click "Load the zip"; the message the page then shows."""
    await uploader.open("own_classes")
    await uploader.upload(ZIP_UPLOADER, path.name, path.read_bytes())
    await uploader.click("Load the zip")
    messages = [text for text in uploader.alerts if "zip" in text]
    return (messages[-1] if messages else "(no message)").replace("\n", " ")


async def run(arguments) -> None:
    from playwright.async_api import async_playwright

    folder = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    zips = {"bombs": folder / "bombs.zip", "heaviest read": folder / "heaviest.zip"}
    zips["bombs"].write_bytes(bombs_zip())
    zips["heaviest read"].write_bytes(heaviest_read_zip())
    for label, path in zips.items():
        print(f"{label}: {path.stat().st_size / 2**20:.2f} MB zipped")
    server, url = start_server(arguments.one_core, folder / "runs")
    if arguments.one_core and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, os.sched_getaffinity(0) - {0})  # the browser stands for the visitor's machine
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            watcher_context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            await open_page(watcher_context, url, "")
            watcher = await open_page(watcher_context, url, "convolution")
            await server_quiet(server.pid)  # the warm-up (TensorFlow's import, in the server) is over: idle is idle
            idle: list[float] = []
            await move_slider(watcher, "conv_stride", arguments.moves, idle)
            uploader = await Visitor.connect(url)
            for label, path in zips.items():
                # The server's CPU for one load alone (nobody else on the server): the page, the upload, the click.
                cpu, children = cpu_seconds(server.pid), cpu_seconds(server.pid, children=True)
                message = await load_zip(uploader, path)
                server_cpu, worker_cpu = cpu_seconds(server.pid) - cpu, cpu_seconds(server.pid, children=True) - children
                during: list[float] = []
                seconds = []
                rounds = 0
                while rounds < arguments.rounds or len(during) < arguments.moves_during:
                    rounds += 1
                    start = time.monotonic()
                    load = asyncio.create_task(load_zip(uploader, path))
                    while not load.done():
                        await move_slider(watcher, "conv_stride", 1, during)
                    await load
                    seconds.append(time.monotonic() - start)
                change = statistics.median(during) / statistics.median(idle) - 1 if during else float("nan")
                print(f"{label}: the uploader read {message!r}")
                print(f"  open, upload and load {statistics.median(seconds):.2f} s (median of {len(seconds)}); "
                      f"server process CPU {server_cpu:.2f} s (target at most 2 s); worker CPU {worker_cpu:.2f} s")
                print(f"  slider idle: {summary(idle)}")
                print(f"  slider during the loads: {summary(during)}; median {change:+.1%} (target within 10 %)")
            await uploader.close()
            await browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one-core", action="store_true", help="pin the server to core 0")
    parser.add_argument("--rounds", type=int, default=3, help="loads of each zip")
    parser.add_argument("--moves", type=int, default=30, help="idle slider moves")
    parser.add_argument("--moves-during", type=int, default=15,
                        help="slider moves during each zip's loads at least (more rounds if needed)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
