"""lib.engine.image_prep's decisions on real low-resolution images: the paper's level, the ink's polarity, what
counts as ink; and the "use as is" preparation that only resizes.

The digit below is the first of the UCI hand-written digits (scikit-learn's `load_digits`): 8 x 8 pixels of 17
levels (0-16), light ink on dark, ink touching the top and bottom rows of its frame, the way that set was cut.
"""

import numpy as np
import pytest

from lib.cli import build_parser, parse_config
from lib.engine.config import PREPARATIONS, TrainingConfig
from lib.engine.image_prep import background_level, ink_of, paper_noise, prepare_image
from lib.engine.image_sets import ImageSetError, load_image_set, read_image_bytes
from tests.shape_drawings import encoded

UCI_ZERO = np.array([[0, 0, 5, 13, 9, 1, 0, 0],
                     [0, 0, 13, 15, 10, 15, 5, 0],
                     [0, 3, 15, 2, 0, 11, 8, 0],
                     [0, 4, 12, 0, 0, 8, 8, 0],
                     [0, 5, 8, 0, 0, 9, 8, 0],
                     [0, 4, 11, 0, 1, 12, 7, 0],
                     [0, 2, 14, 5, 10, 12, 0, 0],
                     [0, 0, 6, 13, 10, 0, 0, 0]])


def sixteen_levels(levels: np.ndarray, repeat: int = 4) -> np.ndarray:
    """Levels 0-16 as uint8 gray 0-255, each pixel repeated `repeat` x `repeat` (the set enlarged to 32 x 32)."""
    return np.kron(np.round(levels * 255 / 16), np.ones((repeat, repeat))).astype(np.uint8)


def with_margin(pixels: np.ndarray, margin: int, paper: int) -> np.ndarray:
    return np.pad(pixels, margin, constant_values=paper)


def test_ink_touching_the_frame_is_not_taken_for_paper():
    """The tightly cut digit is prepared as the same digit with room around it: its frame's ink (a quarter of
    the frame, at many levels) does not raise the paper's level or its noise."""
    tight = sixteen_levels(UCI_ZERO)
    roomy = with_margin(tight, 16, 0)
    assert background_level(tight.astype(float)) == 0
    assert paper_noise(tight.astype(float), 0.0) == paper_noise(roomy.astype(float), 0.0)
    assert np.abs(prepare_image(tight).astype(int) - prepare_image(roomy).astype(int)).mean() < 2


def test_the_polarity_of_a_tightly_cut_digit_follows_its_paper():
    light_on_dark = sixteen_levels(UCI_ZERO)
    dark_on_light = 255 - light_on_dark
    np.testing.assert_allclose(prepare_image(dark_on_light).astype(int), prepare_image(light_on_dark).astype(int),
                               atol=2)
    assert background_level(dark_on_light.astype(float)) == 255


def test_the_paper_is_the_frames_most_common_level_even_where_ink_covers_most_of_the_frame():
    """Ink at many levels (an anti-aliased stroke) over 60 % of the frame: the median would be ink, the most
    common level is still the paper's."""
    pixels = np.full((40, 40), 30, np.uint8)
    frame = np.zeros((40, 40), bool)
    frame[0], frame[-1], frame[:, 0], frame[:, -1] = True, True, True, True
    rng = np.random.default_rng(0)
    inked = frame & (rng.random((40, 40)) < 0.6)
    pixels[inked] = rng.integers(120, 256, inked.sum())
    pixels[10:30, 18:22] = 240
    assert inked[frame].mean() > 0.5 and np.median(pixels[frame]) > 100
    assert background_level(pixels.astype(float)) == 30
    prepared = prepare_image(pixels)
    assert prepared[0].max() == 0 and prepared.max() == 255  # ink on a black field, not the other way round


def test_every_gray_level_of_a_clean_16_level_image_is_ink_in_order():
    """Fifteen bars at levels 1/16 to 15/16 on black: each is ink, fainter levels fainter ink (a soft threshold at
    a quarter of the strongest would have erased the four faintest)."""
    levels = np.zeros((8, 32))
    levels[2:6, 1:31:2] = np.arange(1, 16)
    levels[2:6, 31] = 16
    ink = ink_of(sixteen_levels(levels))
    bars = [ink[8:24, 4 * column].mean() for column in range(1, 31, 2)]
    assert all(value > 0 for value in bars)
    assert (np.diff(bars) > 0).all()


def test_a_faint_stroke_joined_to_a_strong_one_is_kept():
    levels = np.zeros((8, 8))
    levels[1:7, 2] = 16  # a strong upright stroke
    levels[4, 3:7] = 3   # a faint bar off it, 3 of 16 levels
    prepared = prepare_image(sixteen_levels(levels))
    rows = np.flatnonzero(prepared.max(axis=1) > 25)
    cols = np.flatnonzero(prepared.max(axis=0) > 25)
    # The faint bar widens the ink's box: a stroke alone would be a narrow column.
    assert cols[-1] - cols[0] + 1 >= 0.5 * (rows[-1] - rows[0] + 1)


