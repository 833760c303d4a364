"""L1 and L2 on the cached runs' weights, and where the cached early stopping run stopped."""

import numpy as np
import pytest

from lib.keras_views.weight_histograms import (
    NEAR_ZERO,
    REGULARIZER_RUNS,
    compare_weights,
    early_stop,
    early_stopping_run_path,
    kernel_weights,
    regularizer_run_path,
)
from lib.runs.store import load_run

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def comparison():
    weights = {name: kernel_weights(keras.saving.load_model(regularizer_run_path(name) / "model.keras"))
               for name in REGULARIZER_RUNS}
    return compare_weights(weights), weights


def test_l1_has_the_most_weights_near_zero_in_the_stored_runs(comparison):
    result, weights = comparison
    assert result.most_near_zero == "l1"
    for name, values in weights.items():
        assert result.runs[name].share_near_zero == pytest.approx(np.mean(np.abs(values) < NEAR_ZERO))
    assert result.runs["l1"].share_near_zero > result.runs["none"].share_near_zero


def test_l2_weights_are_smaller_on_average_than_the_plain_runs(comparison):
    result, weights = comparison
    assert result.runs["l2"].mean_abs < result.runs["none"].mean_abs
    assert result.runs["l2"].mean_abs == pytest.approx(np.abs(weights["l2"]).mean())


def test_every_weight_lands_in_a_bar(comparison):
    result, _weights = comparison
    assert all(spread.counts.sum() == result.weights for spread in result.runs.values())


def test_kernel_weights_leave_out_biases():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    assert kernel_weights(model).size == 3 * 2 + 2 * 1


def test_different_networks_are_refused():
    with pytest.raises(ValueError, match="different numbers"):
        compare_weights({"a": np.zeros(3), "b": np.zeros(4)})


def test_stored_early_stopping_run_stopped_patience_epochs_after_its_best():
    run = load_run(early_stopping_run_path(), source="experiment")
    stop = early_stop(run.config, run.history)
    assert stop.waited == stop.patience == run.config["early_stopping_patience"]
    assert stop.stopped_epoch == run.metrics["early_stopped_epoch"] < stop.epochs_allowed
    assert stop.values[stop.best_epoch - 1] == min(stop.values)
    assert stop.restored_best is run.config["early_stopping_restore_best"]


def test_monitoring_accuracy_keeps_the_highest_epoch():
    history = [{"val_accuracy": value} for value in (0.5, 0.9, 0.8, 0.85)]
    stop = early_stop({"early_stopping": True, "early_stopping_monitor": "val_accuracy",
                       "early_stopping_patience": 2, "epochs": 10}, history)
    assert (stop.best_epoch, stop.stopped_epoch, stop.waited) == (2, 4, 2)
    assert stop.restored_best  # Keras's EarlyStopping in this app restores the best epoch unless told not to


def test_a_run_without_early_stopping_is_refused():
    with pytest.raises(ValueError, match="early stopping"):
        early_stop({"early_stopping": False}, [])
