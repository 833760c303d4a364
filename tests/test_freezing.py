"""Non-trainable parameters and layer.trainable = False, on real Keras models."""

import numpy as np
import pytest

from lib.keras_views.freezing import freezing_experiment, parameter_counts
from tests.conftest import ROOT

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def batch_norm_model():
    return keras.saving.load_model(ROOT / "saved_models/regularizers/batch-norm/model.keras")


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (32, 28, 28), dtype=np.uint8), rng.integers(0, 10, 32)


@pytest.fixture(scope="module")
def frozen_conv2(batch):
    return freezing_experiment(*batch, frozen="conv2")


def test_non_trainable_count_is_two_per_batch_norm_channel(batch_norm_model):
    counts = parameter_counts(batch_norm_model)
    bn_channels = sum(layer.weights[0].shape[0] for layer in batch_norm_model.layers
                      if isinstance(layer, keras.layers.BatchNormalization))
    assert counts.batch_norm_channels == bn_channels
    assert counts.non_trainable == 2 * bn_channels
    assert counts.trainable + counts.non_trainable == batch_norm_model.count_params()


def test_summary_line_is_keras_own_and_states_the_count(batch_norm_model):
    counts = parameter_counts(batch_norm_model)
    assert counts.summary_line.startswith("Non-trainable params:")
    assert f"{counts.non_trainable:,}" in counts.summary_line


def test_only_batch_norm_layers_hold_non_trainable_weights(batch_norm_model):
    for row in parameter_counts(batch_norm_model).rows:
        if row["type"] == "BatchNormalization":
            assert row["non-trainable weights"] == "moving_mean, moving_variance"
        else:
            assert row["non-trainable"] == 0


def test_freezing_moves_the_layers_parameters_between_the_counts(frozen_conv2):
    layer = next(row for row in frozen_conv2.before.rows if row["layer"] == "conv2")
    assert frozen_conv2.after.non_trainable == frozen_conv2.before.non_trainable + layer["trainable"]
    assert frozen_conv2.after.trainable == frozen_conv2.before.trainable - layer["trainable"]


def test_frozen_layer_is_identical_after_a_training_step_and_others_move(frozen_conv2):
    assert frozen_conv2.change_of("conv2") == 0.0
    assert frozen_conv2.change_of("conv1") > 0 and frozen_conv2.change_of("dense1") > 0


def test_moving_statistics_change_in_training_although_non_trainable(frozen_conv2):
    moving = [row for row in frozen_conv2.changes if row["weight"].startswith("moving_")]
    assert moving and not any(row["trainable"] for row in moving)
    assert all(row["change"] > 0 for row in moving if row["layer"] != "conv2_bn")


def test_unknown_layer_is_refused(batch):
    with pytest.raises(ValueError, match="conv1"):
        freezing_experiment(*batch, frozen="pool1")
