"""Kernel presets and the custom-kernel grid parser."""

import numpy as np
import pytest

from lib.explore.kernels import DEFAULT_PRESET, PRESET_EFFECTS, PRESETS, SIZES, parse_kernel, preset


def test_book_gaussian_kernel_is_exact():
    expected = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16
    np.testing.assert_array_equal(preset("gaussian_blur", 3), expected)


def test_book_edge_kernel_is_exact():
    expected = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
    np.testing.assert_array_equal(preset("edge_detection", 3), expected)


@pytest.mark.parametrize("name", PRESETS)
@pytest.mark.parametrize("size", SIZES)
def test_every_preset_exists_in_every_size(name, size):
    assert preset(name, size).shape == (size, size)


@pytest.mark.parametrize("name", ["gaussian_blur", "box_blur", "sharpen", "identity"])
def test_brightness_preserving_kernels_sum_to_one(name):
    for size in SIZES:
        assert preset(name, size).sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["edge_detection", "sobel_x", "laplacian"])
def test_edge_kernels_ignore_flat_regions(name):
    for size in SIZES:
        assert preset(name, size).sum() == pytest.approx(0.0, abs=1e-12)


def test_parse_kernel_reads_numbers_typed_as_text():
    np.testing.assert_array_equal(parse_kernel([["1", " -2.5"], ["0", "3e1"]]), [[1, -2.5], [0, 30]])


def test_parse_kernel_names_the_empty_cell():
    with pytest.raises(ValueError, match=r"row 2, column 1\) is empty"):
        parse_kernel([["1", "2"], ["", "3"]])


def test_parse_kernel_names_the_non_numeric_cell():
    with pytest.raises(ValueError, match=r"row 1, column 2\) holds 'x'"):
        parse_kernel([["1", "x"]])


def test_parse_kernel_refuses_infinity():
    with pytest.raises(ValueError, match="finite"):
        parse_kernel([["inf"]])


def test_default_kernel_turns_a_step_edge_into_a_strong_line_and_flat_areas_into_zero():
    from lib.explore.images import pattern
    from lib.explore.ops import conv2d

    output = conv2d(pattern("step_edge"), preset(DEFAULT_PRESET, 3))
    flat = np.abs(output).max(axis=0) < 1e-9
    assert flat.sum() == output.shape[1] - 2  # every column but the two the edge passes through
    assert np.abs(output).max() >= 255  # the edge is as bright as a full pixel step, or more


def test_every_preset_says_what_it_does():
    assert set(PRESET_EFFECTS) == set(PRESETS)
