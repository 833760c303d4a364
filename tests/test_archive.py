"""Run zips and uploads: a run folder zipped and read back, hostile zips refused, CSVLogger uploads good and bad."""

import io
import json
import zipfile

import pytest

from lib.runs.archive import (
    MAX_UNPACKED_BYTES,
    MAX_UPLOAD_BYTES,
    publish_run_zip,
    run_from_upload,
    run_from_zip,
    zip_folder,
    zip_run,
)
from lib.runs.history_file import RunReadError
from lib.runs.store import RunStorageError, history_csv, load_run
from lib.runs.workspaces import set_shared
from tests.run_folders import HISTORY, make_run

CSV_LOGGER = "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.90,0.30,0.95,0.20\n1,0.97,0.10,0.985,0.08\n2,0.99,0.05,0.991,0.06\n"


def zip_of(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zip_round_trip_keeps_config_history_and_metrics(tmp_path):
    path = make_run(tmp_path, "20260101-000000-a", name="my run")
    set_shared(path, True)
    data = zip_run(path)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "20260101-000000-a/history.csv" in archive.namelist()
        assert not any(name.endswith("shared.json") for name in archive.namelist())  # sharing stays on the server
    run, original = run_from_zip(data, "a.zip"), load_run(path)
    assert run.config == original.config and run.metrics == original.metrics and run.history == original.history


@pytest.mark.parametrize("name", ["../history.csv", "run/../../history.csv", "/etc/history.csv"])
def test_zip_members_that_climb_out_are_refused(name, tmp_path):
    data = zip_of({name: history_csv(HISTORY)})
    with pytest.raises(RunReadError, match="climbs out"):
        run_from_zip(data, "evil.zip")
    assert list(tmp_path.iterdir()) == []  # nothing is ever unpacked to disk


def test_a_run_zip_from_a_worker_is_published_whole_under_the_run_id(tmp_path):
    path = make_run(tmp_path / "worker", "20260101-000000-w", name="from ray")
    (path / "tb").mkdir()
    (path / "tb" / "events").write_bytes(b"\x00\x01")
    published = publish_run_zip(zip_run(path), tmp_path / "server", "20260101-000000-w")
    assert published == tmp_path / "server" / "20260101-000000-w"
    assert sorted(file.relative_to(published) for file in published.rglob("*")) == sorted(
        file.relative_to(path) for file in path.rglob("*"))
    assert load_run(published).history == load_run(path).history
    assert (published / "tb" / "events").read_bytes() == b"\x00\x01"


@pytest.mark.parametrize("name", ["run/../../escape.txt", "/etc/passwd", "history.csv"])
def test_a_worker_zip_that_is_not_one_run_folder_publishes_nothing(name, tmp_path):
    data = zip_of({"run/history.csv": history_csv(HISTORY), name: "x"})
    with pytest.raises(RunStorageError):
        publish_run_zip(data, tmp_path / "server", "run")
    assert list((tmp_path / "server").iterdir()) == [] and not (tmp_path / "escape.txt").exists()


def test_a_folder_zip_keeps_paths_below_the_folder(tmp_path):
    (tmp_path / "set" / "cat").mkdir(parents=True)
    (tmp_path / "set" / "cat" / "a.png").write_bytes(b"png")
    with zipfile.ZipFile(io.BytesIO(zip_folder(tmp_path / "set"))) as archive:
        assert archive.namelist() == ["cat/a.png"]


def test_zip_members_that_unpack_huge_are_refused():
    huge = "epoch,loss\n" + "0,0.5\n" * (MAX_UNPACKED_BYTES // 6 + 10)
    data = zip_of({"run/history.csv": huge})
    assert len(data) < MAX_UNPACKED_BYTES // 20  # small packed, large unpacked
    with pytest.raises(RunReadError, match="unpack"):
        run_from_zip(data, "bomb.zip")


def test_uploads_over_the_size_limit_get_a_clear_message():
    with pytest.raises(RunReadError, match="larger than"):
        run_from_upload(b"x" * (MAX_UPLOAD_BYTES + 1), "big.csv")


def test_csv_logger_file_is_read_with_epochs_counted_from_one():
    run = run_from_upload(CSV_LOGGER.encode(), "log.csv")
    assert [row["epoch"] for row in run.history] == [1, 2, 3]
    assert run.history[1]["val_accuracy"] == pytest.approx(0.985)
    assert run.source == "upload" and run.label == "log"


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"time,value\n1,2\n", "needs an 'epoch' column"),
    (b"epoch,loss\n0,abc\n", "line 2: loss is 'abc'"),
    (b"epoch,loss\n", "no epochs"),
    (b"\xff\xfe\x00garbage", "not a text CSV"),
    (b"epoch,loss\nnan,0.5\ninf,0.4\n,0.3\n1e300,0.2\n", "no usable epochs"),
])
def test_malformed_uploads_are_refused_naming_the_problem(content, message):
    with pytest.raises(RunReadError, match=message):
        run_from_upload(content, "bad.csv")


