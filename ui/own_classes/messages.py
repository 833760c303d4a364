"""Your own classes: the one message shown where the learner acted, and the rounds that give a widget a fresh,
empty key (a canvas cleared, an uploader emptied). Not a page itself.

Every widget of the feature acts on the set through ui.own_classes.data_set, then reports what it did, or why
not, with `report`; the area it acted in shows it once, on the next run, with `show_message`.
"""

from __future__ import annotations

import streamlit as st


def widget_round(name: str) -> int:
    """A number that is part of a widget's key: raising it gives a fresh, empty widget (canvas, uploader)."""
    return st.session_state.get(f"own_{name}_round", 0)


def next_round(name: str) -> None:
    """The widget keyed with `name`'s round comes back fresh and empty on the next run."""
    st.session_state[f"own_{name}_round"] = widget_round(name) + 1


def report(kind: str, message: str, area: str) -> None:
    """A message shown once, on the next run, where the learner acted (`area`: classes, draw, upload or zip)."""
    st.session_state[f"own_message_{area}"] = (kind, message)


def show_message(area: str) -> None:
    """The message `report` left for `area`, shown once."""
    kind, message = st.session_state.pop(f"own_message_{area}", (None, None))
    if kind == "error":
        st.error(message, icon=":material/error:")
    elif kind == "warning":
        st.warning(message, icon=":material/warning:")
    elif kind == "success":
        st.success(message, icon=":material/check_circle:")
