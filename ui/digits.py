"""Shared across pages: the models pages read digits with (from ui.models), MNIST's test set, and the digit picker.

The Draw page keeps the last digit it read in `st.session_state.drawn_digit`
(a 28x28 uint8 array), so other pages can look inside the network at the
learner's own drawing. Not a page itself: it is not listed in lib.server.navigation.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib.engine.data import MnistUnavailableError, load_mnist
from lib.engine.image_sets import evaluation_set
from lib.explore.images import enlarge
from lib.i18n import N_, _, language
from lib.keras_views.predict import available_models
from lib.runs.workspaces import listing_fingerprint
from ui.models import classifier as classifier  # re-exported: pages read digits with it
from ui.models import shipped_classifier as shipped_classifier
from ui.workspace import workspace_token

DRAWN_DIGIT = "drawn_digit"
DIGIT_SOURCES = (N_("Drawn digit"), N_("MNIST test digit"))  # the picker's values, translated where shown


# The language is part of the key: the labels and notes are words for people.
@st.cache_data(max_entries=64, show_spinner=False)
def _catalogue(token: str, fingerprint: tuple, lang: str) -> tuple[list, list[str]]:
    models, notes = available_models(token)
    return [(label, str(path)) for label, path in models], notes


def model_catalogue() -> dict[str, str]:
    """{model path: label} of every model this workspace may read with, fresh the moment a run appears.

    Keyed by path, since two runs may share a name; the labels are unique too, with a run's id where names repeat.
    Runs that could not be read are left out, each with a note in the sidebar.
    """
    models, notes = _catalogue(workspace_token(), listing_fingerprint(), language())
    for note in notes:
        st.sidebar.caption(_("Skipped: {note}").format(note=note))
    return {path: label for label, path in models}


@st.cache_resource(show_spinner=False)
def _mnist_test():
    _train, (x_test, y_test) = load_mnist()
    return x_test, y_test


def mnist_test():
    """MNIST's test images and labels, loaded once per server, under a spinner in the visitor's language (a cache
    decorator's own spinner text is fixed at import); plainly with no visitor (the warm-up thread)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return _mnist_test()
    with st.spinner(_("Loading MNIST's test set...")):
        return _mnist_test()


DIGIT_NAMES = tuple(str(digit) for digit in range(10))


def class_names(model) -> tuple[str, ...]:
    """The names of a model's classes in output order: a run's own, or the digits 0-9 for MNIST's."""
    names = getattr(model, "class_names", None)
    return tuple(names) if names else DIGIT_NAMES


def names_digits(model) -> bool:
    """Whether the model reads digits (MNIST's ten classes), so pages may say "digit" rather than "class"."""
    return class_names(model) == DIGIT_NAMES


@st.cache_resource(max_entries=8, show_spinner=False)  # the caller's spinner speaks the visitor's language
def _evaluation_set(data: str, test_data: str, validation_fraction: float, seed: int, preparation: str, stamp: tuple):
    config = SimpleNamespace(data=data, test_data=test_data, validation_fraction=validation_fraction, seed=seed,
                             preparation=preparation)
    return evaluation_set(config)


def _stamp(path: str) -> tuple:
    try:
        stat = Path(path).stat()
    except OSError:
        return (path, None)
    return (path, stat.st_mtime_ns, stat.st_size)


def evaluation_examples(config: dict) -> tuple[np.ndarray, np.ndarray, str]:
    """(images, labels, "test" or "validation"): what an own-data run's test_accuracy was measured on.

    Raises ValueError (ImageSetError) when its data set can no longer be read."""
    data, test_data = config.get("data", ""), config.get("test_data", "")
    with st.spinner(_("Reading the examples it was tested on...")):
        image_set = _evaluation_set(data, test_data, float(config.get("validation_fraction", 0.2)),
                                    int(config.get("seed", 42)), str(config.get("preparation", "ink")),
                                    (_stamp(data), _stamp(test_data) if test_data else None))
    return image_set.images, image_set.labels, "test" if test_data else "validation"


def remember_drawing(image: np.ndarray) -> None:
    st.session_state[DRAWN_DIGIT] = np.asarray(image, dtype=np.uint8)


def digit_picker(prefix: str) -> tuple[np.ndarray | None, str]:
    """The learner's drawing or an MNIST test digit, (28, 28) uint8, with a caption; (None, why) when there is none."""
    shown = {source: _(source) for source in DIGIT_SOURCES}
    source = st.radio(_("Which digit"), DIGIT_SOURCES, horizontal=True, key=f"{prefix}_digit_source",
                      index=0 if DRAWN_DIGIT in st.session_state else 1, format_func=shown.get)
    if source == "Drawn digit":
        digit = st.session_state.get(DRAWN_DIGIT)
        if digit is None:
            return None, _("No digit drawn yet: draw one on the Draw a digit page, then come back.")
        return digit, _("your drawing, as the Draw page prepared it")
    index = st.number_input(_("Test digit number"), 0, 9999, 0, key=f"{prefix}_mnist_index")
    try:
        x_test, y_test = mnist_test()
    except MnistUnavailableError as error:
        return None, _("MNIST's test set is not at hand: {error}").format(error=error)
    return x_test[int(index)], _("MNIST test digit {index} (a {digit})").format(index=int(index),
                                                                               digit=int(y_test[int(index)]))


def show_digit(digit: np.ndarray, caption: str, size: int = 140) -> None:
    st.image(enlarge(digit, size), caption=caption, width=size)
