"""Pages share one cache of loaded models: the shipped model is loaded once, as the classifier's own."""

import pytest

pytest.importorskip("keras")

from lib.runs.store import SHIPPED_MODEL, book_model_path
from ui.models import classifier, keras_model


def test_shipped_keras_model_is_the_shipped_classifiers_model():
    assert keras_model(str(SHIPPED_MODEL)) is classifier(str(SHIPPED_MODEL)).model


def test_other_keras_model_is_loaded_once_and_then_shared():
    path = str(book_model_path("dense baseline"))
    assert keras_model(path) is keras_model(path)
