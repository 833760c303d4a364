"""'Code for what you see': a page's program beside its picture, with a copy button and two downloads.

The program comes from lib/codegen, built from the values the page computed with. A session that holds a dict
under CODE_CHECKS (a test puts one there: tests/conftest.py's entry_app) gets each panel's program checks in it,
one entry per panel, so the test can run the code shown and compare it with what the page showed. Other sessions
keep nothing: the checks hold the page's arrays (a whole output image), megabytes a visitor for thirty visitors.
"""

from __future__ import annotations

import streamlit as st

from lib.codegen.images import ImageChoice
from lib.codegen.program import Program
from lib.explore.images import DEFAULT_PHOTOS, PATTERNS
from lib.i18n import _

CODE_CHECKS = "code_checks"


def code_panel(program: Program, key: str, *, expanded: bool = False) -> None:
    """An expander with the program (st.code has its own copy button), a .py and a notebook download."""
    if (recorded := st.session_state.get(CODE_CHECKS)) is not None:
        recorded[key] = program.checks
    with st.expander(_("Code for what you see"), expanded=expanded, icon=":material/code:"):
        st.caption(_("This program makes the picture and the numbers above with the settings you have chosen now. "
                     "It needs only the packages in requirements.txt."))
        st.code(program.source(), language="python", line_numbers=False)
        left, right = st.columns(2)
        left.download_button(_("Download as .py"), program.source(), file_name=f"{program.name}.py",
                             mime="text/x-python", key=f"{key}_code_py", icon=":material/download:")
        right.download_button(_("Download as a notebook"), program.notebook(), file_name=f"{program.name}.ipynb",
                              mime="application/x-ipynb+json", key=f"{key}_code_ipynb", icon=":material/download:")


def image_choice(prefix: str, pixels) -> ImageChoice:
    """What ui.widgets.image_picker(prefix) was set to, read from its widgets' keys, for the program's first part.
    `pixels` is what it returned: three channels mean the page kept the colour."""
    source = st.session_state.get(f"{prefix}_source", "photo")
    name = (st.session_state.get(f"{prefix}_photo", DEFAULT_PHOTOS[prefix]) if source == "photo" else
            st.session_state.get(f"{prefix}_pattern", next(iter(PATTERNS))) if source == "pattern" else None)
    return ImageChoice(source, name, colour=pixels.ndim == 3)
