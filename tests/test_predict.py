"""lib.keras_views.predict: the Classifier the pages read digits with, and how models are labelled in lists."""

import numpy as np
import pytest

from lib.keras_views.predict import Classifier, available_models, unique_labels
from lib.runs.store import SHIPPED_MODEL, book_model_path


@pytest.fixture(scope="module")
def shipped():
    return Classifier(SHIPPED_MODEL)


def test_probabilities_of_a_batch_sum_to_one_and_match_the_keras_model(shipped):
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28)).astype(np.uint8)
    probabilities = shipped.predict_proba(images)
    assert probabilities.shape == (5, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    direct = shipped.model(images[..., np.newaxis].astype(np.float32), training=False).numpy()
    np.testing.assert_allclose(probabilities, direct, atol=1e-6)


def test_a_run_that_records_no_class_names_reads_the_ten_digits(shipped):
    assert shipped.class_names == tuple("0123456789") and shipped.num_classes == 10


def test_class_names_that_do_not_fit_the_model_read_its_outputs_by_number(tmp_path):
    import json

    from lib.engine.models import build_model

    build_model("dense", num_classes=3).save(tmp_path / "model.keras")
    (tmp_path / "metrics.json").write_text(json.dumps({"class_names": ["a", "b"]}))
    classifier = Classifier(tmp_path / "model.keras")
    assert classifier.num_classes == 3 and classifier.class_names == ("0", "1", "2")
    assert classifier.predict_proba(np.zeros((2, 28, 28), np.uint8)).shape == (2, 3)
    (tmp_path / "metrics.json").write_text(json.dumps({"class_names": ["a", "b", "c"]}))
    assert Classifier(tmp_path / "model.keras").class_names == ("a", "b", "c")


def test_batches_give_the_same_answers_as_one_call(shipped):
    images = np.random.default_rng(1).integers(0, 256, (7, 28, 28)).astype(np.uint8)
    np.testing.assert_allclose(shipped.predict_batches(images, batch_size=3), shipped.predict_proba(images), atol=1e-6)


def test_feature_maps_are_lenets_conv_and_pooling_outputs(shipped):
    maps = shipped.feature_maps(np.zeros((28, 28), np.uint8))
    assert {name: value.shape for name, value in maps.items()} == {
        "conv1": (28, 28, 6), "pool1": (14, 14, 6), "conv2": (10, 10, 16), "pool2": (5, 5, 16)}
    assert shipped.first_kernels().shape == (5, 5, 6)


def test_a_dense_network_has_no_feature_maps_or_kernels():
    dense = Classifier(book_model_path("dense baseline"))
    assert dense.feature_maps(np.zeros((28, 28), np.uint8)) == {}
    assert dense.first_kernels() is None


def test_unique_labels_add_the_run_id_to_repeated_names_and_a_counter_after_that():
    assert unique_labels(["a", "b"], ["1", "2"]) == ["a", "b"]
    assert unique_labels(["dup", "dup", "x"], ["r1", "r2", "r3"]) == ["dup (r1)", "dup (r2)", "x"]
    labels = unique_labels(["dup", "dup"], ["same", "same"])
    assert len(set(labels)) == 2 and labels[0] == "dup (same)"


def test_the_shipped_model_comes_first_under_its_own_name():
    models, _ = available_models()
    assert models[0][1] == SHIPPED_MODEL
    assert models[0][0] == "Shipped LeNet-5"
    assert len({label for label, _ in models}) == len(models)
