"""Measuring a trained model on the test set: loss, accuracy and the confusion matrix.

`evaluate_local` runs on this process alone, so the training engine uses it
after training and the multi-worker loop (lib.engine.distribute) after every
epoch: every worker holds the same weights, so no collective communication
is needed to validate. Keras is imported inside the functions.
"""

from __future__ import annotations

import numpy as np

from lib.engine.data import as_model_input


def evaluate_local(model, images, labels, batch_size: int = 1024):
    """Loss (cross-entropy plus regularization, as Keras reports it), accuracy and probabilities."""
    import keras

    probabilities = np.concatenate([keras.ops.convert_to_numpy(model(images[i: i + batch_size], training=False))
                                    for i in range(0, len(images), batch_size)])
    crossentropy = keras.ops.convert_to_numpy(keras.losses.sparse_categorical_crossentropy(labels, probabilities))
    regularization = sum(float(keras.ops.convert_to_numpy(loss)) for loss in model.losses)
    accuracy = float((probabilities.argmax(axis=1) == labels).mean())
    return float(crossentropy.mean()) + regularization, accuracy, probabilities


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, classes: int = 10) -> list[list[int]]:
    """Counts of (true label, predicted label), rows by true label."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (labels.astype(int), predictions.astype(int)), 1)
    return matrix.tolist()


def evaluation_metrics(model, images: np.ndarray, labels: np.ndarray, classes: int = 10) -> dict:
    """The metrics a run records of its model on raw uint8 test images: test_loss, test_accuracy, confusion_matrix
    (`classes` x `classes`, rows by true class)."""
    loss, accuracy, probabilities = evaluate_local(model, as_model_input(images), labels)
    return {"test_loss": float(loss), "test_accuracy": float(accuracy),
            "confusion_matrix": confusion_matrix(labels, probabilities.argmax(axis=1), classes)}
