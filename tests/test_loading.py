"""lib.keras_views.loading: saved models load with Keras's safe mode on."""

import keras
import numpy as np
import pytest

from lib.keras_views.loading import load_model
from lib.runs.store import SHIPPED_MODEL


def test_the_shipped_model_loads_and_reads_a_batch():
    model = load_model(SHIPPED_MODEL)
    assert model.predict(np.zeros((2, 28, 28, 1), np.float32), verbose=0).shape == (2, 10)


def test_a_model_with_python_code_inside_is_refused(tmp_path):
    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match="(?i)safe_mode|lambda"):
        load_model(path)
