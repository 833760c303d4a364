"""The arithmetic behind "why CNNs": parameter counts and pixel shuffling.

A dense layer gives every unit a weight per input value, so its size grows
with the image; a convolutional layer shares one small kernel across the image,
so its size does not. And a dense layer does not care where a pixel is, while a
convolution works on neighbourhoods that a shuffle of the pixels destroys.
"""

from __future__ import annotations

import numpy as np

from lib.kernels import edge
from lib.ops import conv2d


def dense_params(inputs: int, units: int) -> int:
    """Weights plus biases of a Dense layer: inputs x units + units."""
    return inputs * units + units


def conv_params(kernel: int, channels: int, filters: int) -> int:
    """Weights plus biases of a Conv2D layer: k x k x C x N + N, whatever the image size."""
    return kernel * kernel * channels * filters + filters


def parameter_growth(sides, channels: int, units: int, kernel: int, filters: int) -> list[dict]:
    """Rows of (side, dense parameters, conv parameters) for square images of each side."""
    return [
        {"side": side, "inputs": side * side * channels,
         "dense": dense_params(side * side * channels, units), "conv": conv_params(kernel, channels, filters)}
        for side in sides
    ]


def pixel_permutation(shape, seed: int = 0) -> np.ndarray:
    """One fixed shuffle of the pixel positions of an image of `shape` (H, W)."""
    return np.random.default_rng(seed).permutation(int(np.prod(shape)))


def shuffle_pixels(image: np.ndarray, permutation: np.ndarray) -> np.ndarray:
    return image.reshape(-1)[permutation].reshape(image.shape)


def unshuffle_pixels(image: np.ndarray, permutation: np.ndarray) -> np.ndarray:
    restored = np.empty(image.size, dtype=image.dtype)
    restored[permutation] = image.reshape(-1)
    return restored.reshape(image.shape)


def shuffle_demo(image: np.ndarray, units: int = 16, seed: int = 0) -> dict:
    """Compare what a dense layer and a convolution make of an image and its shuffled copy.

    A dense layer whose weight columns are shuffled the same way gives exactly
    the same outputs on the shuffled image: no information was lost. The edge
    convolution of the shuffled image, put back in order, is not the edge map
    of the original: the neighbourhoods it relies on are gone.
    """
    permutation = pixel_permutation(image.shape, seed)
    shuffled = shuffle_pixels(image, permutation)
    weights = np.random.default_rng(seed + 1).normal(size=(units, image.size))
    dense_original = weights @ image.reshape(-1)
    dense_shuffled = weights[:, permutation] @ shuffled.reshape(-1)
    kernel = edge(3)
    conv_original = conv2d(image, kernel, padding="same")
    conv_shuffled = conv2d(shuffled, kernel, padding="same")
    conv_restored = unshuffle_pixels(conv_shuffled, permutation)
    scale = np.abs(conv_original).mean() or 1.0
    return {
        "shuffled": shuffled,
        "dense_max_difference": float(np.abs(dense_original - dense_shuffled).max()),
        "dense_scale": float(np.abs(dense_original).max()),
        "conv_original": conv_original,
        "conv_shuffled": conv_shuffled,
        "conv_restored": conv_restored,
        "conv_relative_difference": float(np.abs(conv_original - conv_restored).mean() / scale),
    }
