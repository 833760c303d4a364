"""Hand-drawn digits as mouse strokes: the test set for the Draw page.

Each digit is one or more polylines in a unit box (x to the right, y down),
in a couple of handwriting styles. `place` puts a digit anywhere on a canvas
at any size; `rasterize` draws it the way the canvas does (round white lines
on black), so unit tests and browser tests use the very same drawings.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw


def _arc(cx, cy, rx, ry, start, end, steps=24):
    """Points along an ellipse arc; angles in degrees, 0 = right, 90 = down."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in np.linspace(start, end, steps)]


DIGITS: dict[int, list[list[list[tuple[float, float]]]]] = {
    0: [[_arc(0.5, 0.5, 0.3, 0.45, -90, 270)],
        [_arc(0.5, 0.5, 0.25, 0.45, 200, 560)]],
    1: [[[(0.5, 0.05), (0.5, 0.95)]],
        [[(0.35, 0.2), (0.55, 0.05), (0.55, 0.95)]]],
    2: [[_arc(0.5, 0.3, 0.3, 0.25, 180, 360) + [(0.8, 0.3), (0.2, 0.95), (0.85, 0.95)]],
        [_arc(0.5, 0.3, 0.28, 0.25, 200, 380) + [(0.25, 0.92), (0.82, 0.92)]]],
    3: [[_arc(0.5, 0.28, 0.28, 0.23, 200, 450) + _arc(0.5, 0.73, 0.3, 0.23, -90, 160)],
        [[(0.2, 0.08), (0.8, 0.08), (0.45, 0.45)] + _arc(0.5, 0.7, 0.3, 0.25, -90, 160)]],
    4: [[[(0.6, 0.05), (0.15, 0.65), (0.85, 0.65)], [(0.62, 0.3), (0.62, 0.95)]],
        [[(0.25, 0.05), (0.2, 0.55), (0.8, 0.55)], [(0.7, 0.05), (0.7, 0.95)]]],
    5: [[[(0.8, 0.05), (0.3, 0.05), (0.25, 0.45)] + _arc(0.5, 0.68, 0.3, 0.27, -120, 150)],
        [[(0.3, 0.05), (0.25, 0.45)] + _arc(0.5, 0.68, 0.3, 0.27, -120, 150), [(0.3, 0.05), (0.8, 0.05)]]],
    6: [[[(0.7, 0.05), (0.4, 0.3), (0.23, 0.65)] + _arc(0.5, 0.7, 0.27, 0.25, 180, 540)],
        [_arc(0.75, 0.55, 0.5, 0.5, 240, 180, 12) + _arc(0.5, 0.72, 0.25, 0.23, 180, 540)]],
    7: [[[(0.15, 0.08), (0.85, 0.08), (0.4, 0.95)]],
        [[(0.15, 0.08), (0.85, 0.08), (0.45, 0.95)], [(0.35, 0.5), (0.75, 0.5)]]],
    8: [[_arc(0.5, 0.27, 0.24, 0.22, 90, 450) + _arc(0.5, 0.72, 0.3, 0.23, -90, 270)],
        [_arc(0.5, 0.28, 0.22, 0.22, 0, 360) , _arc(0.5, 0.73, 0.28, 0.22, -90, 270)]],
    9: [[_arc(0.5, 0.3, 0.27, 0.25, 0, 360) + [(0.77, 0.3), (0.7, 0.95)]],
        [_arc(0.48, 0.3, 0.27, 0.23, 20, 380) + [(0.75, 0.3), (0.5, 0.95)]]],
}

# (size as a fraction of the canvas, left, top as fractions): big and centred,
# small in a corner, off-centre, and so on.
PLACEMENTS = [(0.7, 0.15, 0.15), (0.3, 0.05, 0.05), (0.45, 0.5, 0.1), (0.35, 0.1, 0.6), (0.55, 0.4, 0.4)]


def place(strokes, size: float, left: float, top: float, canvas: int = 280, aspect: float = 0.75):
    """Strokes scaled to `size` of the canvas height (width `aspect` of that) with their box at (left, top)."""
    height, width = size * canvas, size * canvas * aspect
    return [[(left * canvas + x * width, top * canvas + y * height) for x, y in stroke] for stroke in strokes]


def rasterize(strokes, canvas: int = 280, width: int = 18) -> np.ndarray:
    """RGBA like the canvas returns: white round-capped lines on an opaque black background."""
    image = Image.new("RGBA", (canvas, canvas), (0, 0, 0, 255))
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line(stroke, fill=(255, 255, 255, 255), width=width, joint="curve")
        for x, y in (stroke[0], stroke[-1]):
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=(255, 255, 255, 255))
    return np.asarray(image)
