"""One image for "Your own classes": decoded whatever its format, its ink found whatever its polarity, in MNIST's form.

`prepare_image` takes any gray, RGB or RGBA array, light ink on dark or dark
ink on light, and by default ("ink") gives the (28, 28) uint8 white-on-black
image the Draw page makes of a photo (lib.explore.drawing): cropped to the ink,
its longer side scaled to 20 px, centred by mass. The paper's level is the most
common level of the image's frame (transparent pixels are background), so ink
that touches the edge of a tightly cut scan is not taken for paper; whatever
departs from it further than the paper's own grain is ink, in proportion, so a
clean image keeps every gray level and its faint strokes. "as_is" only resizes
to 28 x 28. `read_image_bytes` decodes a file with Pillow first.
lib.engine.image_sets builds data sets of them. numpy and Pillow only.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from lib.engine.config import PREPARATIONS
from lib.explore.drawing import EmptyDrawingError, preprocess_ink
from lib.explore.images import MAX_PIXELS, to_gray
from lib.i18n import _

SIDE = 28
# Larger images are shrunk to this longer side before their ink is found: 20 px is all that is kept of them.
WORKING_SIDE = 512


class ImageSetError(ValueError):
    """An image or image set that cannot be used; the message is one line naming the problem, for people."""


class BlankImageError(ImageSetError):
    """An image that decodes but holds nothing that stands out from its background: readable, yet no example."""


def _gray_and_alpha(pixels: np.ndarray) -> np.ndarray:
    """Gray 0-255 of any 2-D gray, RGB or RGBA array; transparent pixels become background."""
    pixels = np.asarray(pixels, dtype=np.float64)
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    if pixels.ndim == 3 and pixels.shape[2] == 2:  # gray and alpha
        pixels = np.concatenate([np.repeat(pixels[..., :1], 3, axis=2), pixels[..., 1:]], axis=2)
    if not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] in (3, 4))) or min(pixels.shape[:2]) < 1:
        raise ImageSetError(_("An image must be gray, RGB or RGBA; got an array of shape {shape}.")
                            .format(shape=pixels.shape))
    if not np.isfinite(pixels).all():
        raise ImageSetError(_("The image holds values that are not numbers."))
    gray = to_gray(pixels)
    if pixels.ndim == 3 and pixels.shape[2] == 4:
        alpha = np.clip(pixels[..., 3] / 255, 0, 1)
        if alpha.max() <= 0.05:
            raise BlankImageError(_("The image is fully transparent: there is nothing in it."))
        if alpha.min() < 0.95:
            # Ink drawn on a transparent sheet: lay it on whichever of black or white it stands out from.
            ink_tone = (gray * alpha).sum() / alpha.sum()
            backdrop = 0.0 if ink_tone >= 128 else 255.0
            gray = gray * alpha + backdrop * (1 - alpha)
    return gray


def _frame(gray: np.ndarray) -> np.ndarray:
    """The pixels of the image's outer frame, a few percent of its side wide: where the background shows."""
    width = max(1, round(0.04 * min(gray.shape)))
    return np.concatenate([gray[:width].ravel(), gray[-width:].ravel(), gray[:, :width].ravel(),
                           gray[:, -width:].ravel()])


def _strongest(values: np.ndarray) -> float:
    """A robust maximum: the value a couple of pixels per thousand reach, so one noisy pixel does not count."""
    k = max(3, int(0.002 * values.size))
    flat = values.ravel()
    return float(np.partition(flat, flat.size - k)[flat.size - k]) if flat.size > k else float(flat.max())


# The frame's levels are grouped in bins this wide to find the paper's: the paper is the most common level there.
BACKGROUND_BIN = 16
# A clean image's paper is one level; a noisy one's spreads. Pixels further from the paper than this many of its
# robust standard deviations (plus a couple of levels for rounding) are ink.
NOISE_SIGMAS = 3.0
ROUNDING_LEVELS = 2.0


