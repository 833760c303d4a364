"""The learner's route: every page on it once, in order, each with what to try, linked to the next."""

import itertools

import pytest

from lib.server.guide_controls import guide_line
from lib.server.navigation import next_on_route, page_by_title, route, step_of
from lib.server.pages import PAGES
from tests.conftest import entry_app


def test_route_takes_every_page_but_the_start_sections_once_numbered_from_one():
    # The Start section (Home, the Glossary) is where the route begins and what it leans on, not a step of it.
    steps = route()
    assert sorted(page.path for page in steps) == sorted(page.path for page in PAGES if page.section != "Start")
    assert [step_of(page) for page in steps] == list(range(1, len(steps) + 1))


def test_route_follows_the_sidebar_order():
    assert [page for page in PAGES if step_of(page)] == route()
    assert [page for page in PAGES if page.section != "Start"] == route()


def test_every_step_says_what_to_try_and_where_it_is_in_the_book():
    for page in route():
        assert page.book, page.title
        assert len(page.try_this) > 40 and page.try_this.endswith("."), page.title


def test_next_on_route_walks_the_route_and_ends_at_its_last_page():
    steps = route()
    for here, following in itertools.pairwise(steps):
        assert next_on_route(here.path) == following
    assert next_on_route(steps[-1].path) is None
    assert next_on_route("pages/start/home.py") is None


def test_page_by_title_finds_pages_and_nothing_else():
    assert page_by_title("Pooling").path == "pages/operations/pooling.py"
    assert page_by_title("No such page") is None


@pytest.mark.parametrize("page", route()[:3], ids=[page.title for page in route()[:3]])
def test_a_page_opens_with_its_step_and_what_to_try(page, tmp_path, monkeypatch):
    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path / "runs"))
    app = entry_app(timeout=120)
    app.run()
    assert not any("Try this" in info.value for info in app.info), "Home is not a step"
    app.switch_page(page.path)
    app.run()
    guide = [info.value for info in app.info if "Try this" in info.value]
    assert guide and f"Step {step_of(page)} of {len(route())}" in guide[0] and guide_line(page.try_this) in guide[0]
