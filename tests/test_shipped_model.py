"""The shipped LeNet-5: present, complete, and at least 99.0% accurate on MNIST's test set."""

import json

import numpy as np
import pytest

from lib.runs.store import SAVED_MODELS, load_run

SHIPPED = SAVED_MODELS / "shipped" / "lenet5"


def test_shipped_run_is_complete_and_records_its_config():
    run = load_run(SHIPPED)
    assert run.config["model"] == "lenet5" and run.metrics["status"] == "finished"
    assert (SHIPPED / "model.keras").is_file()
    assert np.array(run.metrics["confusion_matrix"]).sum() == 10_000


def test_shipped_model_reaches_99_percent_on_the_mnist_test_set(real_mnist_path):
    pytest.importorskip("keras")
    from lib.engine.data import load_mnist
    from lib.keras_views.predict import Classifier

    (_, _), (x_test, y_test) = load_mnist(real_mnist_path)
    accuracy = float((Classifier(SHIPPED / "model.keras").predict_batches(x_test).argmax(axis=1) == y_test).mean())
    assert accuracy >= 0.99
    recorded = json.loads((SHIPPED / "metrics.json").read_text())["test_accuracy"]
    assert accuracy == pytest.approx(recorded, abs=1e-3)


def test_shipped_model_reads_generated_drawings_of_every_digit():
    pytest.importorskip("keras")
    from lib.explore.drawing import preprocess_drawing
    from lib.keras_views.predict import Classifier
    from tests.digit_strokes import DIGITS, PLACEMENTS, place, rasterize

    classifier = Classifier(SHIPPED / "model.keras")
    wrong = []
    for digit, styles in DIGITS.items():
        for style, strokes in enumerate(styles):
            for size, left, top in PLACEMENTS:
                for width in (10, 24):
                    image = preprocess_drawing(rasterize(place(strokes, size, left, top), width=width)).image
                    if classifier.predict_proba(image)[0].argmax() != digit:
                        wrong.append((digit, style, size, width))
    assert not wrong
