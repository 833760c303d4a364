"""Trained models loaded once per server and shared by every page and session. Not a page itself.

Pages get models only from here, so no page imports Keras. A `Classifier` holds its loaded Keras model as
`.model`: `keras_model` hands that out for the shipped model, so the model the Draw page reads with and the one
the Keras basics page looks inside are one load, not two.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lib.i18n import N_, _
from lib.keras_views.loading import load_model
from lib.keras_views.predict import Classifier
from lib.runs.store import SHIPPED_MODEL
from ui.caching import inside_cached_function

T = TypeVar("T")


def with_spinner(message: str, load: Callable[[str], T], path: str) -> T:
    """`load(path)` under a spinner saying `message` (marked N_) in the visitor's language (a cache decorator's own
    spinner text is fixed at import, in one language); plainly with no visitor (the warm-up thread) or inside
    another cached function (see ui.caching.inside_cached_function)."""
    if get_script_run_ctx(suppress_warning=True) is None or inside_cached_function():
        return load(path)
    with st.spinner(_(message)):  # shown only when the load takes more than half a second
        return load(path)


@st.cache_resource(max_entries=24, show_spinner=False)
def _classifier(path: str) -> Classifier:
    return Classifier(path)


def classifier(path: str) -> Classifier:
    """The saved model at `path`, wrapped for fast, thread-safe prediction and a look at its inner layers."""
    return with_spinner(N_("Loading the model..."), _classifier, path)


def shipped_classifier() -> Classifier:
    return classifier(str(SHIPPED_MODEL))


@st.cache_resource(max_entries=8, show_spinner=False)
def _keras_model(path: str):
    if Path(path).resolve() == SHIPPED_MODEL.resolve():
        return shipped_classifier().model
    return load_model(path)


def keras_model(path: str):
    """The Keras model saved at `path`, to read its layers and weights; the shipped one is the classifier's own."""
    return with_spinner(N_("Loading the model..."), _keras_model, path)
