"""Uploads: every kind of awkward file gets a usable image or a clear refusal."""

import io

import numpy as np
import pytest
from PIL import Image

from lib.explore.images import MAX_SIDE, PATTERNS, SAMPLE_PHOTOS, ImageInputError, load_upload, pattern, sample_photo, to_gray


def encode(image: Image.Image, fmt="PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def test_empty_upload_is_refused():
    with pytest.raises(ImageInputError, match="empty"):
        load_upload(b"", "blank.png")


def test_text_file_is_refused_as_not_an_image():
    with pytest.raises(ImageInputError, match="notes.txt is not an image"):
        load_upload(b"hello, world", "notes.txt")


def test_truncated_png_is_refused_as_corrupt():
    data = encode(Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), dtype=np.uint8)))
    with pytest.raises(ImageInputError, match="corrupt or truncated"):
        load_upload(data[: len(data) // 2], "cut.png")


def test_decompression_bomb_is_refused_before_decoding():
    bomb = encode(Image.new("1", (12000, 5000)))  # 60 M pixels in a few kB
    assert len(bomb) < 100_000
    with pytest.raises(ImageInputError, match="40,000,000 pixels"):
        load_upload(bomb, "bomb.png")


def test_a_bomb_beyond_pillows_own_threshold_is_refused_naming_our_limit_not_pillows():
    bomb = encode(Image.new("1", (10000, 9000)))  # 90 M pixels: Pillow itself refuses it above 80 M
    with pytest.raises(ImageInputError) as refusal:
        load_upload(bomb, "bomb.png")
    assert "40,000,000" in str(refusal.value) and "80,000,000" not in str(refusal.value)


def test_sixteen_bit_image_is_rescaled_to_0_255():
    array = np.linspace(1000, 60000, 32 * 32).reshape(32, 32).astype(np.uint16)
    loaded = load_upload(encode(Image.fromarray(array)), "deep.png")
    assert loaded.pixels.min() == 0 and loaded.pixels.max() == 255
    assert any("rescaled" in note for note in loaded.notes)


def test_rgba_image_is_placed_on_white():
    image = Image.new("RGBA", (8, 8), (255, 0, 0, 0))
    loaded = load_upload(encode(image), "clear.png")
    assert loaded.pixels.shape == (8, 8, 3)
    assert np.all(loaded.pixels == 255)


def test_palette_image_is_expanded_to_colour():
    image = Image.new("RGB", (8, 8), (10, 200, 30)).convert("P")
    loaded = load_upload(encode(image), "palette.png")
    assert loaded.pixels.shape == (8, 8, 3)
    assert any("palette" in note for note in loaded.notes)


def test_animated_gif_uses_its_first_frame():
    frames = [Image.new("L", (10, 10), value) for value in (0, 255)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    loaded = load_upload(data, "blink.gif")
    assert np.all(loaded.pixels == 0)
    assert any("first frame" in note for note in loaded.notes)


def test_large_upload_is_shrunk_to_max_side():
    loaded = load_upload(encode(Image.new("L", (2000, 1000), 80)), "wide.png")
    assert loaded.pixels.shape == (MAX_SIDE // 2, MAX_SIDE)  # rows, columns


def test_every_sample_photo_ships_offline_and_fits():
    for name in SAMPLE_PHOTOS:
        assert max(sample_photo(name).shape[:2]) <= MAX_SIDE


def test_patterns_are_square_and_use_the_full_range():
    for name in PATTERNS:
        image = pattern(name, 64)
        assert image.shape == (64, 64) and image.min() == 0 and image.max() == 255


def test_to_gray_matches_pil_luma():
    rgb = np.random.default_rng(1).integers(0, 256, (6, 6, 3), dtype=np.uint8)
    expected = np.asarray(Image.fromarray(rgb).convert("L"), dtype=float)
    assert np.abs(to_gray(rgb.astype(float)) - expected).max() <= 1.0


def test_preview_of_a_strip_far_wider_than_tall_keeps_one_row_and_fits_the_width():
    from lib.explore.images import preview

    strip = np.full((1, 600), 200.0)
    shown = preview(strip, 280)
    assert shown.shape == (1, 280) and shown.dtype == np.uint8
    assert preview(np.zeros((40, 100, 3)), 280).shape == (40, 100, 3)  # already narrow enough: unchanged