def background_level(gray: np.ndarray) -> float:
    """The paper's gray level, read from the image's frame: the most common level there, not the median.

    Ink that touches the frame (a tightly cropped scan, a shape filling its tile) covers part of the frame with
    many different levels, while the paper shows one level (or a narrow band): the fullest 16-level bin of the
    frame's histogram, refined to the median of the frame's pixels near it, is the paper even when ink covers
    most of the frame.
    """
    frame = _frame(gray)
    counts, edges = np.histogram(frame, bins=np.arange(0, 256 + BACKGROUND_BIN, BACKGROUND_BIN))
    # Two neighbouring bins together, so paper whose level sits on a bin's edge is not split in two.
    pairs = counts[:-1] + counts[1:]
    fullest = int(np.argmax(pairs))
    near = frame[(frame >= edges[fullest]) & (frame < edges[fullest + 2])]
    return float(np.median(near))


def paper_noise(gray: np.ndarray, background: float) -> float:
    """How far the paper's own texture departs from its level: NOISE_SIGMAS robust standard deviations of the
    frame's pixels near the paper (0 for a clean scan or drawing, whose paper is a single level)."""
    frame = _frame(gray)
    distance = np.abs(frame - background)
    near = distance[distance <= 3 * BACKGROUND_BIN]
    sigma = 1.4826 * float(np.median(near)) if near.size else 0.0
    return NOISE_SIGMAS * sigma + ROUNDING_LEVELS


def ink_of(pixels: np.ndarray) -> np.ndarray:
    """Ink intensity 0-255 of an image drawn in either polarity: the background is read from the border.

    The paper's level is the most common level of the frame (`background_level`); whichever way the pixels
    depart furthest from it (lighter or darker) is the ink. Everything that departs further than the paper's
    own texture does (`paper_noise`) is ink in proportion to how far, scaled so the strongest ink is 255: a
    clean image keeps all of its gray levels, faint strokes included, while a photo's paper texture, JPEG
    ringing and faint shadows stay below its noise.
    """
    gray = _gray_and_alpha(pixels)
    background = background_level(gray)
    lighter, darker = np.clip(gray - background, 0, None), np.clip(background - gray, 0, None)
    light_strength, dark_strength = _strongest(lighter), _strongest(darker)
    if max(light_strength, dark_strength) < 20:  # a tiny mark: fall back on the very brightest pixels
        light_strength, dark_strength = float(lighter.max()), float(darker.max())
    deviation, strongest = (lighter, light_strength) if light_strength >= dark_strength else (darker, dark_strength)
    low = paper_noise(gray, background)
    if strongest - low < 20:
        raise BlankImageError(_("The image is blank: nothing stands out from its background."))
    return np.clip((deviation - low) / (strongest - low), 0, 1) * 255


def _already_prepared(gray: np.ndarray) -> bool:
    """Whether a 28 x 28 gray image is in MNIST's form already (the page's drawings, MNIST, this module's zips).

    Such an image is taken as it is, so a set written by `image_set_zip_bytes` reads back unchanged: white
    ink on a black frame, its ink's box about 20 px on its longer side, its centre of mass near the middle.
    """
    if gray.shape != (SIDE, SIDE) or gray.max() < 128 or _frame(gray).max() > 0:
        return False
    rows, cols = np.flatnonzero(gray.max(axis=1) > 25), np.flatnonzero(gray.max(axis=0) > 25)
    if not len(rows) or not 16 <= max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 <= 22:
        return False
    y, x = np.indices(gray.shape)
    centre = ((y * gray).sum() / gray.sum(), (x * gray).sum() / gray.sum())
    return bool(np.hypot(centre[0] - 13.5, centre[1] - 13.5) <= 2.0)


