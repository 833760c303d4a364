"""Test-set metrics: checked against Keras's own `evaluate`, and the confusion matrix against counting."""

import numpy as np
import pytest

from lib.engine.evaluation import confusion_matrix, evaluate_local, evaluation_metrics

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def model_and_digits():
    from lib.engine.models import build_model

    rng = np.random.default_rng(0)
    images, labels = rng.integers(0, 256, (300, 28, 28)).astype(np.uint8), rng.integers(0, 10, 300)
    model = build_model("dense", "sequential", l2=0.01)
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, images, labels


def test_loss_and_accuracy_are_what_keras_evaluate_reports(model_and_digits):
    from lib.engine.data import as_model_input

    model, images, labels = model_and_digits
    loss, accuracy, probabilities = evaluate_local(model, as_model_input(images), labels, batch_size=64)
    keras_loss, keras_accuracy = model.evaluate(as_model_input(images), labels, verbose=0)
    assert loss == pytest.approx(keras_loss, rel=1e-4) and accuracy == pytest.approx(keras_accuracy)
    assert probabilities.shape == (300, 10)


def test_confusion_matrix_counts_true_labels_by_row():
    assert confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1]), classes=3) == [[1, 1, 0], [0, 1, 0],
                                                                                            [0, 1, 0]]


def test_the_metrics_a_run_records(model_and_digits):
    model, images, labels = model_and_digits
    metrics = evaluation_metrics(model, images, labels)
    assert set(metrics) == {"test_loss", "test_accuracy", "confusion_matrix"}
    assert np.array(metrics["confusion_matrix"]).sum() == 300
    assert np.trace(metrics["confusion_matrix"]) / 300 == pytest.approx(metrics["test_accuracy"])


def test_the_confusion_matrix_of_a_run_on_its_own_classes_has_a_row_per_class():
    matrix = confusion_matrix(np.array([0, 1, 2, 3, 3]), np.array([0, 1, 2, 3, 0]), classes=4)
    assert np.array(matrix).shape == (4, 4) and matrix[3] == [1, 0, 0, 1]
