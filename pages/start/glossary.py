"""Glossary: the book's terms in English and in its Korean edition's words, each with its page and meaning.

Each page declares its terms (lib/server/pages.py); the table lists them page by page, in the sidebar's order.

The table is a plain table whose meanings wrap to the page's width; a short list below links each page to its terms in the reader's
language.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.i18n import KOREAN, _, language
from lib.server.navigation import all_pages
from ui.layout import wrap_page_links

wrap_page_links()
st.title(_("Glossary"))
st.markdown(_("The book's terms, in English and in the words of its Korean edition, each with one line of meaning "
              "and the page where you see it at work. The Korean pages use these terms throughout and give the "
              "English term in brackets where a page first uses one."))

# A plain table, not a data grid: a grid draws on a canvas with fixed column widths, so a long meaning ran past
# its right edge; a table wraps it to the width of the page, in either language.
columns = (_("English"), _("Korean"), _("Page"), _("Meaning"))
st.table(pd.DataFrame([dict(zip(columns, (term.english, term.korean, _(page.title), _(term.meaning))))
                       for page in all_pages() for term in page.glossary]), hide_index=True)

st.subheader(_("Where to see them"))
for page in all_pages():  # in the sidebar's order, each term in the reader's language
    if page.glossary:
        terms = [term.korean if language() == KOREAN else term.english for term in page.glossary]
        st.page_link(page.path, icon=page.icon, label=_("{title}: {terms}").format(
            title=_(page.title), terms=", ".join(terms)))