def as_is(pixels: np.ndarray) -> np.ndarray:
    """"Use as is": the image in gray, resized to 28 x 28 and nothing else (polarity, margins and framing kept;
    a wide image is squeezed, as Keras's `image_dataset_from_directory` squeezes it). A blank image raises
    BlankImageError."""
    gray = _gray_and_alpha(pixels)
    if gray.max() - gray.min() < 20:
        raise BlankImageError(_("The image is blank: nothing stands out from its background."))
    resized = Image.fromarray(gray.astype(np.float32), mode="F").resize((SIDE, SIDE), Image.Resampling.LANCZOS)
    return np.asarray(resized, dtype=np.float64).clip(0, 255).round().astype(np.uint8)


def prepare_image(pixels: np.ndarray, preparation: str = "ink") -> np.ndarray:
    """Any gray, RGB or RGBA image, of any size and either polarity, as a (28, 28) uint8 image for LeNet-5.

    "ink" (the default): white ink on black, cropped to the ink, its longer side scaled to 20 px, centred by mass
    in 28 x 28, as the Draw page treats photos. "as_is": only resized (`as_is`). A blank image raises BlankImageError.
    """
    if preparation not in PREPARATIONS:
        raise ValueError(f"preparation: must be one of {', '.join(PREPARATIONS)}; got {preparation!r}")
    if preparation == "as_is":
        return as_is(pixels)
    pixels = np.asarray(pixels)
    if pixels.ndim == 2 and pixels.shape == (SIDE, SIDE) and _already_prepared(pixels.astype(np.float64)):
        return pixels.astype(np.uint8)
    ink = ink_of(pixels)
    try:
        return preprocess_ink(ink).image
    except EmptyDrawingError as error:
        raise BlankImageError(_("The image is blank: nothing stands out from its background.")) from error


def _opened(data: bytes, name: str) -> Image.Image:
    """The image's header read (nothing decoded yet), its size checked, a JPEG set to decode at a reduced scale;
    ImageSetError if it is no image or too large."""
    if not data:
        raise ImageSetError(_("{name} is empty.").format(name=name))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageSetError(_("{name} is {width}x{height} pixels; the limit is {limit:,} pixels.")
                                    .format(name=name, width=width, height=height, limit=MAX_PIXELS))
            image.seek(0)  # the first frame of an animation
            if image.format == "JPEG":
                image.draft("L" if image.mode == "L" else "RGB", (WORKING_SIDE, WORKING_SIDE))
    except ImageSetError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageSetError(_("{name} has more than {limit:,} pixels, the limit.").format(
            name=name, limit=MAX_PIXELS)) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as error:
        raise ImageSetError(_("{name} is not an image that can be read.").format(name=name)) from error
    return image


def decoded_pixels(data: bytes, name: str) -> int:
    """How many pixels decoding the file would make, read from its header alone (a JPEG at the reduced scale it
    is decoded at): what decoding costs, known before paying it. ImageSetError as `decode_image` raises it."""
    width, height = _opened(data, name).size
    return width * height


def decode_image(data: bytes, name: str) -> np.ndarray:
    """The first frame of an image file as gray, RGB or RGBA pixels (EXIF orientation applied), at most 512 px."""
    image = _opened(data, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            image = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, ValueError, SyntaxError,
            EOFError) as error:
        raise ImageSetError(_("{name} is not an image that can be read.").format(name=name)) from error
    return _pixels(image)


def _pixels(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        array = np.asarray(image, dtype=np.float64)
        low, high = float(array.min()), float(array.max())
        image = Image.fromarray(((array - low) / (high - low) * 255 if high > low else array * 0).astype(np.uint8))
    transparent = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    image = image.convert("RGBA" if transparent else "L" if image.mode in ("1", "L") else "RGB")
    if max(image.size) > WORKING_SIDE:
        image.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.LANCZOS)
    return np.asarray(image)


def read_image_bytes(data: bytes, name: str, preparation: str = "ink") -> np.ndarray:
    """An image file's bytes (any format Pillow reads) as a (28, 28) uint8 image prepared by `preparation`
    (see `prepare_image`); ImageSetError if not."""
    return prepare_image(decode_image(data, name), preparation)
