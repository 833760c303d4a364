"""Diverging colour scales of kernels and products are centred on zero."""

import numpy as np

from lib.explore.kernels import preset
from ui.pictures import kernel_slices, number_grid


def test_all_positive_blur_kernel_is_drawn_on_a_scale_centred_on_zero():
    heatmap = number_grid(preset("gaussian_blur", 3), "blur", diverging=True).data[0]
    assert heatmap.zmin == -heatmap.zmax and heatmap.zmax == preset("gaussian_blur", 3).max()


def test_kernel_slices_share_one_scale_centred_on_zero():
    kernels = np.random.default_rng(0).normal(size=(3, 3, 2, 4)) + 5
    axis = kernel_slices(kernels).layout.coloraxis
    assert axis.cmin == -axis.cmax and axis.cmax == np.abs(kernels).max()
    assert len(kernel_slices(kernels).data) == 8  # one panel per kernel slice


def test_pixel_grids_stay_gray():
    assert number_grid(np.ones((2, 2)), "pixels").data[0].zmid is None
