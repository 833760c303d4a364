"""Summarising histories: smoothing, the table's numbers, stability, and the sentences the book's figures are read with."""

from pathlib import Path

import pytest

from lib.runs.comparison import MAX_SWING, epochs_to_reach, generalization_gap, smooth, stability, summary_row, swing
from lib.runs.readings import read_optimizers, read_regularization
from lib.runs.store import SAVED_MODELS, Run, list_runs, load_run


def make_run(rows, config=None, metrics=None, name="run"):
    return Run(Path(name), {"name": name, **(config or {})}, rows, metrics or {})


def test_smoothing_is_bias_corrected_so_the_first_point_is_kept():
    assert smooth([1.0, 1.0, 1.0], 0.9) == pytest.approx([1.0, 1.0, 1.0])
    assert smooth([0.0, 1.0], 0.5)[1] == pytest.approx(2 / 3)
    assert smooth([1.0, None, 3.0], 0.0) == [1.0, None, 3.0]


def test_summary_row_finds_best_epoch_and_thresholds():
    run = make_run([{"epoch": 1, "val_accuracy": 0.96, "seconds": 2}, {"epoch": 2, "val_accuracy": 0.992, "seconds": 4},
                    {"epoch": 3, "val_accuracy": 0.99, "seconds": 3}], metrics={"parameters": 61706})
    row = summary_row(run)
    assert row["best epoch"] == 2 and row["best val accuracy"] == pytest.approx(0.992)
    assert row["epochs to 97%"] == 2 and row["epochs to 99%"] == 2
    assert row["seconds / epoch"] == 3 and row["parameters"] == 61706
    assert epochs_to_reach(run, 0.999) is None


def test_regularization_reading_names_the_overfitting_run():
    overfit = make_run([{"epoch": 1, "accuracy": 1.0, "val_accuracy": 0.7}], name="none")
    steady = make_run([{"epoch": 1, "accuracy": 0.8, "val_accuracy": 0.78}], name="dropout")
    assert generalization_gap(overfit) == pytest.approx(0.3)
    text = " ".join(read_regularization([overfit, steady]))
    assert "none shows the widest" in text and "1 of 2 runs overfit" in text


def steady_rows(epochs=30, end=0.9):
    """A run that climbs towards `end` and settles, training accuracy a little above validation."""
    return [{"epoch": epoch, "accuracy": min(1.0, end * (1 - 0.5 ** epoch) + 0.05),
             "val_accuracy": end * (1 - 0.5 ** epoch)} for epoch in range(1, epochs + 1)]


def swinging_rows(epochs=30, amplitude=0.1):
    """A run whose validation accuracy jumps up and down by `amplitude` every epoch."""
    return [{"epoch": epoch, "accuracy": 1.0, "val_accuracy": 0.8 - amplitude * (epoch % 2)}
            for epoch in range(1, epochs + 1)]


def test_swing_ignores_a_steady_climb_however_steep():
    assert swing([0.1, 0.3, 0.5, 0.7, 0.9]) == pytest.approx(0.0)
    assert swing([0.9, 0.8, 0.7]) == pytest.approx(0.0)


def test_swing_measures_back_and_forth_per_epoch():
    assert swing([0.8, 0.7, 0.8, 0.7, 0.8]) == pytest.approx(0.1 * 4 / 4)
    assert swing([0.5, 0.9, 0.5]) == pytest.approx(0.4)  # up 40 and down 40 points: 0.8 moved, 0 net, per 2 changes
    assert swing([0.5]) is None


def test_swing_reads_only_the_last_epochs():
    assert swing([0.1, 0.9, 0.1, 0.9] + [0.95] * 10) == pytest.approx(0.0)


def test_a_steady_run_is_not_unstable():
    verdict = stability(make_run(steady_rows()))
    assert not verdict.unstable and verdict.swing == pytest.approx(0.0)


def test_a_run_that_swings_more_than_the_limit_is_unstable():
    assert stability(make_run(swinging_rows(amplitude=MAX_SWING * 2))).unstable
    assert not stability(make_run(swinging_rows(amplitude=MAX_SWING / 2))).unstable


def test_a_run_that_ends_far_below_its_best_is_unstable_even_without_swinging():
    rows = steady_rows() + [{"epoch": 31 + index, "accuracy": 1.0, "val_accuracy": 0.8} for index in range(15)]
    verdict = stability(make_run(rows))
    assert verdict.swing == pytest.approx(0.0) and verdict.drop_from_best == pytest.approx(0.1, abs=1e-6)
    assert verdict.unstable and "ends at 80.00%, 10 points below its best" in verdict.reason()