def test_an_upload_with_some_unusable_epochs_keeps_the_rest_with_a_note():
    run = run_from_upload(b"epoch,loss\n0,0.5\nnan,0.4\n1e300,0.3\n1,inf\n", "odd.csv")
    assert run.history == [{"epoch": 1, "loss": 0.5}, {"epoch": 2}]
    assert run.notes == ["odd.csv: skipped 2 of 4 rows, their epoch unusable (line 3: epoch 'nan' is not a finite "
                         "number; line 4: epoch '1e300' is above 1,000,000)."]


def test_run_zip_from_the_training_page_is_read_back():
    data = zip_of({"my-run/config.json": json.dumps({"optimizer": "adam", "name": "mine"}),
                   "my-run/metrics.json": json.dumps({"test_accuracy": 0.98}),
                   "my-run/history.csv": "epoch,loss,accuracy\n1,0.5,0.9\n"})
    run = run_from_upload(data, "my-run.zip")
    assert run.config["optimizer"] == "adam" and run.metrics["test_accuracy"] == 0.98 and len(run.history) == 1


def test_a_run_zip_with_unusable_epochs_carries_the_note():
    run = run_from_upload(zip_of({"r/history.csv": "epoch,loss\n0,0.5\n-1,0.4\n"}), "r.zip")
    assert len(run.history) == 1 and "r.zip/history.csv: skipped 1 of 2 rows" in run.notes[0]


GOOD_HISTORY = "epoch,loss\n1,0.5\n"


@pytest.mark.parametrize("file, content, says", [
    ("config.json", json.dumps({"name": {"a": 1}}), "name: must be text"),
    ("config.json", json.dumps({"name": ["a", "b"]}), "name: must be text"),
    ("config.json", json.dumps({"learning_rate": "fast"}), "learning_rate: must be a number"),
    ("config.json", json.dumps({"train_samples": "many"}), "train_samples: must be a number"),
    ("config.json", json.dumps({"optimizer": ["adam"]}), "optimizer: must be one of"),
    ("config.json", json.dumps({"lr_schedule": {"kind": "step"}}), "lr_schedule: must be one of"),
    ("config.json", json.dumps([1, 2]), "config.json must hold an object"),
    ("config.json", "[" * 100_000 + "]" * 100_000, "config.json nests too deeply"),
    ("config.json", '{"epochs": ' + "9" * 5000 + "}", "config.json is not readable JSON"),
    ("config.json", "{not json", "config.json is not readable JSON"),
    ("metrics.json", json.dumps({"test_accuracy": "high"}), "test_accuracy must be a number from 0 to 1"),
    ("metrics.json", json.dumps({"confusion_matrix": [[1, 2], "x"]}), "confusion_matrix must be a square table"),
    ("metrics.json", json.dumps({"status": ["finished"]}), "status must be one of finished, stopped, failed"),
])
def test_a_crafted_run_zip_is_refused_in_one_line_naming_the_file_and_key(file, content, says):
    data = zip_of({"run/history.csv": GOOD_HISTORY, f"run/{file}": content})
    with pytest.raises(RunReadError) as refusal:
        run_from_zip(data, "crafted.zip")
    message = str(refusal.value)
    assert message.startswith("crafted.zip was not loaded: ") and says in message
    assert "\n" not in message and len(message) < 500 and "/" not in message.replace("crafted.zip", "")


def test_a_run_folder_with_a_crafted_config_is_skipped_with_a_note_not_a_crash(tmp_path):
    from lib.runs.store import list_runs

    path = make_run(tmp_path, "20260101-000000-a", name="fine")
    crafted = make_run(tmp_path, "20260101-000001-b", name="crafted")
    (crafted / "config.json").write_text(json.dumps({"name": {"evil": True}, "epochs": "many"}))
    runs, notes = list_runs(tmp_path)
    assert [run.path for run in runs] == [path]
    assert len(notes) == 1 and "name: must be text" in notes[0]


def test_the_runs_this_app_writes_pass_the_schema(tmp_path):
    path = make_run(tmp_path, "20260101-000000-a", name="my run")
    run = run_from_zip(zip_run(path), "a.zip")
    assert run.config["name"] == "my run"
