"""Convolution kernels: the book's two, the classic presets, and custom ones.

Every preset comes in sizes 3, 5 and 7. `parse_kernel` turns the cells of the
custom-kernel grid into numbers, naming the first cell that is not one.
"""

from __future__ import annotations

from math import comb

import numpy as np

from lib.i18n import N_, _

SIZES = (3, 5, 7)


def _binomial(k: int) -> np.ndarray:
    return np.array([comb(k - 1, i) for i in range(k)], dtype=np.float64)


def _derivative(k: int) -> np.ndarray:
    # Central difference smoothed by a binomial: [-1, 0, 1] for k=3,
    # [-1, -2, 0, 2, 1] for k=5, and so on.
    return np.convolve(_binomial(k - 2), [-1.0, 0.0, 1.0])


def gaussian(k: int) -> np.ndarray:
    """Binomial approximation of a Gaussian; k=3 is the book's [[1,2,1],[2,4,2],[1,2,1]]/16."""
    row = _binomial(k)
    return np.outer(row, row) / row.sum() ** 2


def edge(k: int) -> np.ndarray:
    """The book's edge detector: -1 everywhere, k*k-1 in the centre."""
    kernel = -np.ones((k, k))
    kernel[k // 2, k // 2] = k * k - 1
    return kernel


def identity(k: int) -> np.ndarray:
    kernel = np.zeros((k, k))
    kernel[k // 2, k // 2] = 1.0
    return kernel


def box_blur(k: int) -> np.ndarray:
    return np.ones((k, k)) / (k * k)


def sharpen(k: int) -> np.ndarray:
    """Twice the image minus its blur: boosts what differs from the neighbourhood."""
    return 2 * identity(k) - box_blur(k)


def sobel_x(k: int) -> np.ndarray:
    """Horizontal gradient: responds to vertical edges."""
    return np.outer(_binomial(k), _derivative(k))


def sobel_y(k: int) -> np.ndarray:
    """Vertical gradient: responds to horizontal edges."""
    return sobel_x(k).T


def laplacian(k: int) -> np.ndarray:
    """The 4-neighbour Laplacian for k=3; for larger k, a zero-sum Laplacian of Gaussian."""
    if k == 3:
        return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
    sigma = k / 6
    y, x = np.mgrid[-(k // 2): k // 2 + 1, -(k // 2): k // 2 + 1]
    r2 = (x ** 2 + y ** 2) / (2 * sigma ** 2)
    kernel = (r2 - 1) * np.exp(-r2)
    return kernel - kernel.mean()


def emboss(k: int) -> np.ndarray:
    """Light from the top left: negative above-left, positive below-right, 1 in the centre."""
    y, x = np.mgrid[0:k, 0:k]
    kernel = np.clip((y + x - (k - 1)).astype(np.float64), -2, 2)
    kernel[k // 2, k // 2] = 1.0
    return kernel


# Each preset by its id (what session state and code keep) and the function that builds it.
PRESETS = {
    "gaussian_blur": gaussian,
    "edge_detection": edge,
    "box_blur": box_blur,
    "sharpen": sharpen,
    "sobel_x": sobel_x,
    "sobel_y": sobel_y,
    "laplacian": laplacian,
    "emboss": emboss,
    "identity": identity,
}

# What the pickers show for each preset, translated with `_`: rewording one changes the catalog and nothing else.
PRESET_LABELS = {
    "gaussian_blur": N_("Gaussian blur (book)"),
    "edge_detection": N_("Edge detection (book)"),
    "box_blur": N_("Box blur"),
    "sharpen": N_("Sharpen"),
    "sobel_x": N_("Sobel x (vertical edges)"),
    "sobel_y": N_("Sobel y (horizontal edges)"),
    "laplacian": N_("Laplacian"),
    "emboss": N_("Emboss"),
    "identity": N_("Identity"),
}

# What each preset does to an image, in a sentence for the page beside it (translated where it is shown).
PRESET_EFFECTS = {
    "gaussian_blur": N_("a weighted average, heaviest in the centre: softens the image a little."),
    "edge_detection": N_("the centre against its neighbours: flat areas go to 0, every edge and detail stands out."),
    "box_blur": N_("the plain average of the window: the larger k, the stronger the blur."),
    "sharpen": N_("twice the pixel minus the local average: details get crisper."),
    "sobel_x": N_("right side minus left side: blue where the image gets brighter to the right, "
                  "red where it gets darker, white on flat areas. Vertical edges light up."),
    "sobel_y": N_("bottom minus top: horizontal edges light up, blue where the image gets "
                  "brighter downwards, red where it gets darker."),
    "laplacian": N_("the pixel against its surroundings: 0 on flat areas and smooth slopes, strong at fine detail."),
    "emboss": N_("bottom right minus top left: the image looks lit from the top left."),
    "identity": N_("a single 1 in the centre: the output is the input."),
}

# The kernel a page starts with. A blur would look like its input at first sight; a gradient turns
# the photo into edges, so the very first output shows what a convolution does.
DEFAULT_PRESET = "sobel_x"
# The book's example on the Convolution page (its button), and the grid a custom kernel starts from.
BOOK_EXAMPLE_PRESET = "edge_detection"


def preset(name: str, size: int = 3) -> np.ndarray:
    if name not in PRESETS:
        raise ValueError(_("Unknown kernel {name!r}; choose from {names}.").format(name=name, names=", ".join(PRESETS)))
    if size not in SIZES:
        raise ValueError(_("Kernel size must be one of {sizes}; got {size}.").format(sizes=SIZES, size=size))
    return PRESETS[name](size)


def parse_kernel(rows) -> np.ndarray:
    """Turn a grid of cells (strings or numbers) into a float kernel.

    Raises ValueError naming the first empty or non-numeric cell, 1-based as a
    person counts rows and columns.
    """
    grid = [list(row) for row in rows]
    if not grid or not grid[0]:
        raise ValueError(_("The kernel is empty: it needs at least one row and one column."))
    width = len(grid[0])
    values = np.zeros((len(grid), width))
    for r, row in enumerate(grid):
        if len(row) != width:
            raise ValueError(_("Row {row} has {cells} cells; every row needs {width}.").format(
                row=r + 1, cells=len(row), width=width))
        for c, cell in enumerate(row):
            text = "" if cell is None else str(cell).strip()
            if text == "" or text.lower() == "nan":
                raise ValueError(_("Cell (row {row}, column {column}) is empty: enter a number.").format(
                    row=r + 1, column=c + 1))
            try:
                number = float(text)
            except ValueError:
                raise ValueError(_("Cell (row {row}, column {column}) holds {text!r}, which is not a number.").format(
                    row=r + 1, column=c + 1, text=text)) from None
            if not np.isfinite(number):
                raise ValueError(_("Cell (row {row}, column {column}) must be a finite number; got {text!r}.").format(
                    row=r + 1, column=c + 1, text=text))
            values[r, c] = number
    return values
