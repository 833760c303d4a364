"""Shared across pages: the models pages read digits with (from ui.models), MNIST's test set, and the digit picker.

The Draw page keeps the last digit it read in `st.session_state.drawn_digit`
(a 28x28 uint8 array), so other pages can look inside the network at the
learner's own drawing. Not a page itself: it is not listed in lib.server.navigation.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from lib.engine.data import MnistUnavailableError, load_mnist
from lib.explore.images import enlarge
from lib.keras_views.predict import available_models
from lib.runs.workspaces import listing_fingerprint
from ui.models import classifier as classifier  # re-exported: pages read digits with it
from ui.models import shipped_classifier as shipped_classifier
from ui.workspace import workspace_token

DRAWN_DIGIT = "drawn_digit"
DIGIT_SOURCES = ("Drawn digit", "MNIST test digit")


@st.cache_data(max_entries=64, show_spinner=False)
def _catalogue(token: str, fingerprint: tuple) -> tuple[list, list[str]]:
    models, notes = available_models(token)
    return [(label, str(path)) for label, path in models], notes


def model_catalogue() -> dict[str, str]:
    """{model path: label} of every model this workspace may read with, fresh the moment a run appears.

    Keyed by path, since two runs may share a name; the labels are unique too, with a run's id where names repeat.
    Runs that could not be read are left out, each with a note in the sidebar.
    """
    models, notes = _catalogue(workspace_token(), listing_fingerprint())
    for note in notes:
        st.sidebar.caption(f"Skipped: {note}")
    return {path: label for label, path in models}


@st.cache_resource(show_spinner="Loading MNIST's test set...")
def mnist_test():
    (_, _), (x_test, y_test) = load_mnist()
    return x_test, y_test


def remember_drawing(image: np.ndarray) -> None:
    st.session_state[DRAWN_DIGIT] = np.asarray(image, dtype=np.uint8)


def digit_picker(prefix: str) -> tuple[np.ndarray | None, str]:
    """The learner's drawing or an MNIST test digit, (28, 28) uint8, with a caption; (None, why) when there is none."""
    source = st.radio("Which digit", DIGIT_SOURCES, horizontal=True, key=f"{prefix}_digit_source",
                      index=0 if DRAWN_DIGIT in st.session_state else 1)
    if source == "Drawn digit":
        digit = st.session_state.get(DRAWN_DIGIT)
        if digit is None:
            return None, "No digit drawn yet: draw one on the Draw a digit page, then come back."
        return digit, "your drawing, as the Draw page prepared it"
    index = st.number_input("Test digit number", 0, 9999, 0, key=f"{prefix}_mnist_index")
    try:
        x_test, y_test = mnist_test()
    except MnistUnavailableError as error:
        return None, f"MNIST's test set is not at hand: {error}"
    return x_test[int(index)], f"MNIST test digit {int(index)} (a {int(y_test[int(index)])})"


def show_digit(digit: np.ndarray, caption: str, size: int = 140) -> None:
    st.image(enlarge(digit, size), caption=caption, width=size)
