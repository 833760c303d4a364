"""The cached experiments in saved_models/: every variant present, made from its exact config, agreeing with the book."""

import pytest

from lib.engine.config import TrainingConfig
from lib.runs.comparison import generalization_gap, summary_row
from lib.runs.experiments import EXPERIMENTS
from lib.runs.labels import REGULARIZER_NAMES
from lib.runs.store import SAVED_MODELS, load_run

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


@pytest.mark.parametrize("name, variant", VARIANTS, ids=[f"{name}/{variant}" for name, variant in VARIANTS])
def test_stored_label_is_the_one_the_experiment_definition_makes(name, variant):
    run = load_run(SAVED_MODELS / name / variant, source="experiment")
    assert run.config["name"] == run.label == EXPERIMENTS[name]()[variant].name


def test_regularizer_labels_name_each_regularizer_whole_and_batch_norm_never_splits():
    for variant, config in EXPERIMENTS["regularizers"]().items():
        named = config.name.removeprefix("200 samples: ").split(" + ")
        assert set(named) <= {*REGULARIZER_NAMES.values(), "no regularization"}, config.name
        assert ("batch norm" in named) == config.batch_norm, config.name
        assert len(named) == variant.count("-") + 1 - variant.count("batch-norm"), config.name
