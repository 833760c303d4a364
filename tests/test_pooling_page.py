"""The Pooling page's sentences follow its numbers: strides larger than the window, and what the crop shows."""

from streamlit.testing.v1 import AppTest

from lib.explore.images import sample_photo
from lib.explore.ops import uncovered_inputs
from tests.conftest import open_app


def open_pooling(monkeypatch) -> AppTest:
    app = open_app("pages/operations/pooling.py", timeout=60)
    assert not app.exception
    return app


def cat_shape() -> tuple[int, int]:
    return sample_photo("chelsea").shape[:2]


def test_a_stride_larger_than_the_window_runs_and_counts_the_skipped_pixels(monkeypatch):
    app = open_pooling(monkeypatch)
    app.slider(key="pool_size").set_value(2).run()
    app.slider(key="pool_stride").set_value(3).run()
    assert not app.exception
    skipped = uncovered_inputs(cat_shape(), 2, 3, "valid")
    count, total = int(skipped.sum()), skipped.size
    note = next(info.value for info in app.info if "lie in no window" in info.value)
    assert note.startswith(f"{count:,} of the {total:,} input pixels ({count / total:.0%}, red)")
    assert "with stride 3 larger than the window 2" in note


def test_no_skipped_pixels_no_note(monkeypatch):
    app = open_pooling(monkeypatch)
    app.slider(key="pool_size").set_value(3).run()
    app.slider(key="pool_stride").set_value(2).run()
    app.radio(key="pool_padding").set_value("same").run()
    assert not uncovered_inputs(cat_shape(), 3, 2, "same").any()
    assert not any("lie in no window" in info.value for info in app.info)


def test_the_crop_mentions_same_padding_only_when_there_is_some(monkeypatch):
    app = open_pooling(monkeypatch)
    app.slider(key="pool_size").set_value(3).run()
    app.slider(key="pool_stride").set_value(2).run()
    titles = [chart.proto.spec for chart in app.get("plotly_chart")]
    assert not any("blank cells are SAME padding" in spec for spec in titles)
    app.radio(key="pool_padding").set_value("same").run()
    titles = [chart.proto.spec for chart in app.get("plotly_chart")]
    assert any("blank cells are SAME padding" in spec for spec in titles)
