"""Explorer figures are kept server-wide by what they are made of (ui.pictures.shared_figure)."""

import numpy as np

from lib.i18n import language_override
from ui.pictures import number_grid, picture


def test_the_same_arguments_give_the_same_figure_and_any_change_a_new_one():
    values = np.arange(12, dtype=float).reshape(3, 4)
    first = picture(values, "title", scale_title="pixel value")
    assert picture(values.copy(), "title", scale_title="pixel value") is first  # equal bytes, another array
    changed = values.copy()
    changed[2, 3] += 1e-9  # one value in the last cell
    assert picture(changed, "title", scale_title="pixel value") is not first
    assert picture(values, "title", scale_title="pixel value", width=300) is not first
    assert picture(values, "title", scale_title="pixel value", box=(0, 0, 2, 2)) is not first
    assert picture(values.astype(np.float32), "title", scale_title="pixel value") is not first  # another dtype
    assert picture(values.reshape(4, 3), "title", scale_title="pixel value") is not first  # another shape


def test_a_kept_figure_is_kept_per_language():
    values = np.eye(3)
    with language_override("en"):
        english = number_grid(values, "grid")
    with language_override("ko"):
        korean = number_grid(values, "grid")
    assert korean is not english
    assert korean.to_dict()["layout"]["yaxis"]["title"]["text"] != english.to_dict()["layout"]["yaxis"]["title"]["text"]


def test_a_kept_figure_serializes_what_it_shows():
    values = np.array([[0.0, 1.0], [2.0, 3.0]])
    figure = number_grid(values, "two by two", decimals=0)
    made = figure.to_dict()
    assert made is figure.to_dict()  # made once
    assert made["data"][0]["type"] == "heatmap" and made["layout"]["title"]["text"] == "two by two"
    np.testing.assert_array_equal(figure.data[0].z, values)
    assert np.asarray(figure.data[0].text).tolist() == [["0", "1"], ["2", "3"]]


def test_the_outline_box_is_drawn_where_asked():
    figure = picture(np.zeros((10, 10)), "crop", box=(2, 3, 4, 5))
    (shape,) = figure.to_dict()["layout"]["shapes"]
    assert (shape["x0"], shape["x1"], shape["y0"], shape["y1"]) == (2.5, 7.5, 1.5, 5.5)
