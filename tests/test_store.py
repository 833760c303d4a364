"""Run folders read back: history files (good, bad and odd), labels, listings with notes, and lookups by model."""

from pathlib import Path

import pytest

from lib.engine.config import TrainingConfig
from lib.runs.store import (
    MAX_EPOCH,
    Run,
    RunReadError,
    describe_config,
    list_runs,
    load_run,
    parse_history_csv,
    run_for_model,
)
from tests.run_folders import make_run

CSV_LOGGER = "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.90,0.30,0.95,0.20\n1,0.97,0.10,0.985,0.08\n2,0.99,0.05,0.991,0.06\n"


def test_csv_logger_history_is_read_with_epochs_counted_from_one():
    rows, notes = parse_history_csv(CSV_LOGGER, "log.csv")
    assert [row["epoch"] for row in rows] == [1, 2, 3] and notes == []
    assert rows[1]["val_accuracy"] == pytest.approx(0.985)


@pytest.mark.parametrize("epoch, problem", [
    ("nan", "not a finite number"), ("inf", "not a finite number"), ("-inf", "not a finite number"),
    ("", "blank"), ("1e300", f"above {MAX_EPOCH:,}"), ("1.5", "not a whole number"), ("-1", "negative"),
    ("abc", "not a number"),
])
def test_a_row_with_an_unusable_epoch_is_skipped_with_a_note_counting_it(epoch, problem):
    rows, notes = parse_history_csv(f"epoch,loss\n0,0.5\n{epoch},0.4\n1,0.3\n", "log.csv")
    assert [row["epoch"] for row in rows] == [1, 2]
    assert [row["loss"] for row in rows] == [0.5, 0.3]
    (note,) = notes
    assert note.startswith("log.csv: skipped 1 of 3 rows") and "line 3: epoch" in note and problem in note


def test_a_history_with_no_usable_epoch_is_refused_naming_the_file_and_the_lines():
    with pytest.raises(RunReadError, match=r"log\.csv has no usable epochs \(line 2: epoch 'nan' is not a finite "
                                           r"number; line 3: epoch is blank; line 4: epoch '1e300' is above"):
        parse_history_csv("epoch,loss\nnan,0.5\n,0.4\n1e300,0.3\n", "log.csv")


def test_a_note_on_many_skipped_rows_names_the_first_few():
    rows, (note,) = parse_history_csv("epoch,loss\n0,1\n" + "nan,1\n" * 5, "log.csv")
    assert len(rows) == 1 and "skipped 5 of 6 rows" in note and note.count("line ") == 3 and "; ...)" in note


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN"])
def test_a_non_finite_metric_is_missing_not_a_number(value):
    rows, notes = parse_history_csv(f"epoch,loss,val_accuracy\n0,{value},0.9\n1,0.4,{value}\n", "log.csv")
    assert rows == [{"epoch": 1, "val_accuracy": 0.9}, {"epoch": 2, "loss": 0.4}] and notes == []


def test_a_metric_that_is_not_a_number_is_refused_naming_the_line():
    with pytest.raises(RunReadError, match="log.csv, line 2: loss is 'abc', not a number"):
        parse_history_csv("epoch,loss\n0,abc\n", "log.csv")


def test_a_run_folder_with_unusable_rows_is_read_with_its_notes(tmp_path):
    path = make_run(tmp_path, "r")
    (path / "history.csv").write_text("epoch,loss\n0,0.5\nnan,0.4\n")
    run = load_run(path)
    assert len(run.history) == 1 and run.notes and "r/history.csv: skipped 1 of 2 rows" in run.notes[0]


