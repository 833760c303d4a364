"""A whole convolutional layer in numpy, as `keras.layers.Conv2D` computes it, and its step-through.

A volume (H, W, D) meets N kernels (k, k, D), the layout of a Keras Conv2D
kernel: each output map sums the D channels' cross-correlations, adds its bias
and, with "relu", clips at zero. Built on lib.explore.ops's windows; numpy only,
so the Conv layer page opens without TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.explore.ops import WindowStep, conv_step, pad_input, window_geometry, window_views
from lib.i18n import _

ACTIVATIONS = (None, "relu")


def _check_finite(array: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(array)):
        raise ValueError(_("{name} holds {count} non-finite values (NaN or inf).").format(
            name=name, count=np.size(array) - np.isfinite(array).sum()))


def _layer_arrays(volume, kernels, biases, activation):
    """Check and convert a conv layer's arguments: (H, W, D) volume, (kh, kw, D, N) kernels, (N,) biases."""
    volume = np.asarray(volume, dtype=np.float64)
    if volume.ndim == 2:
        volume = volume[:, :, np.newaxis]
    if volume.ndim != 3 or 0 in volume.shape:
        raise ValueError(_("volume must be (H, W) or (H, W, D) and not empty; got shape {shape}.").format(shape=volume.shape))
    kernels = np.asarray(kernels, dtype=np.float64)
    if kernels.ndim != 4 or 0 in kernels.shape:
        raise ValueError(_("kernels must be (k, k, D, N), the layout of a Keras Conv2D kernel; got shape {shape}.").format(
            shape=kernels.shape))
    if kernels.shape[2] != volume.shape[2]:
        raise ValueError(_("kernels {kernels} expect D = {expected} input channels, but the volume {volume} has "
                           "{channels}.").format(kernels=kernels.shape, expected=kernels.shape[2], volume=volume.shape,
                                                 channels=volume.shape[2]))
    n = kernels.shape[3]
    biases = np.zeros(n) if biases is None else np.asarray(biases, dtype=np.float64)
    if biases.shape != (n,):
        raise ValueError(_("biases must be (N,) = ({n},) for kernels {kernels}; got shape {shape}.").format(
            n=n, kernels=kernels.shape, shape=biases.shape))
    if activation not in ACTIVATIONS:
        raise ValueError(_("activation must be None or 'relu'; got {activation!r}.").format(activation=activation))
    for array, name in ((volume, "volume"), (kernels, "kernels"), (biases, "biases")):
        _check_finite(array, name)
    return volume, kernels, biases


def conv_layer(volume, kernels, biases=None, stride=1, padding="valid", dilation=1, activation=None) -> np.ndarray:
    """A whole convolutional layer, as `keras.layers.Conv2D` computes it.

    volume (H, W) or (H, W, D); kernels (k, k, D, N), the layout of a Keras
    Conv2D kernel; biases (N,) or None. Each of the N output maps sums the D
    channels' cross-correlations with that kernel's slices, adds its bias and,
    with activation "relu", clips at zero. Returns (H', W', N).
    """
    volume, kernels, biases = _layer_arrays(volume, kernels, biases, activation)
    kh, kw = kernels.shape[:2]
    stride, dilation, (out_h, out_w), (pads_y, pads_x) = window_geometry(volume.shape[:2], (kh, kw), stride, padding, dilation)
    output = np.zeros((out_h, out_w, kernels.shape[3]))
    if out_h and out_w:
        padded = pad_input(volume, pads_y, pads_x)
        for i, j, view in window_views(padded, kh, kw, stride, dilation, out_h, out_w):
            # (out_h, out_w, D) @ (D, N): every kernel's tap (i, j) over every channel at once.
            output += view @ kernels[i, j]
    output += biases
    return np.maximum(output, 0.0) if activation == "relu" else output


@dataclass(frozen=True)
class UnitStep:
    """How one unit (row, col, n) of a conv layer comes about, channel by channel."""

    window: WindowStep  # the window on the padded input; products (kh, kw, D) for kernel n
    channel_sums: np.ndarray  # (D,) the sum of each channel's products
    bias: float
    pre_activation: float  # sum of channel_sums plus the bias
    value: float  # after the activation


def conv_layer_step(volume, kernels, biases, row, col, n, stride=1, padding="valid", dilation=1,
                    activation=None) -> UnitStep:
    """The step-through behind output unit (row, col, n) of `conv_layer`."""
    volume, kernels, biases = _layer_arrays(volume, kernels, biases, activation)
    if not 0 <= n < kernels.shape[3]:
        raise ValueError(_("kernel index n must be in 0-{last}; got {n}.").format(last=kernels.shape[3] - 1, n=n))
    window = conv_step(volume, kernels[:, :, :, n], row, col, stride, padding, dilation)
    channel_sums = window.products.sum(axis=(0, 1))
    pre_activation = float(channel_sums.sum() + biases[n])
    value = max(pre_activation, 0.0) if activation == "relu" else pre_activation
    return UnitStep(window, channel_sums, float(biases[n]), pre_activation, value)


def conv_layer_parameters(kernel_size: int, channels: int, kernels: int) -> int:
    """N * (D * k * k + 1): the weights and biases of a conv layer, whatever the image size."""
    return kernels * (channels * kernel_size * kernel_size + 1)
