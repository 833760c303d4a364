"""The learner's route through the pages: one line atop each page on what to try, and the next step.

Not a page itself: the entry file calls it before it runs the chosen page.
"""

from __future__ import annotations

import streamlit as st

from lib.i18n import _
from lib.server.guide_controls import guide_line
from lib.server.navigation import home, next_on_route, route, step_of
from lib.server.pages import PageSpec


def show_page_guide(page: PageSpec | None) -> None:
    """Step N of the route, what to try on this page and what you should see, with a link to the next step."""
    step = step_of(page) if page is not None else 0
    if not step:
        return
    text, link = st.columns([5, 2], vertical_alignment="center")
    text.info(_("**Step {step} of {steps}** ({book}). **Try this:** {try_this}").format(
        step=step, steps=len(route()), book=_(page.book), try_this=guide_line(page.try_this)),
        icon=":material/explore:")
    following = next_on_route(page.path)
    if following is not None:
        link.page_link(following.path, label=_("Next: {title}").format(title=_(following.title)),
                       icon=":material/arrow_forward:")
    else:
        link.page_link(home().path, label=_("Back to the route"), icon=":material/home:")
