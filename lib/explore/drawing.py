"""Turning a drawing (or a photo of a digit) into a 28x28 image the way MNIST was made.

MNIST's digits were fitted into a 20x20 box keeping their aspect ratio, with
anti-aliasing, then placed in a 28x28 field so that their centre of mass sits
at the centre. A drawing that skips those steps (a small digit in a corner,
say) looks nothing like the training data, so the network misreads it. Each
step can be switched off to show what it is worth. numpy and PIL only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from lib.explore.images import to_gray
from lib.i18n import _

FIELD = 28
BOX = 20
# Below this much ink (in full-intensity pixels, as a fraction of the canvas) a
# canvas counts as empty: a stray click is not a digit.
MIN_INK_FRACTION = 0.0008
# MNIST's strokes cover well under half of a digit's box; a small digit drawn
# with a thick pen becomes a blob that no preprocessing can untangle.
MAX_FILL = 0.6


class EmptyDrawingError(ValueError):
    """The canvas or photo holds no digit to read."""


@dataclass
class Preprocessed:
    image: np.ndarray  # (28, 28) uint8, white digit on black, ready for the model
    steps: list[tuple[str, np.ndarray]] = field(default_factory=list)  # (caption, image) for display
    notes: list[str] = field(default_factory=list)  # advice about the drawing itself


def ink_from_rgba(rgba: np.ndarray) -> np.ndarray:
    """Ink intensity 0-255 of a canvas drawn in light ink on a dark background.

    Brightness weighted by opacity, so transparent pixels count as no ink.
    """
    rgba = np.asarray(rgba, dtype=np.float64)
    if rgba.ndim != 3 or rgba.shape[2] not in (3, 4):
        raise ValueError(_("Expected an RGB or RGBA image (H, W, 3 or 4); got shape {shape}.").format(shape=rgba.shape))
    gray = to_gray(rgba)
    alpha = rgba[..., 3] / 255 if rgba.shape[2] == 4 else 1.0
    return gray * alpha


def ink_from_photo(pixels: np.ndarray) -> np.ndarray:
    """Ink from a photo of a digit written dark on light paper: inverted, with a soft threshold.

    The paper's brightness varies across a photo, so everything darker than
    the typical paper is ink in proportion to how much darker it is; the
    faintest differences (paper texture, shadows) fall below the threshold.
    """
    pixels = np.asarray(pixels, dtype=np.float64)
    gray = to_gray(pixels)
    darkness = 255.0 - gray
    paper = np.percentile(darkness, 50)
    strongest = np.percentile(darkness, 99.5)
    if strongest - paper < 20:
        raise EmptyDrawingError(_("No writing stands out from the paper in this photo."))
    low = paper + 0.25 * (strongest - paper)
    return np.clip((darkness - low) / (strongest - low), 0, 1) * 255


def _check_not_empty(ink: np.ndarray) -> None:
    if ink.max() < 40 or (ink / 255).sum() < MIN_INK_FRACTION * ink.size:
        raise EmptyDrawingError(_("The canvas is empty or nearly so: draw a digit first."))


def _resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Anti-aliased resize of a float image to (width, height)."""
    return np.asarray(Image.fromarray(image.astype(np.float32), mode="F").resize(size, Image.Resampling.LANCZOS)
                      if min(size) > 0 else image, dtype=np.float64).clip(0, 255)


def crop_to_ink(ink: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero(ink.max(axis=1) > 0.1 * ink.max())
    cols = np.flatnonzero(ink.max(axis=0) > 0.1 * ink.max())
    return ink[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]


def fit_in_box(ink: np.ndarray, box: int = BOX) -> np.ndarray:
    """Scale so the longer side is `box` pixels, keeping the aspect ratio."""
    height, width = ink.shape
    scale = box / max(height, width)
    return _resize(ink, (max(1, round(width * scale)), max(1, round(height * scale))))


def place_centred(image: np.ndarray, size: int = FIELD) -> np.ndarray:
    """Put a small image in the middle of a size x size black field."""
    field_ = np.zeros((size, size))
    height, width = image.shape
    top, left = (size - height) // 2, (size - width) // 2
    field_[top: top + height, left: left + width] = image
    return field_


def centre_of_mass_shift(image: np.ndarray) -> np.ndarray:
    """Translate by whole pixels so the centre of mass lands at the field's centre."""
    total = image.sum()
    if total == 0:
        return image
    rows, cols = np.indices(image.shape)
    centre = (np.array(image.shape) - 1) / 2
    shift = np.round(centre - [(rows * image).sum() / total, (cols * image).sum() / total]).astype(int)
    shifted = np.zeros_like(image)
    dy, dx = shift
    height, width = image.shape
    source = image[max(0, -dy): height - max(0, dy), max(0, -dx): width - max(0, dx)]
    shifted[max(0, dy): max(0, dy) + source.shape[0], max(0, dx): max(0, dx) + source.shape[1]] = source
    return shifted


def preprocess_ink(ink: np.ndarray, crop_and_scale: bool = True, centre_by_mass: bool = True) -> Preprocessed:
    """Ink (H, W) in 0-255 to a 28x28 MNIST-like digit, recording each step."""
    _check_not_empty(ink)
    steps, notes = [(_("Ink"), ink)], []
    if crop_and_scale:
        cropped = crop_to_ink(ink)
        steps.append((_("Cropped to the ink"), cropped))
        if (cropped > 0.5 * cropped.max()).mean() > MAX_FILL:
            notes.append(_("The strokes fill most of the digit's box, so its shape is hard to read: draw it larger "
                           "or with a thinner stroke."))
        boxed = fit_in_box(cropped)
        steps.append((_("Longer side scaled to {box} px").format(box=BOX), boxed))
        image = place_centred(boxed)
        steps.append((_("Placed in 28x28"), image))
    else:
        image = _resize(ink, (FIELD, FIELD))
        steps.append((_("Whole canvas shrunk to 28x28"), image))
    if centre_by_mass:
        image = centre_of_mass_shift(image)
        steps.append((_("Centred by mass"), image))
    if image.max() > 0:
        image = image * (255 / image.max())  # full-intensity strokes, as in MNIST
    final = np.round(image).clip(0, 255).astype(np.uint8)
    return Preprocessed(final, steps, notes)


def preprocess_drawing(rgba: np.ndarray, crop_and_scale: bool = True, centre_by_mass: bool = True) -> Preprocessed:
    """The canvas's RGBA array to a 28x28 uint8 digit as MNIST prepared its digits."""
    return preprocess_ink(ink_from_rgba(rgba), crop_and_scale, centre_by_mass)


def preprocess_photo(pixels: np.ndarray, crop_and_scale: bool = True, centre_by_mass: bool = True) -> Preprocessed:
    """A photo of a digit written dark on light paper, through the same steps."""
    return preprocess_ink(ink_from_photo(pixels), crop_and_scale, centre_by_mass)
