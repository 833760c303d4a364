"""An upload no larger than the step-through crop (12 px) on a side works on Convolution and Pooling.

The crop then holds the whole side, and the page says so instead of offering a slider from 0 to 0, which
Streamlit refuses.
"""

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.conftest import open_app

PAGES = {"conv": "pages/operations/convolution.py", "pool": "pages/operations/pooling.py"}


def _png(height: int, width: int) -> bytes:
    rng = np.random.default_rng(height * 100 + width)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def _open_with_upload(prefix: str, height: int, width: int) -> AppTest:
    app = open_app(PAGES[prefix], timeout=60)
    app.radio(key=f"{prefix}_source").set_value("upload").run()
    app.file_uploader(key=f"{prefix}_upload").set_value(("small.png", _png(height, width), "image/png")).run()
    assert not app.exception, [exception.message for exception in app.exception]
    return app


def _crop_sliders(app: AppTest, prefix: str) -> list[str]:
    return [slider.key for slider in app.slider if slider.key.startswith(f"{prefix}_crop_")]


@pytest.mark.parametrize("prefix", PAGES)
@pytest.mark.parametrize("side", [1, 5, 12])
def test_upload_no_larger_than_the_crop_renders_in_gray_and_colour(prefix, side):
    app = _open_with_upload(prefix, side, side)
    assert _crop_sliders(app, prefix) == []
    assert any("all in the crop" in caption.value for caption in app.caption)
    app.toggle(key=f"{prefix}_colour").set_value(True).run()
    assert not app.exception, [exception.message for exception in app.exception]


@pytest.mark.parametrize("prefix", PAGES)
def test_upload_one_pixel_larger_than_the_crop_gets_sliders_with_one_step(prefix):
    app = _open_with_upload(prefix, 13, 13)
    assert _crop_sliders(app, prefix) == [f"{prefix}_crop_top", f"{prefix}_crop_left"]
    assert app.slider(key=f"{prefix}_crop_top").max == 1
    app.toggle(key=f"{prefix}_colour").set_value(True).run()
    assert not app.exception, [exception.message for exception in app.exception]


@pytest.mark.parametrize("prefix", PAGES)
def test_upload_thin_on_one_side_gets_a_slider_only_along_the_other(prefix):
    app = _open_with_upload(prefix, 3, 40)
    assert _crop_sliders(app, prefix) == [f"{prefix}_crop_left"]
