"""Reading the page declarations (lib/server/pages.py): sections, the learner's route and its step numbers, lookups.

Every function reads `pages.PAGES` when it is called, so a page declared there (or a stand-in a test declares) is
grouped, numbered and found at once.
"""

from __future__ import annotations

from pathlib import Path

from lib.server import pages
from lib.server.pages import PageSpec


def all_pages() -> tuple[PageSpec, ...]:
    """Every declared page, in the sidebar's order."""
    return pages.PAGES


def tagged(tag: str) -> list[PageSpec]:
    """The pages that carry `tag` (one of lib.server.pages.TAGS), in order."""
    return [page for page in all_pages() if page.has(tag)]


def untagged(tag: str) -> list[PageSpec]:
    """The pages that do not carry `tag`, in order."""
    return [page for page in all_pages() if not page.has(tag)]


def pages_by_section() -> dict[str, list[PageSpec]]:
    """The pages grouped by section, in the order they are listed."""
    sections: dict[str, list[PageSpec]] = {}
    for page in all_pages():
        sections.setdefault(page.section, []).append(page)
    return sections


def route() -> list[PageSpec]:
    """The pages a learner takes, in the order they are declared (Home is where the route starts, not a step)."""
    return [page for page in all_pages() if page.on_route]


def step_of(page: PageSpec) -> int:
    """The page's step on the route, counted from 1 in the declarations' order; 0 for a page not on it."""
    for number, step in enumerate(route(), start=1):
        if step.path == page.path:
            return number
    return 0


def next_on_route(path: str) -> PageSpec | None:
    """The page after `path` on the route, or None at its end (or for a page not on it)."""
    steps = route()
    for position, page in enumerate(steps[:-1]):
        if page.path == path:
            return steps[position + 1]
    return None


def page_by_title(title: str) -> PageSpec | None:
    return next((page for page in all_pages() if page.title == title), None)


def page_by_path(path: str) -> PageSpec | None:
    return next((page for page in all_pages() if page.path == path), None)


def page_by_url_path(url_path: str) -> PageSpec | None:
    """The page whose address is `url_path` (its file's name; Home's is empty)."""
    for page in all_pages():
        if Path(page.path).stem == url_path or (page.default and url_path in ("", None)):
            return page
    return None


def page_exists(path: str) -> bool:
    """Whether `path` is one of the app's pages (links to pages still to come are not drawn)."""
    return page_by_path(path) is not None


def home() -> PageSpec:
    """The page the app opens on (and the route starts from)."""
    return next(page for page in all_pages() if page.default)