def test_listing_skips_a_broken_run_with_a_note_and_keeps_the_rest(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    (good / "config.json").write_text("{}")
    (good / "metrics.json").write_text("{}")
    (good / "history.csv").write_text("epoch,loss\n1,0.5\n")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    runs, notes = list_runs(tmp_path)
    assert [run.run_id for run in runs] == ["good"]
    assert notes == ["Run broken is missing metrics.json."]


def test_a_run_whose_history_has_no_usable_epoch_is_skipped_with_a_note(tmp_path):
    (make_run(tmp_path, "nonsense") / "history.csv").write_text("epoch,loss\ninf,0.5\n")
    make_run(tmp_path, "good")
    runs, notes = list_runs(tmp_path)
    assert [run.run_id for run in runs] == ["good"] and "nonsense/history.csv has no usable epochs" in notes[0]


def test_a_run_is_found_by_its_model_path(tmp_path):
    first, second = make_run(tmp_path, "a"), make_run(tmp_path, "b")
    runs = [load_run(first), load_run(second)]
    assert run_for_model(second / "model.keras", runs).run_id == "b"
    assert run_for_model(tmp_path / "c" / "model.keras", runs) is None


def test_a_run_that_failed_says_so(tmp_path):
    assert load_run(make_run(tmp_path, "bad", status="failed")).failed
    assert not load_run(make_run(tmp_path, "good")).failed


def test_label_is_the_given_name_else_the_recipe_else_the_id():
    assert Run(Path("runs/r"), TrainingConfig(name="my first", optimizer="adam").to_dict(), [], {}).label == "my first"
    config = TrainingConfig(optimizer="adam", epochs=3, train_samples=6000, batch_norm=True, l1=0.01).to_dict()
    assert Run(Path("runs/20261202-002241-84378b"), config, [], {}).label == \
        "adam lr 0.001, 3 epochs on 6,000 images, l1 + batch norm"
    assert Run(Path("runs/20261202-002241-84378b"), {}, [], {}).label == "20261202-002241-84378b"


def test_label_names_the_rate_used_the_schedule_and_a_model_other_than_lenet5():
    config = TrainingConfig(model="dense", optimizer="sgd", learning_rate=0.05, lr_schedule="cosine", epochs=1)
    assert describe_config(config.to_dict()) == "dense, sgd lr 0.05 (cosine), 1 epoch"


def test_a_run_without_class_names_reads_as_the_ten_digits(tmp_path):
    from lib.runs.store import DIGIT_CLASS_NAMES, read_class_names

    path = make_run(tmp_path, "mnist")
    assert load_run(path).class_names == DIGIT_CLASS_NAMES == tuple("0123456789")
    assert read_class_names(path) == DIGIT_CLASS_NAMES and read_class_names(tmp_path / "no-such-run") == DIGIT_CLASS_NAMES


def test_a_run_reads_its_own_class_names_from_metrics_then_config(tmp_path):
    import json

    from lib.runs.store import read_class_names

    path = make_run(tmp_path, "shapes")
    (path / "config.json").write_text(json.dumps({"optimizer": "adam", "data": "s.zip", "class_names": ["a", "b"]}))
    assert load_run(path).class_names == ("a", "b") == read_class_names(path)
    (path / "metrics.json").write_text(json.dumps({"status": "finished", "class_names": ["cat", "dog", "eel"]}))
    run = load_run(path)
    assert run.class_names == ("cat", "dog", "eel") == read_class_names(path) and run.trained_on_own_data


@pytest.mark.parametrize("names", [["a"], ["a", "a"], ["a", 2], "ab", None])
def test_unusable_class_names_fall_back_to_digits(names, tmp_path):
    import json

    from lib.runs.store import DIGIT_CLASS_NAMES

    path = make_run(tmp_path, "odd")
    (path / "metrics.json").write_text(json.dumps({"status": "finished", "class_names": names}))
    assert load_run(path).class_names == DIGIT_CLASS_NAMES


def test_the_label_of_a_run_on_its_own_classes_names_them():
    config = TrainingConfig(optimizer="adam", epochs=60, augment=True).to_dict() | {"data": "shapes.zip"}
    assert describe_config(config | {"class_names": ["circle", "cross"]}) == \
        "adam lr 0.001, 60 epochs on circle, cross, augmented"
    assert describe_config(config | {"class_names": list("abcde")}) == "adam lr 0.001, 60 epochs on own classes, augmented"
