"""Reading and summarising histories: CSVLogger files, run zips, smoothing, the table's numbers."""

import io
import json
import zipfile
from pathlib import Path

import pytest

from lib.history import (
    differing_config,
    epochs_to_reach,
    generalization_gap,
    read_regularization,
    run_from_upload,
    smooth,
    summary_row,
)
from lib.runs import Run, RunReadError, list_runs

CSV_LOGGER = "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.90,0.30,0.95,0.20\n1,0.97,0.10,0.985,0.08\n2,0.99,0.05,0.991,0.06\n"


def make_run(rows, config=None, metrics=None, name="run"):
    return Run(Path(name), {"name": name, **(config or {})}, rows, metrics or {})


def test_csv_logger_file_is_read_with_epochs_counted_from_one():
    run = run_from_upload(CSV_LOGGER.encode(), "log.csv")
    assert [row["epoch"] for row in run.history] == [1, 2, 3]
    assert run.history[1]["val_accuracy"] == pytest.approx(0.985)


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"time,value\n1,2\n", "needs an 'epoch' column"),
    (b"epoch,loss\n0,abc\n", "line 2: loss is 'abc'"),
    (b"epoch,loss\n", "no epochs"),
    (b"\xff\xfe\x00garbage", "not a text CSV"),
])
def test_malformed_uploads_are_refused_naming_the_problem(content, message):
    with pytest.raises(RunReadError, match=message):
        run_from_upload(content, "bad.csv")


def test_run_zip_from_the_training_page_is_read_back(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("my-run/config.json", json.dumps({"optimizer": "adam", "name": "mine"}))
        archive.writestr("my-run/metrics.json", json.dumps({"test_accuracy": 0.98}))
        archive.writestr("my-run/history.csv", "epoch,loss,accuracy\n1,0.5,0.9\n")
    run = run_from_upload(buffer.getvalue(), "my-run.zip")
    assert run.config["optimizer"] == "adam" and run.metrics["test_accuracy"] == 0.98 and len(run.history) == 1


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


def test_differing_config_lists_only_fields_that_differ():
    runs = [make_run([], {"optimizer": "sgd", "epochs": 20}), make_run([], {"optimizer": "adam", "epochs": 20})]
    assert differing_config(runs) == {"optimizer": ["sgd", "adam"]}


def test_regularization_reading_names_the_overfitting_run():
    overfit = make_run([{"epoch": 1, "accuracy": 1.0, "val_accuracy": 0.7}], name="none")
    steady = make_run([{"epoch": 1, "accuracy": 0.8, "val_accuracy": 0.78}], name="dropout")
    assert generalization_gap(overfit) == pytest.approx(0.3)
    text = " ".join(read_regularization([overfit, steady]))
    assert "none shows the widest" in text and "1 of 2 runs overfit" in text


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
