"""When batch normalization's moving statistics explain a run's validation lag, and the momentum that suits a run."""

import json

import pytest

from lib.engine.batch_norm import FORGOTTEN, diagnose_lag, momentum_note, start_share, steps_per_epoch, suggested_momentum
from lib.engine.config import PRESETS, TrainingConfig
from lib.runs.store import load_run
from tests.conftest import ROOT

# The last epoch of `python -m lib.cli --preset "Quick look" --batch-norm`, measured at two momenta
# (README: "Batch normalization in short runs").
QUICK_LOOK_BN_099 = [{"epoch": 1, "accuracy": 0.7798, "val_accuracy": 0.5852},
                     {"epoch": 2, "accuracy": 0.9532, "val_accuracy": 0.2786},
                     {"epoch": 3, "accuracy": 0.9720, "val_accuracy": 0.2642}]
QUICK_LOOK_BN_09 = [{"epoch": 1, "accuracy": 0.7798, "val_accuracy": 0.9238},
                    {"epoch": 2, "accuracy": 0.9532, "val_accuracy": 0.9556},
                    {"epoch": 3, "accuracy": 0.9720, "val_accuracy": 0.9602}]


def quick_look(**overrides) -> dict:
    return TrainingConfig(**{**PRESETS["quick"], "batch_norm": True, **overrides}).to_dict()


def test_quick_look_at_keras_momentum_is_diagnosed_and_offered_a_lower_one():
    lag = diagnose_lag(quick_look(batch_norm_momentum=0.99), QUICK_LOOK_BN_099)
    assert lag is not None
    assert (lag.steps_per_epoch, lag.steps) == (47, 141)
    assert lag.start_share == pytest.approx(0.99 ** 141)
    assert lag.suggested_momentum == 0.9
    assert "had not caught up" in lag.explanation() and "0.9 suits" in lag.explanation()


def test_a_run_whose_statistics_caught_up_is_not_diagnosed():
    assert diagnose_lag(quick_look(batch_norm_momentum=0.9), QUICK_LOOK_BN_09) is None


def test_the_same_gap_without_batch_norm_is_not_blamed_on_it():
    assert diagnose_lag(quick_look(batch_norm=False, batch_norm_momentum=0.99), QUICK_LOOK_BN_099) is None


def test_a_run_saved_before_the_momentum_field_counts_as_keras_default():
    config = quick_look()
    del config["batch_norm_momentum"]
    lag = diagnose_lag(config, QUICK_LOOK_BN_099)
    assert lag is not None and lag.momentum == 0.99


def test_a_malformed_config_gets_no_diagnosis_rather_than_an_error():
    assert diagnose_lag(quick_look(batch_size="many"), QUICK_LOOK_BN_099) is None
    assert diagnose_lag(quick_look(batch_norm_momentum=None), QUICK_LOOK_BN_099) is None


def test_overfitting_on_200_images_with_batch_norm_is_not_blamed_on_the_statistics():
    # The book's regularization experiment: 300 epochs of 7 steps at 0.99 leave nothing of the start, so its
    # 100 % training / 79 % validation gap is overfitting.
    run = load_run(ROOT / "saved_models" / "regularizers" / "batch-norm")
    last = run.history[-1]
    assert run.config["batch_norm"] and last["accuracy"] - last["val_accuracy"] > 0.15
    assert diagnose_lag(run.config, run.history) is None


def test_saved_runs_written_before_the_momentum_field_still_load_as_configs():
    older = [path for path in sorted((ROOT / "saved_models").glob("*/*/config.json"))
             if "batch_norm_momentum" not in json.loads(path.read_text())]
    assert older  # the book's cached runs predate the field
    for path in older:
        config = TrainingConfig.from_dict(json.loads(path.read_text()))
        assert config.batch_norm_momentum == 0.99, path


def test_suggested_momentum_is_the_slowest_that_forgets_its_start_within_an_epoch():
    cases = {469: 0.99, 250: 0.98, 100: 0.95, 47: 0.9}  # 469: Fast (60,000 images at batch 128); 47: Quick look
    slower = {0.98: 0.99, 0.95: 0.98, 0.9: 0.95}
    for steps, momentum in cases.items():
        assert suggested_momentum(steps) == momentum, steps
        assert start_share(momentum, steps) <= FORGOTTEN
        if momentum in slower:
            assert start_share(slower[momentum], steps) > FORGOTTEN
    assert suggested_momentum(7) == 0.9  # nothing forgets that fast: the ladder's end


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_sets_the_momentum_its_epoch_length_suits(name):
    config = TrainingConfig(**PRESETS[name])
    assert config.batch_norm_momentum == suggested_momentum(steps_per_epoch(config.train_samples, config.batch_size))


def test_the_form_note_counts_the_runs_steps_and_warns_only_when_the_momentum_is_too_slow():
    slow = momentum_note(0.99, 6000, 128, 3)
    assert "about 100 steps" in slow and "47 steps an epoch, 141 in all" in slow and "62.4%" in slow
    assert "0.9 would suit this run" in slow
    assert "would suit" not in momentum_note(0.9, 6000, 128, 3)
    assert "under 0.1 %" in momentum_note(0.9, 6000, 128, 3)
