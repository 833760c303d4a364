"""Images for the explorer pages: bundled photos, generated patterns and uploads.

The photos ship inside scikit-image's wheel (`skimage.data`), so nothing is
downloaded at run time. Uploads are checked before they are trusted: empty,
corrupt, non-image, oversized (decompression bombs included), 16-bit, RGBA,
palette and animated files each get a clear outcome, never a traceback.
All images come out as float arrays in 0-255, (H, W) for gray or (H, W, 3).
"""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from lib.i18n import N_, _

# The explorer works on images no larger than this on their longer side, so
# every slider move stays well under the 30 ms budget of lib.explore.ops.
MAX_SIDE = 512
# Anything decoding to more pixels than this is refused before it is decoded:
# a tiny file can otherwise expand to gigabytes (a "decompression bomb").
MAX_PIXELS = 40_000_000

# Each photo by its id (scikit-image's name for it, what code and widgets keep) and its label (what a picker shows,
# translated with `_`): rewording a label changes the catalog and nothing else.
SAMPLE_PHOTOS = {
    "camera": N_("Cameraman"),
    "astronaut": N_("Astronaut"),
    "coins": N_("Coins"),
    "chelsea": N_("Chelsea the cat"),
    "coffee": N_("Coffee"),
    "rocket": N_("Rocket"),
    "page": N_("Text page"),
    "moon": N_("Moon"),
}
# The photo each page's picker opens with, by the picker's prefix (its page's widget keys). The server's warm-up
# (ui/warmup.py) loads these, so a default changed here is warmed with it.
DEFAULT_PHOTOS = {"conv": "camera", "layer": "camera", "pool": "chelsea", "why": "coins"}

# Generated patterns, by id and label, as the photos.
PATTERNS = {"checkerboard": N_("Checkerboard"), "step_edge": N_("Step edge"), "disc": N_("Disc"), "text": N_("Text")}


class ImageInputError(ValueError):
    """An upload that cannot be used; the message says why."""


@dataclass
class LoadedImage:
    pixels: np.ndarray  # float64, 0-255, (H, W) or (H, W, 3)
    notes: list[str] = field(default_factory=list)  # what was done to the upload


def sample_photo(name: str) -> np.ndarray:
    """One of scikit-image's bundled photos, as float 0-255, at most MAX_SIDE."""
    from skimage import data  # imported lazily: it takes a moment

    if name not in SAMPLE_PHOTOS:
        raise ValueError(_("Unknown sample photo {name!r}; choose from {names}.").format(
            name=name, names=", ".join(SAMPLE_PHOTOS)))
    array = getattr(data, name)()
    return _fit(Image.fromarray(array))


