"""Convolution's step-through: the crop is marked on the image, and its padding is said to be the crop's."""

import json

from streamlit.testing.v1 import AppTest

from lib.explore.images import sample_photo
from tests.conftest import open_app

CROP = 12


def open_convolution(monkeypatch) -> AppTest:
    app = open_app("pages/operations/convolution.py", timeout=60)
    assert not app.exception
    return app


def chart(app, title_start: str) -> dict:
    specs = [json.loads(element.proto.spec) for element in app.get("plotly_chart")]
    return next(spec for spec in specs if spec["layout"]["title"]["text"].startswith(title_start))


def test_the_crop_is_outlined_where_it_lies_in_the_image(monkeypatch):
    app = open_convolution(monkeypatch)
    app.slider(key="conv_crop_top").set_value(40).run()
    app.slider(key="conv_crop_left").set_value(70).run()
    where = chart(app, "The crop: rows 40-51, columns 70-81")
    (shape,) = where["layout"]["shapes"]
    assert (shape["x0"], shape["x1"], shape["y0"], shape["y1"]) == (69.5, 81.5, 39.5, 51.5)


def test_the_padding_is_said_to_be_the_crops_own_inside_the_image(monkeypatch):
    app = open_convolution(monkeypatch)
    app.radio(key="conv_padding").set_value("same").run()
    app.slider(key="conv_crop_top").set_value(40).run()
    note = next(info.value for info in app.info if "convolves this 12 x 12 crop on its own" in info.value)
    assert "the zeros around it make it 14 x 14. The image has real pixels there" in note
    app.slider(key="conv_crop_top").set_value(0).run()  # the crop meets the image's top border
    note = next(info.value for info in app.info if "convolves this 12 x 12 crop on its own" in info.value)
    assert "Only where the crop meets the image's border is the whole image padded too" in note


def test_no_padding_no_note(monkeypatch):
    app = open_convolution(monkeypatch)
    app.radio(key="conv_padding").set_value("valid").run()
    assert not any("crop on its own" in info.value for info in app.info)
    height, width = sample_photo("camera").shape[:2]
    assert height > CROP and width > CROP  # both sliders exist on the default photo
