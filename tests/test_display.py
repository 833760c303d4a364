"""What the explorer pages draw: colours that stand for numbers, and charts that say which."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from lib.explore.images import DIVERGING_COLOURS, png_data_uri, signed_colours, to_display
from ui.pictures import kernel_slices, number_grid, picture


def test_signed_colours_put_white_at_zero_and_the_scale_ends_at_plus_and_minus_reach():
    colours = signed_colours(np.array([[-2.0, 0.0, 2.0]]), reach=2.0)
    assert colours[0].tolist() == [list(DIVERGING_COLOURS[0]), list(DIVERGING_COLOURS[5]), list(DIVERGING_COLOURS[-1])]


def test_signed_colours_draw_values_beyond_reach_as_the_ends_of_the_scale():
    colours = signed_colours(np.array([[-50.0, 50.0]]), reach=1.0)
    assert colours[0].tolist() == [list(DIVERGING_COLOURS[0]), list(DIVERGING_COLOURS[-1])]


def test_to_display_on_a_fixed_range_clips_instead_of_stretching():
    np.testing.assert_array_equal(to_display(np.array([-10.0, 0.0, 127.5, 255.0, 300.0]), (0, 255)),
                                  [0, 0, 128, 255, 255])


def test_png_data_uri_decodes_to_the_same_pixels():
    pixels = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    encoded = png_data_uri(pixels).removeprefix("data:image/png;base64,")
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded)))), pixels)


def colour_bar_range(figure) -> tuple[float, float]:
    marker = next(trace.marker for trace in figure.data if trace.type == "scatter")
    assert marker.showscale
    return marker.cmin, marker.cmax


def test_picture_of_signed_values_has_a_bar_centred_on_zero():
    values = np.random.default_rng(1).normal(size=(40, 30)) * 100
    low, high = colour_bar_range(picture(values, "output"))
    assert low == -high and 0 < high <= np.abs(values).max()


def test_picture_of_pixels_has_a_bar_over_the_range_it_is_given():
    assert colour_bar_range(picture(np.full((10, 10), 40.0), "input", value_range=(0, 255))) == (0, 255)


def test_colour_picture_is_drawn_as_it_is_without_a_bar():
    figure = picture(np.zeros((4, 4, 3)), "colour photo")
    assert [trace.type for trace in figure.data] == ["image"]


def test_picture_keeps_pixels_square_for_its_column():
    figure = picture(np.zeros((100, 200)), "wide", width=400)
    plot_height = figure.layout.height - figure.layout.margin.t - figure.layout.margin.b
    plot_width = 400 - figure.layout.margin.l - figure.layout.margin.r
    assert plot_height == pytest.approx(plot_width / 2, abs=1)


def test_kernel_slices_put_kernel_n_in_column_n_and_channel_d_in_row_d():
    kernels = np.random.default_rng(2).normal(size=(3, 3, 2, 4))
    figure = kernel_slices(kernels)
    for n in range(4):
        for d in range(2):
            axis = figure.get_subplot(d + 1, n + 1).xaxis.plotly_name.replace("axis", "")
            trace = next(trace for trace in figure.data if trace.xaxis == axis)
            np.testing.assert_array_equal(trace.z, kernels[:, :, d, n])


def test_kernel_slices_fit_the_width_they_are_given():
    assert kernel_slices(np.zeros((5, 5, 6, 16)), width=820).layout.width <= 820


def test_number_grid_names_its_axes_and_its_scale():
    figure = number_grid(np.eye(3), "pixels", scale_title="pixel value")
    assert (figure.layout.xaxis.title.text, figure.layout.yaxis.title.text) == ("column", "row")
    assert figure.data[0].colorbar.title.text == "pixel value"


def test_number_grid_too_small_for_its_numbers_shows_them_on_hover():
    figure = number_grid(np.zeros((14, 14)), "crop", width=300)
    assert figure.data[0].texttemplate == "" and "%{text}" in figure.data[0].hovertemplate
