"""Text that visitors typed (run names, class names, display names) shown as exactly that text, never as markup.

Streamlit reads Markdown, with its own additions, in st.markdown, captions, alerts, toasts, headers and every
widget's label; Plotly reads a subset of HTML in trace names, axis labels and titles. A shared run's name reaches
every visitor, so a name like `![p](http://host/p.png) :red[**PWNED**]` must not make their browsers fetch an
image or show a link. Every user-supplied string goes through `plain` before it joins Markdown (a translated
sentence's `{name}` included) and through `plain_html` before it joins a Plotly figure.
"""

from __future__ import annotations

import html
import re

# CommonMark lets a backslash escape any ASCII punctuation; escaping all of it but the quotes (which mean nothing
# outside a link's title) also stops Streamlit's own syntax (:red[...], :material/icon:, $math$), GitHub's bare
# links (www.x, http://x) and HTML, which all need punctuation.
_PUNCTUATION = re.compile(r"([!#-&(-/:-@\[-`{-~])")
_BREAKS = re.compile(r"[\r\n\t\f\v\u2028\u2029]+")


def plain(text) -> str:
    """`text` escaped for Streamlit's Markdown: it reads as itself, on one line, with no formatting or link."""
    return _PUNCTUATION.sub(r"\\\1", _BREAKS.sub(" ", str(text)))


def plain_html(text) -> str:
    """`text` escaped for Plotly's HTML subset (trace names, axis and tick labels, titles): no tag, no link."""
    return html.escape(_BREAKS.sub(" ", str(text)), quote=True)
