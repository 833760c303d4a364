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


def test_a_read_that_takes_too_long_is_stopped_with_one_line():
    data = shape_zip(shape_files(3, seed=1, shapes=("circle", "cross")))
    with pytest.raises(ImageSetError, match=r"took longer than 0.01 s and was stopped"):
        read_zip_in_worker(data, seconds=0.01)


def test_a_read_while_the_worker_is_busy_waits_then_is_refused(monkeypatch):
    assert image_set_worker._slots.acquire(timeout=5)  # another visitor's read
    try:
        with pytest.raises(ImageSetError, match="busy reading other uploads"):
            read_zip_in_worker(b"", seconds=0.05)
    finally:
        image_set_worker._slots.release()
