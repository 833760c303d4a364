"""The Pooling page's program: its image and `tf.nn.max_pool2d` or `tf.nn.avg_pool2d` with the page's window,
stride and padding, in float64 so the output equals the page's; then how many times fewer values it holds."""

from __future__ import annotations

import numpy as np

from lib.codegen.comments import wrap_comments
from lib.codegen.images import ImageChoice, image_cell
from lib.codegen.program import Program
from lib.i18n import _

FUNCTIONS = {"max": "tf.nn.max_pool2d", "avg": "tf.nn.avg_pool2d"}


def pooling_program(choice: ImageChoice, mode: str, size: int, stride: int, padding: str, output: np.ndarray,
                    ratio: float) -> Program:
    """`output` (H', W') for a gray image or (H', W', 3) and `ratio` (input values per output value, per channel)
    are what the page shows for these values."""
    if mode not in FUNCTIONS:
        raise ValueError(f"mode must be one of {', '.join(FUNCTIONS)}; got {mode!r}.")
    gray = np.asarray(output).ndim == 2
    setup = "\n".join([
        "import tensorflow as tf", "",
        f"POOL_SIZE = {int(size)}",
        f"STRIDE = {int(stride)}",
        f"PADDING = {padding.upper()!r}",
    ])
    note = (_("SAME max pooling never picks a padded cell") if mode == "max"
            else _("SAME average pooling divides by the real cells in each window only"))
    pool = "\n".join([
        "# " + _("A batch of one image, channels last; float64 keeps every digit the page shows"),
        "x = tf.constant(pixels.reshape((1, pixels.shape[0], pixels.shape[1], -1)))",
        *(["# " + note] if padding == "same" else []),
        f"output = {FUNCTIONS[mode]}(x, ksize=POOL_SIZE, strides=STRIDE, padding=PADDING)",
        "output = " + ("output[0, :, :, 0].numpy()  # " + _("the one image's one channel") if gray
                       else "output[0].numpy()  # " + _("the one image, its three channels")),
        "ratio = (pixels.shape[0] * pixels.shape[1]) / (output.shape[0] * output.shape[1])",
        'print("output:", output.shape, f"({ratio:.1f} times fewer values)")',
    ])
    return Program(name="pooling", title=_("Pooling"), cells=tuple(map(wrap_comments, (image_cell(choice), setup, pool))),
                   checks={"output": output, "ratio": float(ratio)})
