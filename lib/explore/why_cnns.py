"""The arithmetic behind "why CNNs": parameter counts, pixel shuffling and shifted digits.

A dense layer gives every unit a weight per input value, so its size grows
with the image; a convolutional layer shares one small kernel across the image,
so its size does not. A dense layer never uses which pixels are neighbours, so
shuffling them costs it nothing, while a convolution works on neighbourhoods
that a shuffle destroys. What neighbourhoods buy shows when a digit moves: the
same kernels find the same strokes a few pixels further on.

Nothing here imports TensorFlow: the shift experiment takes a classifier (any
object with `predict_proba`, such as lib.keras_views.predict.Classifier) from its caller.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lib.explore.kernels import edge
from lib.explore.ops import conv2d
from lib.i18n import N_, _


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


def correlation(first: np.ndarray, second: np.ndarray) -> float:
    """Pearson's correlation of two arrays' values (0 when either is flat)."""
    first, second = np.ravel(first).astype(np.float64), np.ravel(second).astype(np.float64)
    if first.std() == 0 or second.std() == 0:
        return 0.0
    return float(np.corrcoef(first, second)[0, 1])


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
    # What the restored map looks like: each output keeps its own pixel times the kernel's centre weight, but the
    # neighbours it subtracts were random pixels, so it resembles the image far more than the image's edges.
    return {
        "centre_weight": float(kernel[kernel.shape[0] // 2, kernel.shape[1] // 2]),
        "restored_vs_image": correlation(conv_restored, image),
        "restored_vs_edges": correlation(conv_restored, conv_original),
        "shuffled": shuffled,
        "dense_max_difference": float(np.abs(dense_original - dense_shuffled).max()),
        "dense_scale": float(np.abs(dense_original).max()),
        "conv_original": conv_original,
        "conv_shuffled": conv_shuffled,
        "conv_restored": conv_restored,
        "conv_relative_difference": float(np.abs(conv_original - conv_restored).mean() / scale),
    }


# Right, left, down and up: a digit moved any way counts the same, so the accuracy at a shift is their mean.
SHIFT_DIRECTIONS = ((0, 1), (0, -1), (1, 0), (-1, 0))


def shift_images(images: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Images (n, H, W) moved `rows` pixels down and `cols` right (negative: up, left); vacated pixels are 0."""
    images = np.asarray(images)
    height, width = images.shape[-2:]
    if abs(rows) >= height or abs(cols) >= width:
        raise ValueError(_("A shift of ({rows}, {cols}) moves a {height} x {width} image out of its frame.").format(
            rows=rows, cols=cols, height=height, width=width))
    shifted = np.zeros_like(images)
    shifted[..., max(rows, 0): height + min(rows, 0), max(cols, 0): width + min(cols, 0)] = \
        images[..., max(-rows, 0): height + min(-rows, 0), max(-cols, 0): width + min(-cols, 0)]
    return shifted


def accuracy_under_shift(classifier, images: np.ndarray, labels: np.ndarray, shifts: Sequence[int]) -> list[float]:
    """For each shift s: the share of `images` the classifier reads right when each is moved s pixels,
    averaged over moving them right, left, down and up.

    `classifier` is any object with `predict_proba` of raw 0-255 images (lib.keras_views.predict.Classifier is
    one); this module stays free of TensorFlow, so its caller loads the model.
    """
    labels = np.asarray(labels)
    if len(images) != len(labels) or not len(labels):
        raise ValueError(_("Give one label per image: {images} images, {labels} labels.").format(
            images=len(images), labels=len(labels)))
    predict = getattr(classifier, "predict_batches", classifier.predict_proba)
    accuracies = []
    for shift in shifts:
        if shift < 0:
            raise ValueError(_("Shifts are distances in pixels, 0 or more; got {shift}.").format(shift=shift))
        moves = [(0, 0)] if shift == 0 else [(rows * shift, cols * shift) for rows, cols in SHIFT_DIRECTIONS]
        batch = np.concatenate([shift_images(images, rows, cols) for rows, cols in moves])
        correct = predict(batch).argmax(axis=1) == np.tile(labels, len(moves))
        accuracies.append(float(correct.mean()))
    return accuracies


def shift_caption(shifts: Sequence[int], cnn: Sequence[float], dense: Sequence[float], count: int,
                  cnn_name: str = "LeNet-5", dense_name: str = N_("the dense network")) -> str:
    """What the accuracy-under-shift chart shows, in sentences written from its numbers, in the reader's language.

    The middle sentence looks at the first shift that costs either model at least ten points of accuracy
    (the last shift if none does): how much each has lost there. The names are translated here (the default
    dense name is marked for the catalog); every sentence gets both the plain and the capitalised dense name.
    """
    shifts, cnn, dense = list(shifts), np.asarray(cnn, float), np.asarray(dense, float)
    if not (len(shifts) == len(cnn) == len(dense) >= 2):
        raise ValueError(_("Give both models' accuracy at the same two or more shifts."))
    cnn_name, dense_name = _(cnn_name), _(dense_name)
    names = {"cnn": cnn_name, "dense": dense_name, "dense_title": dense_name[:1].upper() + dense_name[1:]}
    sentences = [_("At {shift} pixels {cnn} reads {cnn_accuracy:.1%} of these {count:,} test digits and "
                   "{dense} {dense_accuracy:.1%}.").format(shift=shifts[0], cnn_accuracy=cnn[0], count=count,
                                                           dense_accuracy=dense[0], **names)]
    losses = np.maximum(cnn[0] - cnn, dense[0] - dense)
    telling = next((index for index in range(1, len(shifts)) if losses[index] >= 0.1), len(shifts) - 1)
    sentences.append(_("Moved {shift} pixels, {cnn} loses {cnn_loss:.1f} points (to {cnn_accuracy:.1%}) and {dense} "
                       "{dense_loss:.1f} (to {dense_accuracy:.1%}).").format(
        shift=shifts[telling], cnn_loss=(cnn[0] - cnn[telling]) * 100, cnn_accuracy=cnn[telling],
        dense_loss=(dense[0] - dense[telling]) * 100, dense_accuracy=dense[telling], **names))
    gaps = (cnn - dense)[1:]
    if np.all(gaps > 0):
        sentences.append(_("{cnn} is ahead at every shift.").format(**names))
    elif np.all(gaps < 0):
        sentences.append(_("{dense_title} is ahead at every shift.").format(**names))
    else:
        ahead = [str(shift) for shift, gap in zip(shifts[1:], gaps) if gap < 0]
        sentences.append(_("{dense_title} is ahead at {shifts} pixels only.").format(shifts=", ".join(ahead), **names))
    if telling != len(shifts) - 1:
        sentences.append(_("At {shift} pixels: {cnn} {cnn_accuracy:.1%}, {dense} {dense_accuracy:.1%}.").format(
            shift=shifts[-1], cnn_accuracy=cnn[-1], dense_accuracy=dense[-1], **names))
    return " ".join(sentences)
