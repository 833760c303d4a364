"""The app's pages, grouped in sections, as plain data.

`streamlit_app.py` turns this list into `st.navigation`, the Home page links to
every entry, and the smoke test renders each one, so a page added here is
routed, linked and tested at once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    section: str
    path: str  # relative to the repository root
    title: str
    icon: str
    blurb: str  # one sentence for the Home page
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("Start", "pages/home.py", "Home", ":material/home:",
             "What this lab teaches and where to begin.", default=True),
)


def pages_by_section() -> dict[str, list[PageSpec]]:
    """The pages grouped by section, in the order they are listed."""
    sections: dict[str, list[PageSpec]] = {}
    for page in PAGES:
        sections.setdefault(page.section, []).append(page)
    return sections
