"""Small layout fixes that Streamlit's own styles need on this app's pages. Not a page itself."""

from __future__ import annotations

import streamlit as st

# A page link keeps its label on one line and hides what does not fit: the Home page's route labels (a page's
# title and one sentence) lost their ends at 1280 px, in Korean most. These rules let a link in the main area wrap.
WRAPPING_LINKS_STYLE = """<style>
[data-testid="stMain"] [data-testid="stPageLink-NavLink"] { height: auto; }
[data-testid="stMain"] [data-testid="stPageLink-NavLink"] > span,
[data-testid="stMain"] [data-testid="stPageLink-NavLink"] [data-testid="stMarkdownContainer"],
[data-testid="stMain"] [data-testid="stPageLink-NavLink"] p { white-space: normal; overflow: visible; }
</style>"""


def wrap_page_links() -> None:
    """Let the page links of the main area wrap onto a second line instead of losing their ends."""
    st.html(WRAPPING_LINKS_STYLE)


def captioned_image(container, image, caption: str, width: int) -> None:
    """An image at `width` pixels with its caption below it across the whole column.

    Streamlit keeps an image's own caption to the image's width: under a small picture (a 28 x 28 digit enlarged to
    112 px, a pooled output a few dozen pixels wide) a caption stood one word per line, long words broken apart.
    """
    container.image(image, width=width)
    container.caption(caption)
