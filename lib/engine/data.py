"""Loading MNIST and preparing images the way every model here expects them.

`load_mnist` reads the file named by the `MNIST_PATH` environment variable when
it is set (machines without internet use this), and otherwise downloads the
data set through Keras. Any problem becomes an `MnistUnavailableError` whose
message says what went wrong and what to do about it.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from lib.i18n import _

MNIST_PATH_ENV = "MNIST_PATH"

# The arrays of the Keras layout and the shape each must have.
EXPECTED_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}


class MnistUnavailableError(RuntimeError):
    """MNIST could not be loaded; the message says why and how to fix it."""


def load_mnist(path: str | os.PathLike | None = None):
    """Return `(x_train, y_train), (x_test, y_test)` as uint8 arrays.

    `path` (or, when it is None, the `MNIST_PATH` environment variable) names an
    `.npz` in the layout of `keras.datasets.mnist.load_data()`. With neither,
    the data set is downloaded by Keras.
    """
    if path is None:
        path = os.environ.get(MNIST_PATH_ENV) or None
    if path is not None:
        return _load_npz(Path(path))
    return _download()


def _load_npz(path: Path):
    if not path.is_file():
        raise MnistUnavailableError(
            _("MNIST file {path} does not exist. Point {variable} at an .npz "
              "with x_train, y_train, x_test and y_test, or unset it to download MNIST.").format(
                path=path, variable=MNIST_PATH_ENV)
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [name for name in EXPECTED_SHAPES if name not in archive.files]
            if missing:
                raise MnistUnavailableError(
                    _("MNIST file {path} lacks the arrays {arrays}; "
                      "it should hold x_train, y_train, x_test and y_test as "
                      "keras.datasets.mnist saves them.").format(path=path, arrays=", ".join(missing))
                )
            arrays = {name: archive[name] for name in EXPECTED_SHAPES}
    except MnistUnavailableError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise MnistUnavailableError(
            _("MNIST file {path} is corrupt or truncated ({error}). "
              "Replace it with a complete copy, or unset "
              "{variable} to download MNIST.").format(path=path, error=error, variable=MNIST_PATH_ENV)
        ) from error
    for name, shape in EXPECTED_SHAPES.items():
        array = arrays[name]
        if array.shape != shape:
            raise MnistUnavailableError(
                _("MNIST file {path} has {name} of shape {shape}; "
                  "expected {expected}.").format(path=path, name=name, shape=array.shape, expected=shape)
            )
        if array.dtype != np.uint8:
            raise MnistUnavailableError(
                _("MNIST file {path} has {name} of type {dtype}; expected uint8.").format(
                    path=path, name=name, dtype=array.dtype)
            )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _download():
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:  # Keras raises bare Exception subclasses for network faults.
        raise MnistUnavailableError(
            _("Could not download MNIST ({error}). Without internet, set "
              "{variable} to the path of a local mnist.npz.").format(error=error, variable=MNIST_PATH_ENV)
        ) from error
    return (x_train, y_train), (x_test, y_test)


def as_model_input(images: np.ndarray) -> np.ndarray:
    """Shape raw images as the (batch, 28, 28, 1) float32 tensor models take.

    Pixel values stay in 0-255: every model scales them to [0, 1] with its own
    first layer, so training, evaluation and prediction cannot disagree.
    """
    images = np.asarray(images)
    original_shape = images.shape
    if images.ndim == 2:
        images = images[np.newaxis]
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise ValueError(
            f"Expected images of shape (28, 28), (n, 28, 28) or (n, 28, 28, 1); got {original_shape}."
        )
    return images.astype(np.float32, copy=False)
