"""Smoke test: every page in the navigation renders through the entry file without an exception."""

import pytest
from streamlit.testing.v1 import AppTest

from lib.server.navigation import PAGES
from tests.conftest import ROOT

# The first render of a page that imports TensorFlow takes several seconds.
TIMEOUT = 120


@pytest.mark.parametrize("page", PAGES, ids=[page.title for page in PAGES])
def test_page_renders_without_exception(page, tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT)
    app.run()
    assert not app.exception
    app.switch_page(page.path)
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    assert app.title, f"{page.title} shows no title"