def test_grainy_paper_keeps_its_grain_out_and_its_ink_in():
    rng = np.random.default_rng(1)
    paper = rng.normal(200, 6, (64, 64)).clip(0, 255)
    assert 3 * 4 < paper_noise(paper, background_level(paper)) < 3 * 8 + 2
    paper[12:52, 30:34] = 60
    prepared = prepare_image(paper.astype(np.uint8))
    assert (prepared[:, :8] == 0).all() and (prepared[:, -8:] == 0).all() and prepared.max() == 255


def test_lighting_that_varies_across_the_paper_is_not_ink():
    """Paper lit from one side (180 to 230 across the frame) with an upright stroke: only the stroke is ink."""
    pixels = np.tile(np.linspace(180, 230, 80), (80, 1))
    pixels[20:60, 38:42] = 40
    prepared = prepare_image(pixels.astype(np.uint8))
    rows, cols = np.flatnonzero(prepared.max(axis=1) > 25), np.flatnonzero(prepared.max(axis=0) > 25)
    assert rows[-1] - rows[0] + 1 >= 19 and cols[-1] - cols[0] + 1 <= 4  # a bar, not the lit half of the page


def test_a_16_level_jpeg_reads_as_its_png():
    tight = with_margin(sixteen_levels(UCI_ZERO), 4, 0)
    from_png = read_image_bytes(encoded(tight, "png"), "zero.png")
    from_jpeg = read_image_bytes(encoded(tight, "jpg"), "zero.jpg")
    assert np.abs(from_png.astype(int) - from_jpeg.astype(int)).mean() < 6


# --- use as is ----------------------------------------------------------------------------------------------------

def test_as_is_only_resizes_keeping_polarity_and_margins():
    paper = np.full((56, 56), 240, np.uint8)
    paper[4:16, 4:16] = 10  # a dark blot in the top left corner
    kept = prepare_image(paper, "as_is")
    assert kept.shape == (28, 28) and kept.dtype == np.uint8
    assert kept[4, 4] < 40 and kept[20, 20] > 220  # still dark on light, still in its corner
    found = prepare_image(paper)  # found, inverted and centred by the default preparation
    assert found[1, 1] == 0 and found[14, 14] == 255


def test_as_is_keeps_a_28_by_28_image_unchanged_and_squeezes_a_wide_one():
    rng = np.random.default_rng(2)
    image = rng.integers(0, 256, (28, 28)).astype(np.uint8)
    np.testing.assert_array_equal(prepare_image(image, "as_is"), image)
    wide = np.zeros((20, 60), np.uint8)
    wide[:, :30] = 255
    squeezed = prepare_image(wide, "as_is")
    assert squeezed[:, :12].min() > 230 and squeezed[:, 16:].max() < 25


def test_as_is_refuses_a_blank_image_and_an_unknown_preparation_is_an_error():
    with pytest.raises(ImageSetError):
        prepare_image(np.full((30, 30), 128, np.uint8), "as_is")
    with pytest.raises(ValueError):
        prepare_image(sixteen_levels(UCI_ZERO), "sharpen")


def test_a_folder_is_read_with_the_preparation_asked_for(tmp_path):
    for name, shift in (("left", 0), ("right", 40)):
        folder = tmp_path / name
        folder.mkdir()
        for index in range(3):
            pixels = np.zeros((60, 60), np.uint8)
            pixels[20:40, shift + index: shift + index + 12] = 255
            (folder / f"{index}.png").write_bytes(encoded(pixels, "png"))
    as_is = load_image_set(tmp_path, "as_is")
    found = load_image_set(tmp_path)
    left, right = as_is.images[as_is.labels == 0], as_is.images[as_is.labels == 1]
    assert left[:, :, :14].mean() > left[:, :, 14:].mean() and right[:, :, 14:].mean() > right[:, :, :14].mean()
    # Found and centred, where the blot was no longer tells the classes apart.
    assert np.abs(found.images[found.labels == 0].astype(int).mean(axis=0)
                  - found.images[found.labels == 1].astype(int).mean(axis=0)).max() < 30


def test_the_preparation_is_a_config_field_with_a_flag_and_its_choices_checked(tmp_path):
    assert TrainingConfig().preparation == "ink" and set(PREPARATIONS) == {"ink", "as_is"}
    config, _ = parse_config(build_parser(), ["--data", str(tmp_path), "--preparation", "as_is"])
    assert config.preparation == "as_is"
    assert "--preparation" in build_parser().format_help()
    with pytest.raises(ValueError, match="preparation"):
        TrainingConfig(preparation="sharpen").validate()
    assert TrainingConfig.from_dict({"data": str(tmp_path)}).preparation == "ink"  # runs saved before the field
