"""The weights of one convolutional layer for the Conv layer page, and the proof that three implementations agree.

A layer is N kernels of shape (k, k, D) and N biases, stored as Keras stores a
`Conv2D`: kernels (k, k, D, N), biases (N,). They come from presets (each
output channel one preset, on the input channels the learner picks), from a
seeded random draw with Keras's default initializers (Glorot uniform kernels),
or from a trained model's layer. `prove` runs the same weights through our
numpy `conv_layer`, the book's `SimpleConvolutionLayer` and Keras's `Conv2D`.

numpy only, except `learned_weights`, `layer_settings` and `prove`, which import Keras when called.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.explore.conv_layer import conv_layer
from lib.explore.kernels import preset
from lib.i18n import _

MAX_KERNELS = 8
KERNEL_SIZES = (1, 2, 3, 4, 5, 6, 7)


def _check_size(k: int, channels: int, count: int) -> None:
    if k not in KERNEL_SIZES:
        raise ValueError(_("kernel size k must be one of {sizes}; got {k}.").format(sizes=KERNEL_SIZES, k=k))
    if channels < 1:
        raise ValueError(_("the input needs at least one channel; got D = {channels}.").format(channels=channels))
    if not 1 <= count <= MAX_KERNELS:
        raise ValueError(_("the number of kernels N must be 1-{most}; got {count}.").format(most=MAX_KERNELS, count=count))


def preset_kernels(names: list[str], channels_used: list[list[int]], k: int, channels: int) -> np.ndarray:
    """(k, k, D, N): kernel n is preset names[n] on the input channels channels_used[n], zero on the others."""
    _check_size(k, channels, len(names))
    if len(channels_used) != len(names):
        raise ValueError(_("need one list of input channels per kernel: {kernels} kernels, {lists} lists.").format(
            kernels=len(names), lists=len(channels_used)))
    kernels = np.zeros((k, k, channels, len(names)))
    for n, (name, used) in enumerate(zip(names, channels_used)):
        kernel = preset(name, k)  # raises for an unknown name or a size presets do not come in
        for channel in used:
            if not 0 <= channel < channels:
                raise ValueError(_("kernel {n} uses input channel {channel}, but the input has D = {channels}.").format(
                    n=n, channel=channel, channels=channels))
            kernels[:, :, channel, n] = kernel
    return kernels


def random_weights(k: int, channels: int, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Kernels drawn as Keras's Glorot uniform draws them, and small normal biases, from `seed`."""
    _check_size(k, channels, count)
    rng = np.random.default_rng(seed)
    fan_in, fan_out = k * k * channels, k * k * count
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (k, k, channels, count)), rng.normal(0, 0.05, count)


def learned_weights(model, layer_name: str) -> tuple[np.ndarray, np.ndarray]:
    """A trained Conv2D's kernels (k, k, D, N) and biases (N,), as float64."""
    from lib.engine.models import find_layer

    weights = find_layer(model, layer_name).get_weights()
    if len(weights) != 2 or weights[0].ndim != 4:
        raise ValueError(_("Layer {name!r} is not a Conv2D with a bias.").format(name=layer_name))
    return weights[0].astype(np.float64), weights[1].astype(np.float64)


@dataclass(frozen=True)
class Proof:
    """The largest absolute difference between our numpy layer and each TensorFlow implementation."""

    numpy_vs_book: float
    numpy_vs_keras: float
    largest_value: float  # for scale: differences are float32 round-off against this


def prove(volume, kernels, biases, stride=1, padding="valid", activation=None) -> Proof:
    """Run the same weights through numpy, the book's SimpleConvolutionLayer and keras.layers.Conv2D.

    An explicit padding p is done by padding the input with p zeros on every
    side for both TensorFlow layers, as `keras.layers.ZeroPadding2D` would.
    """
    import keras

    from lib.engine.models import SimpleConvolutionLayer

    ours = conv_layer(volume, kernels, biases, stride, padding, activation=activation)
    volume = np.asarray(volume, dtype=np.float64)
    volume = volume[:, :, np.newaxis] if volume.ndim == 2 else volume
    kernels = np.asarray(kernels, dtype=np.float64)
    tf_padding = padding
    if not isinstance(padding, str):
        volume = np.pad(volume, ((padding, padding), (padding, padding), (0, 0)))
        tf_padding = "valid"
    batch = volume[np.newaxis].astype(np.float32)
    k, count = kernels.shape[0], kernels.shape[3]
    book = SimpleConvolutionLayer(num_kernels=count, kernel_size=(k, k), stride=stride, padding=tf_padding)
    book.build(batch.shape)
    book.set_weights([kernels.astype(np.float32), np.asarray(biases, np.float32)])
    book_out = np.asarray(book(batch))[0]
    if activation == "relu":
        book_out = np.maximum(book_out, 0)
    dense = keras.layers.Conv2D(count, k, strides=stride, padding=tf_padding, activation=activation)
    dense.build(batch.shape)
    dense.set_weights([kernels.astype(np.float32), np.asarray(biases, np.float32)])
    keras_out = np.asarray(dense(batch))[0]
    scale = float(np.abs(ours).max()) if ours.size else 0.0
    return Proof(float(np.abs(ours - book_out).max(initial=0)), float(np.abs(ours - keras_out).max(initial=0)), scale)


def layer_settings(model, layer_name: str) -> dict:
    """A trained Conv2D's stride, padding and activation, in the Conv layer page's terms."""
    from lib.engine.models import find_layer

    config = find_layer(model, layer_name).get_config()
    activation = config.get("activation")
    return {"stride": int(config["strides"][0]), "padding": config["padding"],
            "activation": "relu" if activation == "relu" else None}
