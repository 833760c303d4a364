"""Run folders read back: labels, class names, listings with notes, and lookups by model."""

from pathlib import Path

import pytest

from lib.engine.config import TrainingConfig
from lib.runs.store import Run, list_runs, load_run, run_for_model
from tests.run_folders import make_run


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


