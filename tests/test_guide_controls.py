"""Every control a guide line names is on its page, under the label the line shows.

A guide line names controls by key (lib.server.guide_controls); each page is rendered here and each named
control is found: a widget by its key, a tab by its label, and its label must be the one the line shows.
"""


import pytest

from lib.server.guide_controls import CONTROLS, guide_line, label, named_controls
from lib.server.navigation import route
from tests.conftest import open_app

GUIDED = [page for page in route() if named_controls(page.try_this)]


def widgets_by_key(node, key: str) -> list:
    found = [node] if getattr(node, "key", None) == key else []
    for child in getattr(node, "children", {}).values():
        found += widgets_by_key(child, key)
    return found


def test_every_control_a_guide_line_names_is_declared_once():
    for page in route():
        for key in named_controls(page.try_this):
            assert key in CONTROLS, f"{page.path} names {key!r}, which lib.server.guide_controls does not declare"


def test_every_declared_control_is_named_by_some_guide_line():
    named = {key for page in route() for key in named_controls(page.try_this)}
    assert set(CONTROLS) == named


def test_a_guide_line_shows_the_controls_labels():
    keras_basics = next(page for page in route() if page.path == "pages/chapter2/keras_basics.py")
    line = guide_line(keras_basics.try_this)
    assert line.startswith("Open the **compile and fit** tab, set **Epochs for the dense network** to 1")
    assert "{" not in line


@pytest.mark.parametrize("page", GUIDED, ids=[page.path for page in GUIDED])
def test_each_control_a_guide_line_names_is_on_its_page(page, tmp_path, monkeypatch, real_mnist_path):
    monkeypatch.setenv("MNIST_PATH", str(real_mnist_path))
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    app = open_app(page.path, timeout=180)
    assert not app.exception, [exception.message for exception in app.exception]
    for key in named_controls(page.try_this):
        if CONTROLS[key].tab:
            assert label(key) in [tab.label for tab in app.tabs], f"no tab {label(key)!r} on {page.path}"
        else:
            (widget,) = widgets_by_key(app._tree, key) or [None]
            assert widget is not None, f"no widget with key {key!r} on {page.path}"
            assert widget.label == label(key)


def test_every_guide_line_reads_in_korean_with_the_korean_labels():
    from lib.i18n import language_override

    with language_override("ko"):
        for page in route():
            line = guide_line(page.try_this)
            assert "{" not in line and line != page.try_this
            for key in named_controls(page.try_this):
                assert f"**{label(key)}**" in line
