"""Why images are resized before they reach LeNet-5, shown on the real model.

Two reasons, each measured here: a batch is one array, so all its images need one shape; and LeNet-5's
convolutional part accepts any size, but its Flatten -> Dense(120) head was built for exactly the number of
values a 28 x 28 input leaves after the second pooling. The conv part's output shapes are Keras's own, and
the errors are the ones NumPy and Keras raise.
"""

from __future__ import annotations

import re

import numpy as np

from lib.i18n import _


def enlarged(digit: np.ndarray, size: int) -> np.ndarray:
    """The 28 x 28 digit resized to size x size (Lanczos), as uint8."""
    from PIL import Image

    if not 8 <= size <= 512:
        raise ValueError(_("The size must be 8-512 pixels; got {size}.").format(size=size))
    return np.asarray(Image.fromarray(np.asarray(digit, np.uint8)).resize((size, size), Image.Resampling.LANCZOS))


def _plain(error: Exception) -> str:
    # Keras colours parts of its messages for terminals; the page shows plain text.
    return re.sub(r"\x1b\[[0-9;]*m", "", f"{type(error).__name__}: {error}").strip()


def batch_error(first: np.ndarray, second: np.ndarray) -> str | None:
    """What NumPy says when two images are stacked into one batch; None when they share a shape."""
    try:
        np.stack([first, second])
    except ValueError as error:
        return _plain(error)
    return None


def why_resize(lenet, digit: np.ndarray, size: int = 64) -> dict:
    """LeNet-5's layers up to Flatten run on the digit at 28 x 28 and enlarged to size x size, and its first
    Dense layer given the larger image's flattened maps.

    Returns each layer's output shape at both sizes, how many inputs the Dense layer takes, how many values
    each size leaves after Flatten, Keras's error for the larger one (None if it were accepted) and NumPy's
    error for a batch of both images.
    """
    from lib.engine.models import model_layers

    large = enlarged(digit, size)
    layers = model_layers(lenet)
    names = [layer.name for layer in layers]
    if "flatten" not in names:
        raise ValueError(_("The model has no Flatten layer; it has {layers}.").format(layers=", ".join(names)))
    cut = names.index("flatten")
    head = layers[cut + 1]
    inputs = {}
    rows = []
    for key, image in (("small", digit), ("large", large)):
        x = np.asarray(image, np.float32)[np.newaxis, :, :, np.newaxis]  # a batch of one, one channel
        for index, layer in enumerate(layers[: cut + 1]):
            x = layer(x)
            if key == "small":
                rows.append({"layer": layer.name, "small": tuple(x.shape[1:])})
            else:
                rows[index]["large"] = tuple(x.shape[1:])
        inputs[key] = x
    try:
        head(inputs["large"])
        dense_error = None
    except Exception as error:  # Keras's own message is the lesson; show whatever it raises
        dense_error = _plain(error)
    return {"large": large, "rows": rows, "head": head.name, "head_inputs": int(head.kernel.shape[0]),
            "flat_small": int(inputs["small"].shape[-1]), "flat_large": int(inputs["large"].shape[-1]),
            "dense_error": dense_error, "batch_error": batch_error(np.asarray(digit), large)}
