"""The cached experiments in saved_models/: every variant present, made from its exact config, agreeing with the book."""

import pytest

from lib.config import TrainingConfig
from lib.experiments import EXPERIMENTS
from lib.history import generalization_gap, summary_row
from lib.runs import SAVED_MODELS, load_run

VARIANTS = [(name, variant) for name, make in EXPERIMENTS.items() for variant in make()]


@pytest.mark.parametrize("name, variant", VARIANTS, ids=[f"{name}/{variant}" for name, variant in VARIANTS])
def test_variant_is_saved_with_its_exact_config(name, variant):
    run = load_run(SAVED_MODELS / name / variant, source="experiment")
    assert TrainingConfig.from_dict(run.config) == EXPERIMENTS[name]()[variant]
    assert run.metrics["status"] == "finished"
    assert (run.path / "model.keras").is_file()
    assert len(run.history) == run.metrics["epochs_completed"]


def best(name, variant) -> float:
    return summary_row(load_run(SAVED_MODELS / name / variant))["best val accuracy"]


def test_momentum_nag_rmsprop_and_adam_reach_98_5_percent_within_20_epochs():
    for variant in ("momentum", "nag", "rmsprop", "adam"):
        assert best("optimizers", variant) >= 0.985, variant


def test_default_rate_adadelta_lags_far_behind_and_rate_one_does_not():
    leaders = min(best("optimizers", variant) for variant in ("momentum", "nag", "rmsprop", "adam"))
    assert best("optimizers", "adadelta") < leaders - 0.05
    assert best("optimizers", "adadelta-lr1") >= leaders - 0.01


def test_200_samples_without_regularization_overfit_with_a_large_gap():
    run = load_run(SAVED_MODELS / "regularizers" / "none")
    assert run.history[-1]["accuracy"] >= 0.99
    assert generalization_gap(run) > 0.1
