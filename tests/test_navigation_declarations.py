"""A page is one file plus one declaration (lib/server/pages.py): a stand-in explorer page, written to a temporary
folder and declared after Pooling, is routed, numbered, warmed and listed by every test and benchmark that lists
pages, with nothing else changed. Each check below fails if its reader keeps a page list of its own."""

from __future__ import annotations

import importlib.util
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

import lib.server.pages
from lib.server.guide_controls import guide_line
from lib.server.navigation import all_pages, page_by_path, pages_by_section, route, step_of
from lib.server.pages import EXPLORER, NEEDS_TENSORFLOW, TAGS, PageSpec
from tests.conftest import ROOT, entry_app

POOLING = "pages/operations/pooling.py"
TRAIN = "pages/training/train.py"

STAND_IN = textwrap.dedent('''
    import streamlit as st

    st.title("Stand-in explorer")
    st.slider("Stride s", 1, 4, 1, key="stand_in_stride")
''')


@pytest.fixture
def stand_in(tmp_path, monkeypatch) -> PageSpec:
    """A page file in a temporary folder and its one declaration, after Pooling; returns the declaration."""
    page_file = tmp_path / "stand_in_explorer.py"
    page_file.write_text(STAND_IN, encoding="utf-8")
    pooling = page_by_path(POOLING)
    spec = PageSpec(pooling.section, str(page_file), "Stand-in explorer", ":material/science:",
                    "A page a test declares.", book="a test's chapter", try_this="Move the stride and watch nothing.",
                    tags=(EXPLORER,), warm_up=("photos",), slider="stand_in_stride")
    pages = list(lib.server.pages.PAGES)
    pages.insert(pages.index(pooling) + 1, spec)
    monkeypatch.setattr(lib.server.pages, "PAGES", tuple(pages))
    return spec


def load_benchmark(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}_under_test", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_declared_page_is_on_the_route_after_pooling_and_later_steps_shift(stand_in):
    steps = route()
    assert stand_in in steps
    pooling, train = page_by_path(POOLING), page_by_path(TRAIN)
    assert step_of(stand_in) == step_of(pooling) + 1
    assert step_of(train) == step_of(stand_in) + 1 == steps.index(train) + 1
    assert [step_of(page) for page in steps] == list(range(1, len(steps) + 1))
    assert stand_in in pages_by_section()[pooling.section]


def test_a_declared_page_is_in_the_navigation_with_its_step_and_pooling_leads_to_it(stand_in, tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    app = entry_app(timeout=60)
    app.run()
    app.switch_page(POOLING)  # a page st.navigation does not list is refused here
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    assert "Next: Stand-in explorer" in [link.label for link in app.page_link]
    app.switch_page(stand_in.path)
    app.run()
    assert not app.exception, [exception.message for exception in app.exception]
    assert app.title[0].value == "Stand-in explorer"
    guide = [info.value for info in app.info if "Try this" in info.value]
    assert guide and f"Step {step_of(stand_in)} of {len(route())}" in guide[0], guide
    assert guide_line(stand_in.try_this) in guide[0]


def test_a_declared_explorer_is_in_the_layout_tests_lists(stand_in):
    from tests.test_browser_layout import explorer_pages, layout_pages

    assert stand_in in explorer_pages() and stand_in in layout_pages()
    assert [page.path for page in layout_pages()] == [page.path for page in all_pages()]


def test_a_page_declared_without_tensorflow_is_in_the_tensorflow_free_test(stand_in):
    from tests.test_explorers_without_tensorflow import tensorflow_free_pages

    assert stand_in in tensorflow_free_pages()
    assert all(not page.has(NEEDS_TENSORFLOW) for page in tensorflow_free_pages())


def test_a_page_that_needs_tensorflow_leaves_the_tensorflow_free_test(stand_in, monkeypatch):
    from tests.test_explorers_without_tensorflow import tensorflow_free_pages

    needing = replace(stand_in, tags=(EXPLORER, NEEDS_TENSORFLOW))
    monkeypatch.setattr(lib.server.pages, "PAGES",
                        tuple(needing if page == stand_in else page for page in lib.server.pages.PAGES))
    assert needing not in tensorflow_free_pages()


def test_a_declared_explorer_with_a_slider_is_benchmarked(stand_in):
    bench = load_benchmark("bench_server")
    assert (Path(stand_in.path).stem, "stand_in_stride") in bench.explorer_sliders()


def test_a_declared_pages_warm_up_steps_are_run(stand_in, monkeypatch):
    import ui.warmup

    monkeypatch.setattr(lib.server.pages, "PAGES", tuple(replace(page, warm_up=()) for page in all_pages()
                                                          if page != stand_in) + (stand_in,))
    assert ui.warmup.declared_steps() == [ui.warmup.STEPS["photos"]]


def test_an_unknown_tag_or_warm_up_step_is_refused(stand_in, monkeypatch):
    import ui.warmup

    with pytest.raises(ValueError, match="Unknown page tag"):
        stand_in.has("explorers")
    assert set(TAGS) == {EXPLORER, NEEDS_TENSORFLOW}
    misspelt = replace(stand_in, warm_up=("foto",))
    monkeypatch.setattr(lib.server.pages, "PAGES", (*lib.server.pages.PAGES, misspelt))
    with pytest.raises(ValueError, match="foto"):
        ui.warmup.declared_steps()
