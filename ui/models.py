"""Trained models loaded once per server and shared by every page and session. Not a page itself.

Pages get models only from here, so no page imports Keras. A `Classifier` holds its loaded Keras model as
`.model`: `keras_model` hands that out for the shipped model, so the model the Draw page reads with and the one
the Keras basics page looks inside are one load, not two.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from lib.keras_views.loading import load_model
from lib.keras_views.predict import Classifier
from lib.runs.store import SHIPPED_MODEL


@st.cache_resource(max_entries=24, show_spinner="Loading the model...")
def classifier(path: str) -> Classifier:
    """The saved model at `path`, wrapped for fast, thread-safe prediction and a look at its inner layers."""
    return Classifier(path)


def shipped_classifier() -> Classifier:
    return classifier(str(SHIPPED_MODEL))


@st.cache_resource(max_entries=8, show_spinner="Loading the model...")
def keras_model(path: str):
    """The Keras model saved at `path`, to read its layers and weights; the shipped one is the classifier's own."""
    if Path(path).resolve() == SHIPPED_MODEL.resolve():
        return shipped_classifier().model
    return load_model(path)
