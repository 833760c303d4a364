"""Shared across pages: the models pages read digits with (from ui.models), MNIST's test set, and the digit picker.

The Draw page keeps the last digit it read in `st.session_state.drawn_digit`
(a 28x28 uint8 array), so other pages can look inside the network at the
learner's own drawing. Not a page itself: it is not listed in lib.server.navigation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib.engine.data import MnistUnavailableError, load_mnist
from lib.engine.data_record import EVALUATION_FILE, read_evaluation
from lib.explore.images import enlarge
from lib.i18n import N_, _, ngettext
from lib.keras_views.predict import available_models
from lib.runs.workspaces import listing_fingerprint
from ui.caching import cache_data_per_language, inside_cached_function
from ui.layout import captioned_image
from ui.models import classifier as classifier  # re-exported: pages read digits with it
from ui.models import shipped_classifier as shipped_classifier
from ui.workspace import workspace_token

DRAWN_DIGIT = "drawn_digit"
DIGIT_SOURCES = {"drawn": N_("Drawn digit"), "mnist": N_("MNIST test digit")}  # the picker's ids and labels


@cache_data_per_language(max_entries=64, show_spinner=False)  # the labels and notes are words for people
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
        st.sidebar.caption(_("Skipped: {note}").format(note=note))
    return {path: label for label, path in models}


@st.cache_resource(show_spinner=False)
def _mnist_test():
    _train, (x_test, y_test) = load_mnist()
    return x_test, y_test


def mnist_test():
    """MNIST's test images and labels, loaded once per server, under a spinner in the visitor's language (a cache
    decorator's own spinner text is fixed at import); plainly with no visitor (the warm-up thread) or inside another
    cached function (see ui.caching.inside_cached_function)."""
    if get_script_run_ctx(suppress_warning=True) is None or inside_cached_function():
        return _mnist_test()
    with st.spinner(_("Loading MNIST's test set...")):
        return _mnist_test()


DIGIT_NAMES = tuple(str(digit) for digit in range(10))


def class_names(model) -> tuple[str, ...]:
    """The names of a model's classes in output order: a run's own, or the digits 0-9 for MNIST's."""
    names = getattr(model, "class_names", None)
    return tuple(names) if names else DIGIT_NAMES


def known_classes_note(names, guess: int, probability: float) -> str:
    """Softmax cannot answer "none of these": the reading is a choice among the classes the model was taught."""
    return ngettext(
        "Softmax shares the whole 100 % among the {count} class this model knows ({names}), so it must pick one of "
        "them: a drawing of anything else is still read as one. {probability:.1%} for {guess} compares it with the "
        "other known classes only, not with everything a drawing could be.",
        "Softmax shares the whole 100 % among the {count} classes this model knows ({names}), so it must pick one "
        "of them: a drawing of anything else is still read as one. {probability:.1%} for {guess} compares it with "
        "the other known classes only, not with everything a drawing could be.", len(names)).format(
        count=len(names), names=", ".join(str(name) for name in names), probability=probability, guess=names[guess])


def names_digits(model) -> bool:
    """Whether the model reads digits (MNIST's ten classes), so pages may say "digit" rather than "class"."""
    return class_names(model) == DIGIT_NAMES


@st.cache_resource(max_entries=8, show_spinner=False)  # the caller's spinner speaks the visitor's language
def _evaluation(run_path: str, classes: int, stamp: tuple):
    return read_evaluation(Path(run_path), classes)


def _stamp(path: Path) -> tuple:
    try:
        stat = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), stat.st_mtime_ns, stat.st_size)


def evaluation_examples(run_path: Path, classes: int, tested_on: str) -> tuple[np.ndarray, np.ndarray, str]:
    """(images, labels, "test" or "validation"): what an own-data run's test_accuracy was measured on, as the run
    itself keeps them (lib.engine.data_record: nothing outside the run is read, whoever's run it is).

    Raises EvaluationUnavailable, one line without a path, when the run does not hold them."""
    with st.spinner(_("Reading the examples it was tested on...")):
        images, labels = _evaluation(str(run_path), classes, _stamp(Path(run_path) / EVALUATION_FILE))
    return images, labels, "test" if tested_on == "test_data" else "validation"


def remember_drawing(image: np.ndarray) -> None:
    st.session_state[DRAWN_DIGIT] = np.asarray(image, dtype=np.uint8)


def digit_picker(prefix: str) -> tuple[np.ndarray | None, str]:
    """The learner's drawing or an MNIST test digit, (28, 28) uint8, with a caption; (None, why) when there is none."""
    shown = {source: _(label) for source, label in DIGIT_SOURCES.items()}  # translated in the script's thread
    source = st.radio(_("Which digit"), list(DIGIT_SOURCES), horizontal=True, key=f"{prefix}_digit_source",
                      index=0 if DRAWN_DIGIT in st.session_state else 1, format_func=shown.get)
    if source == "drawn":
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
    captioned_image(st, enlarge(digit, size), caption, width=size)
