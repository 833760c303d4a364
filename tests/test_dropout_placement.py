"""Where dropout goes in LeNet-5, and the cached runs that compare the placements."""

import numpy as np
import pytest

from lib.engine.config import TrainingConfig
from lib.keras_views.dropout_placement import PLACEMENTS, RATE, SEEDS, compare_placements
from lib.runs.history_file import RunReadError
from lib.runs.store import load_run

keras = pytest.importorskip("keras")


def dropout_layers(**options) -> list[str]:
    from lib.engine.models import build_model

    return [layer.name for layer in build_model("lenet5", dropout=0.25, **options).layers
            if isinstance(layer, keras.layers.Dropout)]


def test_dropout_at_places_the_layers():
    assert dropout_layers() == ["conv1_dropout", "conv2_dropout", "dense1_dropout"]
    assert dropout_layers(dropout_at="conv") == ["conv1_dropout", "conv2_dropout"]
    assert dropout_layers(dropout_at="dense") == ["dense1_dropout"]


def test_subclassed_model_keeps_its_placement_through_save_and_load(tmp_path):
    from lib.engine.models import build_model, model_layers

    model = build_model("lenet5", "subclassed", dropout=0.25, dropout_at="dense")
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert [layer.name for layer in model_layers(loaded) if isinstance(layer, keras.layers.Dropout)] == \
        ["dense1_dropout"]


def test_unknown_placement_is_refused_in_one_line():
    with pytest.raises(ValueError, match="dropout_at"):
        TrainingConfig(dropout_at="everywhere").validate()


def test_old_configs_without_the_field_read_as_the_books_placement():
    assert TrainingConfig.from_dict({"dropout": 0.25}).dropout_at == "all"


@pytest.fixture(scope="module")
def comparison():
    try:
        return compare_placements()
    except RunReadError as error:
        pytest.fail(f"the cached placement runs are missing; run scripts/dropout_placement.py: {error}")


def test_stored_runs_are_the_two_placements_at_the_same_budget(comparison):
    from lib.keras_views.dropout_placement import PLACEMENT_DIR

    for place in PLACEMENTS:
        for seed in SEEDS:
            config = load_run(PLACEMENT_DIR / f"{place}-seed{seed}").config
            assert (config["dropout"], config["dropout_at"], config["seed"]) == (RATE, place, seed)
            assert config["train_samples"] == comparison.train_samples and config["epochs"] == comparison.epochs


def test_comparison_is_computed_from_the_runs(comparison):
    means = {place: np.mean(p.test_accuracies) for place, p in comparison.placements.items()}
    assert comparison.better == max(means, key=means.get)
    assert comparison.difference == pytest.approx(abs(means["conv"] - means["dense"]))
    spreads = [max(p.test_accuracies) - min(p.test_accuracies) for p in comparison.placements.values()]
    assert comparison.noise == pytest.approx(max(spreads))
    assert comparison.within_noise == (comparison.difference <= max(spreads))


def test_a_missing_run_is_a_clear_error(tmp_path):
    with pytest.raises(RunReadError, match="missing"):
        compare_placements(tmp_path)
