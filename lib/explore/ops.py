"""Convolution and pooling in numpy, exact to what TensorFlow computes.

`conv2d` equals `tf.nn.conv2d` (a cross-correlation) and `pool2d` equals
`tf.nn.pool`, including SAME padding's uneven split (the extra row and column
go at the bottom and right) and strides that do not divide the input. Both
work by adding up shifted, strided views of the padded input, one per kernel
cell: a few dozen vectorized operations, fast enough for live sliders.

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


def _pad(image_hwc, pads_y, pads_x, value=0.0) -> np.ndarray:
    return np.pad(image_hwc, (pads_y, pads_x, (0, 0)), constant_values=value)


def _window_views(padded, kh, kw, stride, dilation, out_h, out_w):
    """Yield (i, j, view): for kernel tap (i, j), the input cells it meets at every output position."""
    sy, sx = stride
    dy, dx = dilation
    for i in range(kh):
        for j in range(kw):
            top, left = i * dy, j * dx
            yield i, j, padded[top: top + sy * (out_h - 1) + 1: sy, left: left + sx * (out_w - 1) + 1: sx]


def _geometry(shape_hw, kernel_hw, stride, padding, dilation):
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
    stride, dilation, (out_h, out_w), (pads_y, pads_x) = _geometry(image.shape[:2], kernel.shape[:2], stride, padding, dilation)
    output = np.zeros((out_h, out_w))
    if out_h == 0 or out_w == 0:
        return output
    padded = _pad(image, pads_y, pads_x)
    for i, j, view in _window_views(padded, kernel.shape[0], kernel.shape[1], stride, dilation, out_h, out_w):
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
    stride, _dilation, (out_h, out_w), (pads_y, pads_x) = _geometry(image.shape[:2], size, stride, padding, 1)
    channels = image.shape[2]
    if out_h == 0 or out_w == 0:
        output = np.zeros((out_h, out_w, channels))
    elif mode == "max":
        padded = _pad(image, pads_y, pads_x, value=-np.inf)
        output = np.full((out_h, out_w, channels), -np.inf)
        for *_tap, view in _window_views(padded, *size, stride, (1, 1), out_h, out_w):
            np.maximum(output, view, out=output)
    else:
        padded = _pad(image, pads_y, pads_x)
        counts = _pad(np.ones(image.shape[:2] + (1,)), pads_y, pads_x)
        output = np.zeros((out_h, out_w, channels))
        cells = np.zeros((out_h, out_w, 1))
        for (*_tap, view), (*_same_tap, count) in zip(
            _window_views(padded, *size, stride, (1, 1), out_h, out_w),
            _window_views(counts, *size, stride, (1, 1), out_h, out_w),
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
    stride, _dilation, out, pads = _geometry(tuple(shape_hw), size, size if stride is None else stride, padding, 1)
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
    *_rest, (pads_y, pads_x) = _geometry(image.shape[:2], kernel_hw, stride, padding, dilation)
    return _pad(image, pads_y, pads_x, value=value)


def window_at(image, kernel_hw, out_y, out_x, stride=1, padding="valid", dilation=1):
    """The padded-input rows and columns that output (out_y, out_x) reads."""
    image = _as_hwc(image)
    stride, dilation, (out_h, out_w), _pads = _geometry(image.shape[:2], kernel_hw, stride, padding, dilation)
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
    stride, dilation, (out_h, out_w), (pads_y, pads_x) = _geometry(volume.shape[:2], (kh, kw), stride, padding, dilation)
    output = np.zeros((out_h, out_w, kernels.shape[3]))
    if out_h and out_w:
        padded = _pad(volume, pads_y, pads_x)
        for i, j, view in _window_views(padded, kh, kw, stride, dilation, out_h, out_w):
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