def test_summary_row_puts_the_best_epoch_beside_the_final_one_with_its_stability():
    row = summary_row(make_run(swinging_rows(epochs=11)))
    assert row["best val accuracy"] == pytest.approx(0.8) and row["best epoch"] == 2
    assert row["final val accuracy"] == pytest.approx(0.7) and row["stability"] == "unstable"
    assert list(row)[3:7] == ["best val accuracy", "best epoch", "final val accuracy", "stability"]


def test_an_unstable_best_is_named_with_its_final_value_and_the_best_steady_run_beside_it():
    peaked = make_run(steady_rows(end=0.95)[:20] + [{"epoch": 21 + i, "accuracy": 1.0, "val_accuracy": 0.5 + 0.2 * (i % 2)}
                                                   for i in range(10)], name="set: peaked")
    steady = make_run(steady_rows(end=0.85), name="set: steady")
    text = " ".join(read_regularization([peaked, steady]))
    assert "The highest single epoch, 95.00% at epoch 20, comes from peaked, but that run is unstable" in text
    assert "ends at 70.00%, 25 points below its best." in text
    assert "Of the steady runs, steady is best: 85.00% at epoch 30, final 85.00%" in text
    assert "1 of 2 runs is unstable" in text


def test_a_steady_best_is_named_alone_with_its_best_epoch_and_final_value():
    text = " ".join(read_regularization([make_run(steady_rows(end=0.85), name="steady"),
                                         make_run(steady_rows(end=0.80), name="lower")]))
    assert "The best validation accuracy, 85.00% at epoch 30, comes from steady; it ends at 85.00%." in text
    assert "unstable" not in text


REGULARIZERS = SAVED_MODELS / "regularizers"


@pytest.mark.parametrize("variant", ["l1-batch-norm", "l1-dropout-batch-norm", "l1-dropout"])
def test_saved_regularizer_runs_that_swing_are_unstable(variant):
    assert stability(load_run(REGULARIZERS / variant)).unstable


@pytest.mark.parametrize("variant", ["none", "l1", "l2", "dropout", "batch-norm"])
def test_saved_regularizer_runs_that_settle_are_steady(variant):
    assert not stability(load_run(REGULARIZERS / variant)).unstable


def test_saved_l1_batch_norm_run_ends_far_below_its_best_epoch():
    verdict = stability(load_run(REGULARIZERS / "l1-batch-norm"))
    assert verdict.best > 0.85 and verdict.final < 0.55 and verdict.swing > 0.05


def test_regularization_reading_of_the_saved_runs_prefers_a_steady_run_as_best():
    runs, _ = list_runs(REGULARIZERS, source="experiment")
    text = " ".join(read_regularization(runs))
    assert "comes from l1 + batch norm, but that run is unstable" in text and "ends at 52.48%" in text
    assert "Of the steady runs, dropout is best" in text
    assert "batch + norm" not in text


def test_optimizer_reading_names_the_best_with_its_epoch_and_final_value():
    runs, _ = list_runs(SAVED_MODELS / "optimizers", source="experiment")
    text = " ".join(read_optimizers(runs))
    assert "The best validation accuracy, 99.17% at epoch 18, comes from adadelta (rate 1.0); it ends at 99.03%." in text
    assert "unstable" not in text


def test_optimizer_reading_names_only_the_runs_that_validated_when_one_did_not():
    unvalidated = make_run([{"epoch": 1, "loss": 0.5, "accuracy": 0.8}, {"epoch": 2, "loss": 0.4}], name="set: plain")
    validated = make_run(steady_rows(end=0.95), name="set: checked")
    for runs in ([unvalidated], [unvalidated, validated], [validated, unvalidated]):
        text = " ".join(read_optimizers(runs))
        assert f"None of the {len(runs)} runs reached 99% validation accuracy." in text
        assert "plain" not in text.partition("reached 99% validation accuracy.")[2]
    assert "comes from checked" in " ".join(read_optimizers([unvalidated, validated]))


def test_the_comparison_shows_percents_thousands_separators_and_a_dash_for_nothing():
    from lib.runs.comparison import format_measure

    assert format_measure("best val accuracy", 0.98765) == "98.77%"
    assert format_measure("parameters", 61706) == "61,706"
    assert format_measure("parameters", 61706.0) == "61,706"  # a whole number read back as a float
    assert format_measure("epochs", 60000) == "60,000"
    assert format_measure("final loss", 0.031234) == "0.03123"
    assert format_measure("seconds / epoch", 12345.6) == "12,346"
    assert format_measure("early stop at", None) == "—" and format_measure("final loss", float("nan")) == "—"
