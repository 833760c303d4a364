"""Preprocessing drawings as MNIST was made, on drawings the tests generate."""

import numpy as np
import pytest

from lib.explore.drawing import EmptyDrawingError, preprocess_drawing, preprocess_photo
from tests.digit_strokes import DIGITS, place, rasterize


def digit_image(digit, size, left, top, width):
    return preprocess_drawing(rasterize(place(DIGITS[digit][0], size, left, top), width=width)).image


@pytest.mark.parametrize("digit", [2, 4, 7])
def test_large_small_and_off_centre_drawings_give_nearly_the_same_image(digit):
    large = digit_image(digit, 0.8, 0.1, 0.1, 24).astype(float)
    for size, left, top in [(0.25, 0.02, 0.02), (0.4, 0.55, 0.5), (0.5, 0.05, 0.45)]:
        other = digit_image(digit, size, left, top, int(24 * size / 0.8)).astype(float)
        # Mean absolute difference under 8% of the pixel range: the same digit, not just similar.
        assert np.abs(large - other).mean() < 0.08 * 255, (size, left, top)


def test_result_is_28x28_uint8_with_the_digit_in_a_20px_box_centred_by_mass():
    image = digit_image(1, 0.3, 0.7, 0.05, 8)
    assert image.shape == (28, 28) and image.dtype == np.uint8 and image.max() == 255
    rows = np.flatnonzero(image.max(axis=1) > 25)
    assert 18 <= rows[-1] - rows[0] + 1 <= 21
    total = image.sum()
    centre_y = (np.arange(28)[:, None] * image).sum() / total
    centre_x = (np.arange(28)[None, :] * image).sum() / total
    assert abs(centre_y - 13.5) <= 0.75 and abs(centre_x - 13.5) <= 0.75


def test_steps_can_be_switched_off():
    rgba = rasterize(place(DIGITS[3][0], 0.3, 0.05, 0.05), width=10)
    full = preprocess_drawing(rgba)
    naive = preprocess_drawing(rgba, crop_and_scale=False, centre_by_mass=False)
    assert [caption for caption, _ in naive.steps] == ["Ink", "Whole canvas shrunk to 28x28"]
    assert len(full.steps) == 5
    assert np.abs(full.image.astype(int) - naive.image.astype(int)).mean() > 20


def test_empty_canvas_is_refused():
    with pytest.raises(EmptyDrawingError, match="empty"):
        preprocess_drawing(rasterize([]))


def test_a_single_dot_is_refused_as_nearly_empty():
    with pytest.raises(EmptyDrawingError):
        preprocess_drawing(rasterize([[(100, 100), (101, 100)]], width=3))


def test_transparent_canvas_counts_as_no_ink():
    rgba = rasterize(place(DIGITS[5][0], 0.6, 0.2, 0.2))
    rgba = rgba.copy()
    rgba[..., 3] = 0
    with pytest.raises(EmptyDrawingError):
        preprocess_drawing(rgba)


def test_photo_of_dark_digit_on_light_uneven_paper_goes_the_same_way():
    drawing = rasterize(place(DIGITS[4][0], 0.6, 0.2, 0.2), width=20)[..., 0].astype(float)
    paper = 200 + 40 * np.linspace(0, 1, 280)[None, :]  # light, unevenly lit
    photo = np.clip(paper - drawing * 0.7, 0, 255)
    from_photo = preprocess_photo(photo).image.astype(float)
    from_canvas = preprocess_drawing(rasterize(place(DIGITS[4][0], 0.6, 0.2, 0.2), width=20)).image.astype(float)
    assert np.abs(from_photo - from_canvas).mean() < 0.08 * 255


def test_blank_paper_photo_is_refused():
    with pytest.raises(EmptyDrawingError, match="No writing"):
        preprocess_photo(np.full((100, 100), 230.0))


def test_a_small_thin_digit_is_not_mistaken_for_an_empty_canvas():
    image = preprocess_drawing(rasterize(place(DIGITS[1][0], 0.12, 0.1, 0.1), width=6)).image
    assert image.max() == 255


def test_a_blob_of_merged_strokes_gets_advice_and_a_clean_digit_does_not():
    blob = preprocess_drawing(rasterize(place(DIGITS[8][0], 0.12, 0.1, 0.1), width=30))
    assert blob.notes and "thinner stroke" in blob.notes[0]
    assert not preprocess_drawing(rasterize(place(DIGITS[8][0], 0.6, 0.1, 0.1), width=18)).notes
