"""The learner's route through the pages: one line atop each page on what to try, and the next step.

Not a page itself: the entry file calls it before it runs the chosen page.
"""

from __future__ import annotations

import streamlit as st

from lib.server.navigation import next_on_route, page_by_title, route


def show_page_guide(title: str) -> None:
    """Step N of the route, what to try on this page and what you should see, with a link to the next step."""
    page = page_by_title(title)
    if page is None or not page.step:
        return
    text, link = st.columns([5, 2], vertical_alignment="center")
    text.info(f"**Step {page.step} of {len(route())}** ({page.book}). **Try this:** {page.try_this}",
              icon=":material/explore:")
    following = next_on_route(page.path)
    if following is not None:
        link.page_link(following.path, label=f"Next: {following.title}", icon=":material/arrow_forward:")
    else:
        link.page_link("pages/start/home.py", label="Back to the route", icon=":material/home:")
