"""The Convolution page's program: its image, its kernel and `tf.nn.conv2d` with the page's stride, padding and
dilation, in float64 so the output equals the page's to the last digits; then SAME and VALID side by side."""

from __future__ import annotations

import numpy as np

from lib.codegen.comments import wrap_comments
from lib.codegen.images import ImageChoice, image_cell
from lib.codegen.program import Program, literal
from lib.i18n import _


def padding_argument(padding) -> str:
    """`tf.nn.conv2d`'s padding: "SAME", "VALID", or explicit zeros per dimension of the NHWC batch."""
    if isinstance(padding, str):
        return repr(padding.upper())
    p = int(padding)
    return f"[[0, 0], [{p}, {p}], [{p}, {p}], [0, 0]]"


def convolution_program(choice: ImageChoice, kernel: np.ndarray, stride: int, padding, dilation: int,
                        output: np.ndarray, same_shape: tuple[int, int], valid_shape: tuple[int, int]) -> Program:
    """`output` and the SAME and VALID shapes are what the page computed with these values; the program's
    variables of those names must equal them. Without a VALID output (the kernel does not fit) that part is left out."""
    padding_note = ("  # " + _("{p} rows and columns of zeros on every side").format(p=int(padding))
                    if not isinstance(padding, str) else "")
    setup = "\n".join([
        "import tensorflow as tf", "",
        f"KERNEL = {literal(np.asarray(kernel, dtype=np.float64))}",
        f"STRIDE = {int(stride)}",
        f"DILATION = {int(dilation)}",
        f"PADDING = {padding_argument(padding)}{padding_note}",
    ])
    convolve = "\n".join([
        "# " + _("A batch of one image, channels last; float64 keeps every digit the page shows"),
        "x = tf.constant(pixels.reshape((1, pixels.shape[0], pixels.shape[1], -1)))",
        "# " + _("The same kernel on every input channel, the channels summed into one output map"),
        "filters = np.repeat(KERNEL[:, :, np.newaxis, np.newaxis], x.shape[-1], axis=2)",
        "output = tf.nn.conv2d(x, filters, strides=STRIDE, padding=PADDING, dilations=DILATION)",
        "output = output[0, :, :, 0].numpy()  # " + _("the one image's one output map"),
        'print("output:", output.shape, "values", output.min(), "to", output.max())',
    ])
    compare = "\n".join([
        "# " + _("SAME and VALID with the same kernel, stride and dilation"),
        'same = tf.nn.conv2d(x, filters, strides=STRIDE, padding="SAME", dilations=DILATION)',
        'valid = tf.nn.conv2d(x, filters, strides=STRIDE, padding="VALID", dilations=DILATION)',
        "same_shape, valid_shape = tuple(same.shape[1:3]), tuple(valid.shape[1:3])",
        'print("SAME:", same_shape, "VALID:", valid_shape)',
    ])
    cells = (image_cell(choice), setup, convolve)
    checks = {"output": output}
    if 0 not in valid_shape:
        cells += (compare,)
        checks.update(same_shape=tuple(int(n) for n in same_shape), valid_shape=tuple(int(n) for n in valid_shape))
    return Program(name="convolution", title=_("Convolution"), cells=tuple(map(wrap_comments, cells)), checks=checks)
