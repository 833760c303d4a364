"""The first part of every explorer program: the image the page shows, loaded and prepared as the page does.

Sample photos come from scikit-image's bundled data and are shrunk, as lib.explore.images does, with PIL's
LANCZOS `thumbnail` to at most MAX_SIDE on their longer side; patterns are written out in numpy; an upload or a
camera picture is read from a file named in a comment. Gray images are the luma of the colour ones, with the same
weights (LUMA_WEIGHTS), so a program's pixels are the page's to the last bit.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.explore.images import LUMA_WEIGHTS, MAX_SIDE, PATTERNS, SAMPLE_PHOTOS
from lib.i18n import _

PATTERN_SIDE = 128  # lib.explore.images.pattern's default size, the one the pages use


@dataclass(frozen=True)
class ImageChoice:
    """What the visitor picked in ui.widgets.image_picker: the source's id, the photo's or pattern's id, colour."""

    source: str  # "photo", "pattern", "upload" or "camera" (ui.widgets.SOURCES)
    name: str | None  # a key of SAMPLE_PHOTOS or of PATTERNS; None for an upload or a camera picture
    colour: bool  # True when the page keeps the three channels


def image_cell(choice: ImageChoice) -> str:
    """Code that leaves `pixels`: float64 in 0-255, (H, W) gray or (H, W, 3) colour, as the page has them."""
    if choice.source == "pattern":
        lines = ["import numpy as np", "", _pattern(choice.name)]
    else:
        lines = ["import numpy as np", "from PIL import Image"]
        if choice.source == "photo":
            if choice.name not in SAMPLE_PHOTOS:
                raise ValueError(f"Unknown sample photo {choice.name!r}.")
            lines += ["from skimage import data", "",
                      "# " + _("The photo \"{name}\", bundled with scikit-image").format(name=_(SAMPLE_PHOTOS[choice.name])),
                      f"image = Image.fromarray(data.{choice.name}())"]
        else:
            lines += ["", "# " + _("Your own picture: save it next to this program under this name"),
                      'image = Image.open("your_image.png").convert("RGB")']
        lines += ["# " + _("Photos longer than {side} pixels are shrunk to {side}, as the page does").format(side=MAX_SIDE),
                  f"image.thumbnail(({MAX_SIDE}, {MAX_SIDE}), Image.Resampling.LANCZOS)",
                  "pixels = np.asarray(image, dtype=np.float64)  # " + _("values 0 to 255")]
    if not choice.colour:
        weights = ", ".join(repr(float(weight)) for weight in LUMA_WEIGHTS)
        lines += ["# " + _("a colour image becomes gray: its luma, as PIL's \"L\" mode weighs it"),
                  "if pixels.ndim == 3:",
                  f"    pixels = pixels @ np.array([{weights}])"]
    lines.append('print("image:", pixels.shape)')
    return "\n".join(lines)


def _pattern(name: str | None) -> str:
    side = PATTERN_SIDE
    grid = f"y, x = np.mgrid[0:{side}, 0:{side}]"
    if name == "checkerboard":
        cell = max(side // 8, 1)
        return "\n".join(["# " + _("A checkerboard of {cell}-pixel squares").format(cell=cell), grid,
                          f"pixels = np.where((y // {cell} + x // {cell}) % 2 == 0, 255.0, 0.0)"])
    if name == "step_edge":
        return "\n".join(["# " + _("A step edge: black on the left, white on the right"), grid,
                          f"pixels = np.where(x >= {side // 2}, 255.0, 0.0)"])
    if name == "disc":
        return "\n".join(["# " + _("A white disc on black"), grid,
                          f"pixels = np.where((y - {side / 2}) ** 2 + (x - {side / 2}) ** 2 <= ({side} / 3) ** 2, "
                          "255.0, 0.0)"])
    if name == "text":
        return "\n".join([
            "from PIL import Image, ImageDraw, ImageFont", "",
            "# " + _("The word CNN in PIL's default font, white on black"),
            f'canvas = Image.new("L", ({side}, {side}), 0)',
            f"font = ImageFont.load_default(size={side // 4})",
            f'ImageDraw.Draw(canvas).text(({side // 10}, {side // 3}), "CNN", fill=255, font=font)',
            "pixels = np.asarray(canvas, dtype=np.float64)"])
    raise ValueError(f"Unknown pattern {name!r}; choose from {', '.join(PATTERNS)}.")
