"""Convolution and pooling in numpy, exact to what TensorFlow computes.

`conv2d` equals `tf.nn.conv2d` (a cross-correlation) and `pool2d` equals
`tf.nn.pool`, including SAME padding's uneven split (the extra row and column
go at the bottom and right) and strides that do not divide the input. Both
work by adding up shifted, strided views of the padded input, one per kernel
cell: a few dozen vectorized operations, fast enough for live sliders. The
step-throughs (`conv_step`, `pool_step`) show how one output value comes
about; a whole multi-channel layer is lib.explore.conv_layer's.

This module imports numpy only, so the explorer pages open without TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.i18n import _

PADDINGS = ("valid", "same")


def as_pair(value, name: str) -> tuple[int, int]:
    """(rows, columns) from one number or a pair, as Keras accepts kernel sizes and strides; `name` is for the error."""
    pair = (value, value) if np.isscalar(value) else tuple(value)
    if len(pair) != 2 or any(int(v) != v or v < 1 for v in pair):
        raise ValueError(_("{name} must be a positive int or a pair of them; got {value!r}.").format(name=name, value=value))
    return int(pair[0]), int(pair[1])


def _check_padding(padding) -> None:
    if (padding not in PADDINGS) if isinstance(padding, str) else (int(padding) != padding or padding < 0):
        raise ValueError(_("padding must be 'valid', 'same' or an int >= 0; got {padding!r}.").format(padding=padding))


def dilated_size(k: int, dilation: int = 1) -> int:
    """How many input cells a kernel of k taps spans when dilated."""
    return dilation * (k - 1) + 1


def conv_output_size(n: int, k: int, stride: int = 1, padding="valid", dilation: int = 1) -> int:
    """The output length along one axis, as TensorFlow computes it.

    valid: floor((n - d(k-1) - 1) / s) + 1; same: ceil(n / s);
    explicit p: floor((n + 2p - d(k-1) - 1) / s) + 1. Zero when the kernel
    does not fit.
    """
    _check_padding(padding)
    span = dilated_size(k, dilation)
    if padding == "same":
        return -(-n // stride)
    extra = 0 if padding == "valid" else 2 * int(padding)
    return max((n + extra - span) // stride + 1, 0)


def padding_amounts(n: int, k: int, stride: int = 1, padding="valid", dilation: int = 1) -> tuple[int, int]:
    """Zero cells added (before, after) along one axis.

    SAME pads just enough that ceil(n / s) windows fit, and when the total is
    odd TensorFlow puts the extra cell after (bottom or right).
    """
    _check_padding(padding)
    if padding == "valid":
        return 0, 0
    if padding == "same":
        out = conv_output_size(n, k, stride, "same", dilation)
        total = max((out - 1) * stride + dilated_size(k, dilation) - n, 0)
        return total // 2, total - total // 2
    return int(padding), int(padding)


def _as_hwc(image) -> np.ndarray:
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 2:
        return image[:, :, np.newaxis]
    if image.ndim == 3:
        return image
    raise ValueError(_("image must be (H, W) or (H, W, C); got shape {shape}.").format(shape=image.shape))


def pad_input(image_hwc, pads_y, pads_x, value=0.0) -> np.ndarray:
    """An (H, W, C) input with `pads_y` rows (top, bottom) and `pads_x` columns (left, right) of `value` added."""
    return np.pad(image_hwc, (pads_y, pads_x, (0, 0)), constant_values=value)


def window_views(padded, kh, kw, stride, dilation, out_h, out_w):
    """Yield (i, j, view): for kernel tap (i, j), the input cells it meets at every output position."""
    sy, sx = stride
    dy, dx = dilation
    for i in range(kh):
        for j in range(kw):
            top, left = i * dy, j * dx
            yield i, j, padded[top: top + sy * (out_h - 1) + 1: sy, left: left + sx * (out_w - 1) + 1: sx]


def window_geometry(shape_hw, kernel_hw, stride, padding, dilation):
    """(stride, dilation, output size, padding) of a window sliding over `shape_hw`, each a (rows, columns) pair."""
    _check_padding(padding)
    stride = as_pair(stride, "stride")
    dilation = as_pair(dilation, "dilation")
    out = tuple(conv_output_size(n, k, s, padding, d) for n, k, s, d in zip(shape_hw, kernel_hw, stride, dilation))
    pads = tuple(padding_amounts(n, k, s, padding, d) for n, k, s, d in zip(shape_hw, kernel_hw, stride, dilation))
    return stride, dilation, out, pads


def conv2d(image, kernel, stride=1, padding="valid", dilation=1) -> np.ndarray:
    """Cross-correlate `image` with one `kernel`, as `tf.nn.conv2d` does.

    image (H, W) or (H, W, C); kernel (kh, kw), applied to every channel, or
    (kh, kw, C), one slice per channel; the channels are summed, so the output
    is (out_h, out_w). It is empty (a zero dimension) when the kernel does not
    fit in the padded image.
    """
    image = _as_hwc(image)
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim == 2:
        kernel = np.repeat(kernel[:, :, np.newaxis], image.shape[2], axis=2)
    if kernel.ndim != 3 or kernel.shape[2] != image.shape[2] or 0 in kernel.shape:
        raise ValueError(_("kernel must be (kh, kw) or (kh, kw, {channels}); got shape {shape}.").format(
            channels=image.shape[2], shape=kernel.shape))
    stride, dilation, (out_h, out_w), (pads_y, pads_x) = window_geometry(image.shape[:2], kernel.shape[:2], stride, padding, dilation)
    output = np.zeros((out_h, out_w))
    if out_h == 0 or out_w == 0:
        return output
    padded = pad_input(image, pads_y, pads_x)
    for i, j, view in window_views(padded, kernel.shape[0], kernel.shape[1], stride, dilation, out_h, out_w):
        # A plain multiply-add is much faster than a matmul over one channel.
        output += view[:, :, 0] * kernel[i, j, 0] if view.shape[2] == 1 else view @ kernel[i, j]
    return output


def pool2d(image, size, stride=None, padding="valid", mode="max") -> np.ndarray:
    """Max or average pooling per channel, as `tf.nn.pool` does.

    `stride` defaults to `size`. SAME max pooling never picks a padded cell and
    SAME average pooling divides by the real cells in each window only.
    Returns (out_h, out_w) for a 2-D image and (out_h, out_w, C) otherwise.
    """
    if mode not in ("max", "avg"):
        raise ValueError(_("mode must be 'max' or 'avg'; got {mode!r}.").format(mode=mode))
    if not isinstance(padding, str):
        raise ValueError(_("pooling padding must be 'valid' or 'same'; got {padding!r}.").format(padding=padding))
    size = as_pair(size, "size")
    # A stride larger than the window is allowed, as tf.nn.max_pool2d and keras.layers.MaxPooling2D allow it
    # (only the generic tf.nn.pool refuses it): the windows then skip inputs (see `uncovered_inputs`).
    stride = size if stride is None else as_pair(stride, "stride")
    was_2d = np.asarray(image).ndim == 2
    image = _as_hwc(image)
    stride, _dilation, (out_h, out_w), (pads_y, pads_x) = window_geometry(image.shape[:2], size, stride, padding, 1)
    channels = image.shape[2]
    if out_h == 0 or out_w == 0:
        output = np.zeros((out_h, out_w, channels))
    elif mode == "max":
        padded = pad_input(image, pads_y, pads_x, value=-np.inf)
        output = np.full((out_h, out_w, channels), -np.inf)
        for *_tap, view in window_views(padded, *size, stride, (1, 1), out_h, out_w):
            np.maximum(output, view, out=output)
    else:
        padded = pad_input(image, pads_y, pads_x)
        counts = pad_input(np.ones(image.shape[:2] + (1,)), pads_y, pads_x)
        output = np.zeros((out_h, out_w, channels))
        cells = np.zeros((out_h, out_w, 1))
        for (*_tap, view), (*_same_tap, count) in zip(
            window_views(padded, *size, stride, (1, 1), out_h, out_w),
            window_views(counts, *size, stride, (1, 1), out_h, out_w),
        ):
            output += view
            cells += count
        output /= cells
    return output[:, :, 0] if was_2d else output


def uncovered_inputs(shape_hw, size, stride=None, padding="valid") -> np.ndarray:
    """A (H, W) boolean mask of the input cells that no pooling window reads.

    With a stride larger than the window, whole rows and columns fall between windows: the output is a sparse
    sampling of the input. VALID pooling also never reads the last rows and columns when the windows do not
    reach them.
    """
    size = as_pair(size, "size")
    stride, _dilation, out, pads = window_geometry(tuple(shape_hw), size, size if stride is None else stride, padding, 1)
    covered = []
    for n, k, s, count, (before, _after) in zip(shape_hw, size, stride, out, pads):
        axis = np.zeros(n, dtype=bool)
        for index in range(count):
            start = index * s - before
            axis[max(start, 0): max(start + k, 0)] = True
        covered.append(axis)
    return ~np.outer(covered[0], covered[1])


@dataclass(frozen=True)
class WindowStep:
    """How one output value comes about: the window on the padded input and its sum."""

    top: int  # row of the window's first tap in the padded input
    left: int  # column of the window's first tap in the padded input
    rows: np.ndarray  # padded-input row of each tap
    cols: np.ndarray  # padded-input column of each tap
    patch: np.ndarray  # input values under the taps, (kh, kw) or (kh, kw, C)
    products: np.ndarray | None  # patch * kernel for a convolution, None for pooling
    value: float  # the output value


def padded_input(image, kernel_hw, stride=1, padding="valid", dilation=1, value=0.0) -> np.ndarray:
    """The input with the zero rows and columns that the given padding adds."""
    image = _as_hwc(image)
    *_rest, (pads_y, pads_x) = window_geometry(image.shape[:2], kernel_hw, stride, padding, dilation)
    return pad_input(image, pads_y, pads_x, value=value)


def window_at(image, kernel_hw, out_y, out_x, stride=1, padding="valid", dilation=1):
    """The padded-input rows and columns that output (out_y, out_x) reads."""
    image = _as_hwc(image)
    stride, dilation, (out_h, out_w), _pads = window_geometry(image.shape[:2], kernel_hw, stride, padding, dilation)
    if not (0 <= out_y < out_h and 0 <= out_x < out_w):
        raise ValueError(_("output position ({row}, {column}) is outside the {height}x{width} output.").format(
            row=out_y, column=out_x, height=out_h, width=out_w))
    top, left = out_y * stride[0], out_x * stride[1]
    rows = top + dilation[0] * np.arange(kernel_hw[0])
    cols = left + dilation[1] * np.arange(kernel_hw[1])
    return top, left, rows, cols


def conv_step(image, kernel, out_y, out_x, stride=1, padding="valid", dilation=1) -> WindowStep:
    """The receptive field, element-wise products and sum behind one convolution output."""
    image = _as_hwc(image)
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim == 2:
        kernel = np.repeat(kernel[:, :, np.newaxis], image.shape[2], axis=2)
    top, left, rows, cols = window_at(image, kernel.shape[:2], out_y, out_x, stride, padding, dilation)
    padded = padded_input(image, kernel.shape[:2], stride, padding, dilation)
    patch = padded[np.ix_(rows, cols)]
    products = patch * kernel
    return WindowStep(top, left, rows, cols, patch, products, float(products.sum()))


def pool_step(image, size, out_y, out_x, stride=None, padding="valid", mode="max") -> WindowStep:
    """The window and the value behind one pooling output (first channel)."""
    size = as_pair(size, "size")
    stride = size if stride is None else stride
    image = _as_hwc(image)[:, :, :1]
    top, left, rows, cols = window_at(image, size, out_y, out_x, stride, padding)
    padded = padded_input(image, size, stride, padding, value=np.nan)
    patch = padded[np.ix_(rows, cols)][:, :, 0]
    value = np.nanmax(patch) if mode == "max" else np.nanmean(patch)
    return WindowStep(top, left, rows, cols, patch, None, float(value))
