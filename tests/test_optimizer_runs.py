"""The Optimizers page's words on LeNet-5 come from the cached optimizer runs, the ones History draws."""

import csv
import json

import pytest

from lib.keras_views.optimizer_runs import OPTIMIZER_RUNS, describe_race, race
from lib.runs.store import history_csv
from tests.conftest import open_app


def write_run(root, run_id, optimizer, rate, accuracies):
    path = root / run_id
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"name": run_id, "optimizer": optimizer, "learning_rate": rate}))
    (path / "metrics.json").write_text(json.dumps({"status": "finished"}))
    (path / "history.csv").write_text(history_csv([
        {"epoch": epoch, "loss": 0.1, "accuracy": 0.9, "val_loss": 0.1, "val_accuracy": accuracy,
         "learning_rate": rate, "seconds": 1.0} for epoch, accuracy in enumerate(accuracies, 1)]))


def test_runs_are_ordered_by_the_epoch_they_first_reach_the_target(tmp_path):
    write_run(tmp_path, "slow", "adam", 0.001, [0.95, 0.98, 0.991])
    write_run(tmp_path, "fast", "momentum", 0.01, [0.97, 0.992, 0.99])
    write_run(tmp_path, "never", "adadelta", 0.001, [0.2, 0.5, 0.8])
    entries = race(tmp_path)
    assert [(entry.optimizer, entry.first_epoch) for entry in entries] == [("momentum", 2), ("adam", 3),
                                                                          ("adadelta", None)]
    first, never = describe_race(entries)
    assert first == "First to 99% validation accuracy: Momentum at rate 0.01 (epoch 2) and Adam at rate 0.001 (epoch 3)."
    assert never == "Never there in 3 epochs: Adadelta at rate 0.001 (best 80.0%, last 80.0%)."


def first_epochs_from_the_files(target=0.99) -> dict[tuple[str, float], int | None]:
    found = {}
    for config_path in OPTIMIZER_RUNS.glob("*/config.json"):
        with open(config_path.parent / "history.csv") as source:
            rows = list(csv.DictReader(source))
        rate = round(float(rows[-1]["learning_rate"]), 6)
        found[(json.loads(config_path.read_text())["optimizer"], rate)] = next(
            (int(row["epoch"]) for row in rows if float(row["val_accuracy"]) >= target), None)
    return found


def test_the_cached_runs_race_as_their_history_files_say():
    entries = race()
    assert {(entry.optimizer, round(entry.rate, 6)): entry.first_epoch for entry in entries} == \
        first_epochs_from_the_files()
    epochs = [entry.first_epoch for entry in entries if entry.first_epoch is not None]
    assert epochs == sorted(epochs)


def test_the_page_says_what_the_cached_runs_show(monkeypatch):
    pytest.importorskip("tensorflow")

    app = open_app("pages/training/optimizers.py", timeout=180)
    assert not app.exception
    text = "\n".join(element.value for element in app.markdown)
    for sentence in describe_race(race()):
        assert sentence in text
    assert "barely moves" not in text and "get there fastest" not in text
