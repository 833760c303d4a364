"""Drawn shapes that are not digits: the data set that checks "Your own classes" end to end.

`draw_shape` draws a circle, square, triangle or cross with Pillow at a random
size, place, stroke width and rotation, in either polarity, on a canvas of any
size (drawn four times larger, then shrunk, for anti-aliased strokes).
`write_shape_folder` writes a folder of class sub-folders in mixed formats,
as a held-out set or a training set is laid out for `load_image_set`.
"""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SHAPES = ("circle", "cross", "square", "triangle")  # sorted: the order class folders are read in
FORMATS = {"png": "PNG", "jpg": "JPEG", "bmp": "BMP"}
SUPERSAMPLE = 4


def _corners(count: int, cx: float, cy: float, radius: float, angle: float) -> list[tuple[float, float]]:
    return [(cx + radius * math.cos(angle + 2 * math.pi * k / count), cy + radius * math.sin(angle + 2 * math.pi * k / count))
            for k in range(count)]


def draw_shape(shape: str, rng: np.random.Generator, size: tuple[int, int] = (64, 64),
               dark_on_light: bool = False) -> np.ndarray:
    """One shape as a gray uint8 array (height, width), somewhere on the canvas, in the polarity asked for."""
    width, height = size
    big = (width * SUPERSAMPLE, height * SUPERSAMPLE)
    side = min(big)
    radius = side * rng.uniform(0.18, 0.42)
    cx = rng.uniform(radius + side * 0.05, big[0] - radius - side * 0.05)
    cy = rng.uniform(radius + side * 0.05, big[1] - radius - side * 0.05)
    stroke = max(SUPERSAMPLE, round(radius * rng.uniform(0.08, 0.22)))
    angle = rng.uniform(0, 2 * math.pi)
    background = int(rng.integers(200, 256)) if dark_on_light else int(rng.integers(0, 50))
    ink = int(rng.integers(0, 60)) if dark_on_light else int(rng.integers(190, 256))
    canvas = Image.new("L", big, background)
    draw = ImageDraw.Draw(canvas)
    if shape == "circle":
        squash = rng.uniform(0.85, 1.15)
        draw.ellipse([cx - radius * squash, cy - radius / squash, cx + radius * squash, cy + radius / squash],
                     outline=ink, width=stroke)
    elif shape in ("square", "triangle"):
        corners = _corners(4 if shape == "square" else 3, cx, cy, radius, angle)
        draw.line([*corners, corners[0], corners[1]], fill=ink, width=stroke, joint="curve")
    elif shape == "cross":
        for arm in (angle, angle + math.pi / 2):
            dx, dy = radius * math.cos(arm), radius * math.sin(arm)
            draw.line([(cx - dx, cy - dy), (cx + dx, cy + dy)], fill=ink, width=stroke)
    else:
        raise ValueError(f"unknown shape {shape!r}")
    return np.asarray(canvas.resize(size, Image.Resampling.LANCZOS))


def encoded(pixels: np.ndarray, extension: str, rgb: bool = False) -> bytes:
    image = Image.fromarray(pixels)
    if rgb:
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=FORMATS[extension], **({"quality": 90} if extension == "jpg" else {}))
    return buffer.getvalue()


def shape_files(per_class: int, seed: int, sizes=((64, 64),), polarities=(False, True), extensions=("png",),
                shapes=SHAPES) -> dict[str, bytes]:
    """{"circle/0001.png": bytes, ...}: `per_class` drawings of each shape, cycling through sizes, polarities
    and formats (RGB for every other file)."""
    rng = np.random.default_rng(seed)
    files = {}
    for shape in shapes:
        for index in range(per_class):
            size = sizes[index % len(sizes)]
            dark = polarities[(index // len(sizes)) % len(polarities)]
            extension = extensions[index % len(extensions)]
            pixels = draw_shape(shape, rng, size, dark_on_light=dark)
            files[f"{shape}/{index:04d}.{extension}"] = encoded(pixels, extension, rgb=index % 2 == 1)
    return files


def write_shape_folder(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = Path(root) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return Path(root)


def shape_zip(files: dict[str, bytes], top: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{top}/{name}" if top else name, data)
    return buffer.getvalue()


# The judging check's looks: training images in mixed sizes, polarities and formats, and a held-out folder
# of other sizes (tests/test_own_data_training.py and benchmarks/bench_own_classes.py).
TRAINING_LOOKS = dict(sizes=((96, 96), (40, 40), (64, 48)), polarities=(False, True), extensions=("png", "jpg", "bmp"))


def held_out_files(per_class: int, seed: int) -> dict[str, bytes]:
    """Dark on light at 64 x 64 and light on dark at 200 x 150, in PNG, JPEG and BMP."""
    dark = shape_files(per_class, seed, sizes=((64, 64),), polarities=(True,), extensions=("png", "jpg", "bmp"))
    light = shape_files(per_class, seed + 1, sizes=((200, 150),), polarities=(False,),
                        extensions=("bmp", "png", "jpg"))
    return ({name.replace("/", "/dark-"): data for name, data in dark.items()}
            | {name.replace("/", "/light-"): data for name, data in light.items()})
