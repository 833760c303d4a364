"""lib.runs.class_entries: a run's public snapshot, its preset, the board's rows and the sentences read off them."""

import itertools

import pytest

from lib.engine.config import OWN_DATA_PRESETS, PRESETS, TrainingConfig
from lib.i18n import language_override
from lib.plain_text import plain
from lib.runs.class_entries import (
    BoardTextError,
    board_rows,
    board_summary,
    checked_text,
    curve_rows,
    optimizer_summary,
    preset_of,
    regularizers_text,
    run_name,
    snapshot,
)
from lib.runs.store import load_run
from tests.run_folders import make_run


def entry(name, final, optimizer="adam", member=None, handed_in=0.0, **extra):
    return {"name": name, "member": member or name, "run_name": f"{name}'s run", "recipe": {}, "optimizer": optimizer,
            "regularizers": [], "preset": None, "best_val_accuracy": final, "best_epoch": 1,
            "final_val_accuracy": final, "epochs": 1, "handed_in": handed_in, **extra}


@pytest.mark.parametrize("preset", [name for name in PRESETS if name not in OWN_DATA_PRESETS])
def test_a_config_made_from_a_preset_reads_as_that_preset_even_with_a_regularizer_added(preset):
    config = {**vars(TrainingConfig(**PRESETS[preset])), "dropout": 0.3}
    assert preset_of(config) == preset


def test_a_config_no_preset_makes_has_none():
    assert preset_of(vars(TrainingConfig(optimizer="rmsprop", epochs=7))) is None


def test_a_snapshot_keeps_the_public_numbers_and_words_and_no_path(tmp_path):
    history = [{"epoch": 1, "accuracy": 0.8, "val_accuracy": 0.9}, {"epoch": 2, "accuracy": 0.9, "val_accuracy": 0.97},
               {"epoch": 3, "accuracy": 0.95, "val_accuracy": 0.96}]
    path = make_run(tmp_path, "20260101-000000-x-abc123", name="mine", history=history,
                    config={"l2": 0.01, "batch_norm": True, "early_stopping": True, "data": ""})
    kept = snapshot(load_run(path))
    assert kept["regularizers"] == ["l2", "batch norm", "early stopping"]
    assert (kept["best_val_accuracy"], kept["best_epoch"], kept["final_val_accuracy"], kept["epochs"]) == \
        (0.97, 2, 0.96, 3)
    assert kept["curves"] == {"epoch": [1, 2, 3], "val_accuracy": [0.9, 0.97, 0.96], "accuracy": [0.8, 0.9, 0.95]}
    assert str(tmp_path) not in repr(kept) and "data" not in kept["recipe"]


def test_a_long_curve_keeps_evenly_spaced_epochs_with_its_first_and_last():
    history = [{"epoch": epoch} for epoch in range(1, 1001)]
    kept = [row["epoch"] for row in curve_rows(history, most=200)]
    assert len(kept) == 200 and kept[0] == 1 and kept[-1] == 1000 and kept == sorted(set(kept))
    gaps = {later - earlier for earlier, later in itertools.pairwise(kept)}
    assert gaps <= {5, 6}
    assert curve_rows(history[:150], most=200) == history[:150]


def test_a_run_without_a_name_is_called_by_its_recipe_in_the_readers_language():
    unnamed = entry("Ann", 0.9, run_name="", recipe={"optimizer": "adam", "epochs": 3, "learning_rate": 0.001})
    assert run_name(unnamed) == "adam lr 0.001, 3 epochs"
    with language_override("ko"):
        assert run_name(unnamed) != "adam lr 0.001, 3 epochs" and "adam" in run_name(unnamed)


@pytest.mark.parametrize("text", ["", " ", "x" * 41, "a\tb", "a\u2067b", "a\u2028b"])
def test_checked_text_refuses_empty_long_and_control_text_in_one_line(text):
    with pytest.raises(BoardTextError) as refused:
        checked_text(text, 40, "display name")
    assert "\n" not in str(refused.value)


def test_checked_text_keeps_korean_and_emoji_and_strips_spaces():
    assert checked_text("  김민지 🙂 ", 40, "display name") == "김민지 🙂"


def test_rows_put_the_best_final_accuracy_first_and_the_earlier_of_a_tie_first():
    rows = board_rows([entry("Ann", 0.95, handed_in=2), entry("Bob", 0.98, handed_in=3), entry("Cy", 0.95, handed_in=1)])
    assert [row["student"] for row in rows] == ["Bob", "Cy", "Ann"]


def test_regularizers_read_as_words_or_none():
    assert regularizers_text(entry("Ann", 0.9, regularizers=["l1", "batch norm", "early stopping"])) == \
        "l1 + batch norm + early stopping"
    assert regularizers_text(entry("Ann", 0.9)) == "no regularization"


def test_the_summary_counts_runs_and_students_and_names_the_best_final_run():
    entries = [entry("Ann", 0.95), entry("Ann", 0.97, member="Ann"), entry("Bob", 0.96, optimizer="sgd")]
    assert board_summary(entries, 3) == ("3 runs from 2 students. The best final validation accuracy is 97.00%: "
                                         "Ann's run by Ann (adam).")
    assert board_summary([entry("Ann", 0.5)], 1).startswith("1 run from 1 student.")
    assert board_summary([], 1) == "1 student has joined; no run has been handed in yet."


def test_the_summary_shows_typed_names_through_the_given_escape():
    hostile = entry("*bold*", 0.9)
    assert "\\*bold\\*" in board_summary([hostile], 1, show=plain)


def test_the_optimizer_summary_compares_means_and_needs_two_optimizers():
    entries = [entry("Ann", 0.90), entry("Bob", 0.96), entry("Cy", 0.99, optimizer="sgd")]
    assert optimizer_summary(entries) == ("On average, sgd ends best (99.00% over 1 run); adam ends lowest "
                                          "(93.00%).")
    assert optimizer_summary(entries[:2]) is None
