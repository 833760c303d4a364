"""Uploads decoded in a child process: the same results as in the server's, its refusals passed on in the
visitor's language, and a read that takes too long or finds the worker busy refused in one line."""

import io

import numpy as np
import pytest
from PIL import Image

from lib.engine import image_set_worker
from lib.engine.image_set_worker import read_images_in_worker, read_zip_in_worker
from lib.engine.image_sets import ImageSetError, image_set_from_zip_bytes
from lib.i18n import language_override
from tests.shape_drawings import shape_files, shape_zip


def test_a_zip_read_in_the_worker_is_the_set_read_here():
    data = shape_zip({**shape_files(3, seed=1, shapes=("circle", "cross")), "circle/notes.txt": b"x"})
    assert read_zip_in_worker(data) == image_set_from_zip_bytes(data)
    assert read_zip_in_worker(data).notes == ("1 file that is not an image was skipped.",)


def test_the_workers_refusal_is_passed_on_in_the_visitors_language():
    with pytest.raises(ImageSetError, match=r"^shapes.zip is not a zip file\.$"):
        read_zip_in_worker(b"not a zip", "shapes.zip")
    with language_override("ko"), pytest.raises(ImageSetError) as refusal:
        read_zip_in_worker(b"not a zip", "shapes.zip")
    assert "shapes.zip" in str(refusal.value) and "zip file" not in str(refusal.value)


def test_images_read_in_the_worker_are_prepared_and_the_rest_named():
    blank = io.BytesIO()
    Image.new("L", (40, 40), 255).save(blank, format="PNG")
    files = [*shape_files(1, seed=2, shapes=("circle",)).items(), ("white.png", blank.getvalue()),
             ("notes.txt", b"hello")]
    images, problems, blanks = read_images_in_worker(files)
    assert len(images) == 1 and images[0].shape == (28, 28) and images[0].dtype == np.uint8
    assert problems == ["notes.txt: notes.txt is not an image that can be read."] and blanks == ["white.png"]


def test_the_preparation_chosen_reaches_the_worker():
    from lib.engine.image_prep import read_image_bytes

    data = shape_zip(shape_files(3, seed=4, shapes=("circle", "cross")))
    as_is = read_zip_in_worker(data, preparation="as_is")
    assert as_is == image_set_from_zip_bytes(data, preparation="as_is") != image_set_from_zip_bytes(data)
    dark_on_light = io.BytesIO()
    picture = np.full((90, 120), 230, np.uint8)
    picture[5:15, 10:110] = 20
    Image.fromarray(picture).save(dark_on_light, format="PNG")
    files = [("bar.png", dark_on_light.getvalue())]
    images, problems, blanks = read_images_in_worker(files, preparation="as_is")
    assert not problems and not blanks
    assert np.array_equal(images[0], read_image_bytes(dark_on_light.getvalue(), "bar.png", "as_is"))
    assert not np.array_equal(images[0], read_image_bytes(dark_on_light.getvalue(), "bar.png"))
    with pytest.raises(ValueError, match="preparation"):
        read_images_in_worker(files, preparation="sharpen")


def test_a_read_that_waits_too_long_is_stopped_with_one_line():
    data = shape_zip(shape_files(3, seed=1, shapes=("circle", "cross")))
    with pytest.raises(ImageSetError, match=r"took longer than 30 s and was stopped"):
        read_zip_in_worker(data, wait=0.01)


def test_a_read_that_uses_more_cpu_than_its_limit_is_stopped_with_one_line(monkeypatch):
    # At the lowest priority, a busy test machine would make the child wait for its CPU second: not today's point.
    monkeypatch.setattr(image_set_worker, "WORKER_NICENESS", 0)
    # Six colour images of 36 M pixels pass the set's pixel cap, but take seconds to decode: 1 s is too little.
    pixels = np.zeros((6000, 6000, 3), np.uint8)
    pixels[1000:5000, 2800:3200] = 255
    photo = io.BytesIO()
    Image.fromarray(pixels).save(photo, format="PNG", compress_level=1)
    data = shape_zip({f"{'ab'[index % 2]}/{index}.png": photo.getvalue() for index in range(6)})
    with pytest.raises(ImageSetError, match=r"took longer than 1 s and was stopped"):
        read_zip_in_worker(data, seconds=1, wait=120)


def test_a_read_while_the_worker_is_busy_waits_then_is_refused(monkeypatch):
    assert image_set_worker._slots.acquire(timeout=5)  # another visitor's read
    try:
        with pytest.raises(ImageSetError, match="busy reading other uploads"):
            read_zip_in_worker(b"", wait=0.05)
    finally:
        image_set_worker._slots.release()


def test_uploaded_images_that_declare_too_many_pixels_in_all_are_refused_before_decoding():
    bomb = io.BytesIO()
    Image.new("1", (6000, 6000)).save(bomb, format="PNG")
    files = [(f"{index}.png", bomb.getvalue()) for index in range(7)]  # 252 M pixels, each file 4.5 kB
    with pytest.raises(ImageSetError, match=r"^These images hold 252,000,000 pixels in all; the limit is 250,000,000"):
        read_images_in_worker(files)