def pattern(name: str, size: int = 128) -> np.ndarray:
    """A generated gray test pattern of `size` x `size`, float 0-255."""
    y, x = np.mgrid[0:size, 0:size]
    if name == "checkerboard":
        cell = max(size // 8, 1)
        return np.where((y // cell + x // cell) % 2 == 0, 255.0, 0.0)
    if name == "step_edge":
        return np.where(x >= size // 2, 255.0, 0.0)
    if name == "disc":
        return np.where((y - size / 2) ** 2 + (x - size / 2) ** 2 <= (size / 3) ** 2, 255.0, 0.0)
    if name == "text":
        canvas = Image.new("L", (size, size), 0)
        draw = ImageDraw.Draw(canvas)
        font = ImageFont.load_default(size=size // 4)
        draw.text((size // 10, size // 3), "CNN", fill=255, font=font)
        return np.asarray(canvas, dtype=np.float64)
    raise ValueError(_("Unknown pattern {name!r}; choose from {names}.").format(name=name, names=", ".join(PATTERNS)))


# Luma weights of ITU-R 601, as PIL's "L" mode uses them: the one place they are written.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])


def to_gray(pixels: np.ndarray) -> np.ndarray:
    """Luma (ITU-R 601, as PIL's "L" mode) of an RGB or RGBA image, its alpha ignored; gray passes through."""
    if pixels.ndim == 2:
        return pixels
    return pixels[..., :3] @ LUMA_WEIGHTS


def load_upload(data: bytes, name: str = "upload") -> LoadedImage:
    """Decode an uploaded file into an explorer image, or raise ImageInputError."""
    if not data:
        raise ImageInputError(_("{name} is empty.").format(name=name))
    notes: list[str] = []
    try:
        with warnings.catch_warnings():
            # PIL only warns between MAX_IMAGE_PIXELS and twice that; make it an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            previous_limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, MAX_PIXELS
            try:
                image = Image.open(io.BytesIO(data))
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ImageInputError(_("{name} is {width}x{height} pixels; the limit is {limit:,} pixels.").format(
                        name=name, width=width, height=height, limit=MAX_PIXELS))
                if getattr(image, "n_frames", 1) > 1:
                    notes.append(_("{name} is animated ({frames} frames): using the first frame.").format(
                        name=name, frames=image.n_frames))
                    image.seek(0)
                image.load()
            finally:
                Image.MAX_IMAGE_PIXELS = previous_limit
    except ImageInputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own message names its threshold (twice the limit), not ours: say ours.
        raise ImageInputError(_("{name} has more than {limit:,} pixels, the limit.").format(
            name=name, limit=MAX_PIXELS)) from error
    except UnidentifiedImageError as error:
        raise ImageInputError(_("{name} is not an image that can be read (PNG, JPEG, GIF, BMP, TIFF or WebP).").format(
            name=name)) from error
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageInputError(_("{name} is corrupt or truncated ({error}).").format(name=name, error=error)) from error
    image = ImageOps.exif_transpose(image)
    return LoadedImage(_normalise_mode(image, name, notes), notes)


def _normalise_mode(image: Image.Image, name: str, notes: list[str]) -> np.ndarray:
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        array = np.asarray(image, dtype=np.float64)
        low, high = float(array.min()), float(array.max())
        notes.append(_("{name} has {mode} pixels (range {low:g}-{high:g}): rescaled to 0-255.").format(
            name=name, mode=mode, low=low, high=high))
        scaled = (array - low) / (high - low) * 255 if high > low else np.zeros_like(array)
        image = Image.fromarray(scaled.astype(np.uint8))
    elif mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        notes.append(_("{name} uses a colour palette: expanded to full colour.").format(name=name))
        mode = image.mode
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image.convert("RGBA")).convert("RGB")
        notes.append(_("{name} has transparency: placed on white.").format(name=name))
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
        notes.append(_("{name} is in {mode} colour: converted to RGB.").format(name=name, mode=mode))
    if max(image.size) > MAX_SIDE:
        notes.append(_("{name} is {width}x{height}: shrunk to fit {side} px for live sliders.").format(
            name=name, width=image.size[0], height=image.size[1], side=MAX_SIDE))
    return _fit(image)


def _fit(image: Image.Image) -> np.ndarray:
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    if max(image.size) > MAX_SIDE:
        image = image.copy()
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.float64)


def to_display(values: np.ndarray, value_range: tuple[float, float] | None = None) -> np.ndarray:
    """Float values as uint8 gray: `value_range` (low, high) to 0-255, outside clipped; by default min to max."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values.astype(np.uint8)
    low, high = value_range if value_range is not None else (float(values.min()), float(values.max()))
    if high == low:
        return np.full(values.shape, 128 if low else 0, dtype=np.uint8)
    return np.round(np.clip((values - low) / (high - low), 0, 1) * 255).astype(np.uint8)


def preview(pixels: np.ndarray, width: int) -> np.ndarray:
    """An image as uint8 no wider than `width`, shrunk keeping its shape but never to less than 1 px a side.

    A browser (and Streamlit's own resize, which rounds a 600 x 1 strip at 280 px wide down to no rows at all)
    cannot show an image with a side of 0 px, so a strip far wider than tall keeps a row.
    """
    pixels = np.clip(np.asarray(pixels, dtype=np.float64), 0, 255).astype(np.uint8)
    height, old_width = pixels.shape[:2]
    if old_width <= width:
        return pixels
    size = (width, max(1, round(height * width / old_width)))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.LANCZOS))


def enlarge(values: np.ndarray, size: int = 84, value_range: tuple[float, float] | None = None) -> np.ndarray:
    """A small map as gray 0-255 (see `to_display`) blown up with square pixels, its longer side `size`."""
    return _blow_up(to_display(values, value_range), size)


def _blow_up(pixels: np.ndarray, size: int) -> np.ndarray:
    image = Image.fromarray(pixels)
    scale = size / max(image.size)
    shape = (max(1, round(image.size[0] * scale)), max(1, round(image.size[1] * scale)))
    return np.asarray(image.resize(shape, Image.Resampling.NEAREST))


# ColorBrewer's RdBu, the scale for values that can be negative: dark red at the most negative, white at
# zero, dark blue at the most positive. Plotly's colour bars and the images drawn here both read it from
# this one list, so a colour means the same number on both.
DIVERGING_COLOURS = ((103, 0, 31), (178, 24, 43), (214, 96, 77), (244, 165, 130), (253, 219, 199), (247, 247, 247),
                     (209, 229, 240), (146, 197, 222), (67, 147, 195), (33, 102, 172), (5, 48, 97))


def signed_reach(values: np.ndarray) -> float:
    """The largest absolute value (1 when all are zero): a diverging scale runs from -reach to +reach."""
    values = np.asarray(values, dtype=np.float64)
    reach = float(np.nanmax(np.abs(values))) if values.size and not np.isnan(values).all() else 0.0
    return reach or 1.0


def signed_colours(values: np.ndarray, reach: float | None = None) -> np.ndarray:
    """Values as RGB uint8 on the diverging scale: -reach dark red, 0 white, +reach dark blue, beyond clipped."""
    values = np.asarray(values, dtype=np.float64)
    reach = signed_reach(values) if reach is None else reach
    position = np.clip((values / reach + 1) / 2, 0, 1) * (len(DIVERGING_COLOURS) - 1)
    stops = np.array(DIVERGING_COLOURS, dtype=np.float64)
    below = np.floor(position).astype(int).clip(0, len(stops) - 2)
    fraction = (position - below)[..., np.newaxis]
    return np.round(stops[below] * (1 - fraction) + stops[below + 1] * fraction).astype(np.uint8)


def enlarge_signed(values: np.ndarray, size: int = 84, reach: float | None = None) -> np.ndarray:
    """A small signed map on the diverging scale (see `signed_colours`), blown up with square pixels."""
    return _blow_up(signed_colours(values, reach), size)


def png_data_uri(pixels: np.ndarray) -> str:
    """uint8 gray or RGB pixels as a PNG `data:` URI, for a chart to draw as one picture."""
    buffer = io.BytesIO()
    # The fastest compression: a 512 x 512 photo encodes 4x faster for a file 10 % larger, on every slider move.
    Image.fromarray(np.asarray(pixels, dtype=np.uint8)).save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def mark_cells(pixels: np.ndarray, mask: np.ndarray, colour=(228, 87, 46)) -> np.ndarray:
    """A 0-255 gray or RGB image as RGB uint8 with the cells under `mask` painted `colour` (the highlight's red)."""
    pixels = np.clip(np.round(np.asarray(pixels, dtype=np.float64)), 0, 255).astype(np.uint8)
    rgb = np.repeat(pixels[:, :, np.newaxis], 3, axis=2) if pixels.ndim == 2 else pixels[:, :, :3].copy()
    rgb[np.asarray(mask, dtype=bool)] = colour
    return rgb
