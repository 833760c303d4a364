"""Uploaded images decoded in a child process, never in the server's: one visitor's upload cannot hold its CPU.

Decoding costs by the pixel, and a small file can declare many (lib.engine.image_sets checks every header
and caps a set's pixels before decoding any). What is left still takes a few seconds of CPU at worst, so the
page hands the bytes to `python -m lib.engine.image_set_worker`: at a lower scheduling priority than the
server (another visitor's slider goes first), one at a time (`WORKERS`), stopped after `READ_SECONDS` of CPU
(a busy server may take longer on the clock: the lowest priority waits its turn) or `WAIT_SECONDS` in all.
Bytes go in (with the preparation chosen, "ink" or "as_is") and (n, 28, 28) images come out as .npz on the
child's stdin and stdout, read without pickle; messages are written in the visitor's language, which the child
is told. numpy and Pillow only.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import resource
import signal
import subprocess
import sys
import threading
import time

import numpy as np

from lib import REPO_ROOT
from lib.engine.config import PREPARATIONS
from lib.engine.image_prep import BlankImageError, ImageSetError, decoded_pixels, read_image_bytes
from lib.engine.image_sets import MAX_SET_PIXELS, image_set_from_zip_bytes
from lib.engine.labelled_images import ImageSet
from lib.i18n import _, language, language_override

READ_SECONDS = 30  # of CPU: the heaviest set the pixel cap lets through takes a few
WAIT_SECONDS = 300.0  # on the clock, waiting for a slot and reading
WORKER_NICENESS = 19  # the lowest: the server's own requests (other visitors' sliders) go first
WORKERS = 1  # reads at once, server-wide: a small server keeps its other core for the visitors' pages
_slots = threading.BoundedSemaphore(WORKERS)


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _texts(values) -> np.ndarray:
    return np.array(list(values), dtype=str) if len(values) else np.zeros(0, dtype="<U1")


def _in_worker(mode: str, payload: bytes, seconds: float, wait: float = WAIT_SECONDS) -> dict[str, np.ndarray]:
    """Run the child on `payload`; its arrays, or ImageSetError (its own message, a time-out, a crash)."""
    started = time.monotonic()
    if not _slots.acquire(timeout=wait):
        raise ImageSetError(_("The server is busy reading other uploads: try again in a minute."))
    too_long = ImageSetError(_("Reading the images took longer than {seconds:g} s and was stopped: use fewer or "
                               "smaller images.").format(seconds=seconds))
    try:
        command = [sys.executable, "-m", "lib.engine.image_set_worker", mode, language(), str(WORKER_NICENESS),
                   str(seconds)]
        try:
            done = subprocess.run(command, input=payload, capture_output=True, cwd=REPO_ROOT,
                                  timeout=max(0.001, wait - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            raise too_long from None
    finally:
        _slots.release()
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):  # its CPU limit: the soft one, then the hard one
        raise too_long
    try:
        result = dict(np.load(io.BytesIO(done.stdout), allow_pickle=False))
    except (OSError, ValueError, EOFError):
        raise ImageSetError(_("The images could not be read: the reading process ended with status {status}.")
                            .format(status=done.returncode)) from None
    if str(result["error"]):
        raise ImageSetError(str(result["error"]))
    return result


def _checked(preparation: str) -> str:
    if preparation not in PREPARATIONS:
        raise ValueError(f"preparation: must be one of {', '.join(PREPARATIONS)}; got {preparation!r}")
    return preparation


def read_zip_in_worker(data: bytes, name: str | None = None, seconds: float = READ_SECONDS,
                       wait: float = WAIT_SECONDS, preparation: str = "ink") -> ImageSet:
    """`image_set_from_zip_bytes(data, name, preparation)`, computed in a child process."""
    payload = _npz(data=np.frombuffer(data, dtype=np.uint8), name=np.array(name or ""),
                   preparation=np.array(_checked(preparation)))
    result = _in_worker("zip", payload, seconds, wait)
    return ImageSet(result["images"], result["labels"], tuple(result["class_names"].tolist()),
                    tuple(result["notes"].tolist()))


def read_images_in_worker(files: list[tuple[str, bytes]], seconds: float = READ_SECONDS, preparation: str = "ink"
                          ) -> tuple[list[np.ndarray], list[str], list[str]]:
    """Each (name, bytes) as a 28 x 28 image prepared by `preparation` ("ink" or "as_is"), in a child process:
    the images; one line for each file that could not be read; the names of those that are blank."""
    arrays = {f"file_{index}": np.frombuffer(data, dtype=np.uint8) for index, (_name, data) in enumerate(files)}
    payload = _npz(names=_texts([name for name, _data in files]), preparation=np.array(_checked(preparation)),
                   **arrays)
    result = _in_worker("images", payload, seconds)
    return list(result["images"]), result["problems"].tolist(), result["blank"].tolist()


def _read_zip(inputs) -> dict:
    image_set = image_set_from_zip_bytes(inputs["data"].tobytes(), str(inputs["name"]) or None,
                                         str(inputs["preparation"]))
    return dict(images=image_set.images, labels=image_set.labels, class_names=_texts(image_set.class_names),
                notes=_texts(image_set.notes))


def _read_images(inputs) -> dict:
    files = [(name, inputs[f"file_{index}"].tobytes()) for index, name in enumerate(inputs["names"].tolist())]
    preparation = str(inputs["preparation"])
    pixels = 0
    for name, data in files:  # headers first, as for a set: the cost is refused before it is paid
        with contextlib.suppress(ImageSetError):  # what cannot be read is named below
            pixels += decoded_pixels(data, name)
    if pixels > MAX_SET_PIXELS:
        raise ImageSetError(_("These images hold {pixels:,} pixels in all; the limit is {limit:,}: use fewer or "
                              "smaller images.").format(pixels=pixels, limit=MAX_SET_PIXELS))
    images, problems, blank = [], [], []
    for name, data in files:
        try:
            images.append(read_image_bytes(data, name, preparation))
        except BlankImageError:
            blank.append(name)
        except ImageSetError as error:
            problems.append(f"{name}: {error}")
    return dict(images=np.array(images, dtype=np.uint8).reshape(-1, 28, 28), problems=_texts(problems),
                blank=_texts(blank))


def main() -> int:
    mode, code, niceness, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    os.nice(niceness)
    # CPU seconds, not the clock's: on a busy server the lowest priority waits, which costs nobody anything.
    limit = max(1, math.ceil(seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 1))
    inputs = np.load(io.BytesIO(sys.stdin.buffer.read()), allow_pickle=False)
    with language_override(code):
        try:
            result = {"zip": _read_zip, "images": _read_images}[mode](inputs) | {"error": np.array("")}
        except ImageSetError as error:
            result = {"error": np.array(str(error))}
    sys.stdout.buffer.write(_npz(**result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
