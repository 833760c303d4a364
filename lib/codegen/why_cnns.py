"""The Why CNNs page's program: the parameter counts of its first section, as Keras counts them."""

from __future__ import annotations

from lib.codegen.comments import wrap_comments
from lib.codegen.program import Program
from lib.i18n import _


def why_cnns_program(*, units: int, filters: int, kernel: int, mnist_dense: int, photo_dense: int,
                     photo_conv: int) -> Program:
    """The three counts the page states, for its current units, filters and kernel size; the program also
    counts the conv layer on a 28 x 28 x 3 image, which must give the photo's count again."""
    constants = "\n".join([
        "import keras",
        "from keras import layers", "",
        f"UNITS = {int(units)}",
        f"FILTERS = {int(filters)}",
        f"KERNEL_SIZE = {int(kernel)}",
    ])
    counts = "\n".join([
        "# " + _("The book's example: a 28 x 28 MNIST image, flattened, into 128 units"),
        "mnist_dense = keras.Sequential([keras.Input(shape=(28 * 28,)),",
        "                                layers.Dense(128)]).count_params()",
        "# " + _("A 224 x 224 x 3 photo, flattened, into UNITS units"),
        "photo_dense = keras.Sequential([keras.Input(shape=(224 * 224 * 3,)),",
        "                                layers.Dense(UNITS)]).count_params()",
        "# " + _("A conv layer on that photo, and on a 28 x 28 x 3 image: one kernel shared by every position"),
        "photo_conv = keras.Sequential([keras.Input(shape=(224, 224, 3)),",
        "                               layers.Conv2D(FILTERS, KERNEL_SIZE)]).count_params()",
        "small_conv = keras.Sequential([keras.Input(shape=(28, 28, 3)),",
        "                               layers.Conv2D(FILTERS, KERNEL_SIZE)]).count_params()",
        'print(f"dense, MNIST: {mnist_dense:,}  dense, photo: {photo_dense:,}")',
        'print(f"conv, photo: {photo_conv:,}  conv, 28 x 28 x 3: {small_conv:,}")',
    ])
    return Program(name="why_cnns", title=_("Why CNNs"), cells=tuple(map(wrap_comments, (constants, counts))),
                   checks={"mnist_dense": int(mnist_dense), "photo_dense": int(photo_dense),
                           "photo_conv": int(photo_conv), "small_conv": int(photo_conv)})
