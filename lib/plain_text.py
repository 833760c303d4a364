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

# CommonMark lets a backslash escape any ASCII punctuation. Escaped always: everything that starts or closes
# Markdown, HTML or Streamlit's own syntax. Quotes, commas, semicolons and question marks mean nothing and are left
# as they are; a colon or a full stop only where it could join a word (:red[, :material/icon:, http:, www.x.com)
# or make a numbered list ("1. "), so that "Model card: circle." reads, in the page's source too, as written.
_ALWAYS = re.compile(r"[!#$%&()*+\-/<=>@\[\\\]^_`{|}~]")
_JOINING = re.compile(r"[:.](?=\S)")
_NUMBERED = re.compile(r"^(\s*\d+)\.")
_BREAKS = re.compile(r"[\r\n\t\f\v\u2028\u2029]+")
# Streamlit also turns bare addresses into links (http://x, www.x, a@b.x), escaped or not: an invisible word joiner
# (U+2060) after the colon of "://", inside "www." and after "@" keeps them text.
WORD_JOINER = "\u2060"
_ADDRESSES = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)


def plain(text) -> str:
    """`text` escaped for Streamlit's Markdown: it reads as itself (an invisible word joiner aside), on one line, with
    no formatting or link."""
    text = _ADDRESSES.sub(WORD_JOINER, _BREAKS.sub(" ", str(text)))
    text = _ALWAYS.sub(r"\\\g<0>", text)
    return _NUMBERED.sub(r"\1\\.", _JOINING.sub(r"\\\g<0>", text))


def plain_html(text) -> str:
    """`text` escaped for Plotly's HTML subset (trace names, axis and tick labels, titles): no tag, no link."""
    return html.escape(_BREAKS.sub(" ", str(text)), quote=True)
