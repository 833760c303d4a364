"""Dropout and batch norm read from the cached regularization experiments' models."""

import numpy as np
import pytest

from lib.regularizer_views import batch_norm_stages, dropout_draw
from tests.conftest import ROOT

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def dropout_model():
    return keras.saving.load_model(ROOT / "saved_models/regularizers/dropout/model.keras")


@pytest.fixture(scope="module")
def batch_norm_model():
    return keras.saving.load_model(ROOT / "saved_models/regularizers/batch-norm/model.keras")


@pytest.fixture(scope="module")
def digits():
    # Blurry strokes of random digits: enough to give every layer non-trivial activations.
    rng = np.random.default_rng(0)
    images = np.zeros((64, 28, 28), np.uint8)
    for image in images:
        rows, cols = rng.integers(4, 24, 2)
        image[rows: rows + 12, cols - 2: cols + 2] = 255
        image[rows: rows + 3, cols - 6: cols + 6] = 200
    return images


def test_each_training_press_draws_a_fresh_mask(dropout_model, digits):
    masks = [dropout_draw(dropout_model, digits[0], training=True).dropped for _ in range(5)]
    assert all(not np.array_equal(masks[0], other) for other in masks[1:])


def test_test_time_activations_never_change_and_nothing_is_dropped(dropout_model, digits):
    draws = [dropout_draw(dropout_model, digits[0], training=False) for _ in range(3)]
    for draw in draws:
        assert not draw.dropped.any()
        np.testing.assert_array_equal(draw.output, draws[0].output)
        np.testing.assert_allclose(draw.output, draw.activations)


def test_survivors_are_scaled_by_one_over_keep_probability(dropout_model, digits):
    draw = dropout_draw(dropout_model, digits[1], training=True)
    assert draw.rate == pytest.approx(0.25) and draw.scale == pytest.approx(4 / 3)
    kept = ~draw.dropped
    np.testing.assert_allclose(draw.output[kept], draw.activations[kept] * draw.scale, rtol=1e-5)
    assert not draw.output[draw.dropped].any()
    assert 0.1 < draw.dropped.mean() < 0.45  # about a quarter of the 120 units, zeros included


def test_batch_norm_normalizes_then_applies_gamma_and_beta(batch_norm_model, digits):
    stages = batch_norm_stages(batch_norm_model, digits, "dense1", 5)
    assert abs(stages.normalized.mean()) < 1e-3 and stages.normalized.std() == pytest.approx(1, abs=0.02)
    np.testing.assert_allclose(stages.after, stages.normalized * stages.gamma + stages.beta, rtol=1e-4, atol=1e-4)
    assert stages.before.size == 64


def test_batch_norm_on_a_conv_channel_pools_every_position(batch_norm_model, digits):
    stages = batch_norm_stages(batch_norm_model, digits, "conv1", 2)
    assert stages.before.size == 64 * 28 * 28


def test_showing_batch_norm_leaves_the_model_unchanged(batch_norm_model, digits):
    before = [weight.copy() for weight in batch_norm_model.get_layer("dense1_bn").get_weights()]
    batch_norm_stages(batch_norm_model, digits, "dense1", 0)
    for old, new in zip(before, batch_norm_model.get_layer("dense1_bn").get_weights()):
        np.testing.assert_array_equal(old, new)


def test_a_layer_that_is_not_dropout_is_refused(dropout_model, digits):
    with pytest.raises(ValueError, match="not a Dropout layer"):
        dropout_draw(dropout_model, digits[0], True, dropout="dense2")
