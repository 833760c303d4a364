"""Writing a run: its id, its history.csv, and the builder that publishes it with one rename."""

import os
import re
import subprocess
import sys

import pytest

from lib.engine.run_files import (
    HISTORY_COLUMNS,
    RunBuilder,
    RunStorageError,
    check_writable,
    history_csv,
    make_run_id,
)
from tests.conftest import ROOT


def test_a_run_id_is_a_safe_file_name_whatever_the_label_holds():
    run_id = make_run_id("../../etc/passwd; rm -rf /", now=0)
    assert re.fullmatch(r"\d{8}-\d{6}-etc-passwd-rm-rf-[0-9a-f]{6}", run_id), run_id


def test_two_ids_made_in_the_same_second_differ():
    assert make_run_id("same", now=0) != make_run_id("same", now=0)


def test_history_csv_counts_epochs_from_zero_as_csvlogger_does():
    lines = history_csv([{"epoch": 1, "loss": 0.5}, {"epoch": 2, "loss": 0.25}]).splitlines()
    assert lines[0] == ",".join(HISTORY_COLUMNS)
    assert [line.split(",")[0] for line in lines[1:]] == ["0", "1"]


def test_a_run_is_invisible_until_published_then_appears_whole(tmp_path):
    builder = RunBuilder(tmp_path, "run-1")
    builder.write_json("config.json", {"epochs": 1})
    builder.write_history([])
    assert [name for name in os.listdir(tmp_path) if not name.startswith(".")] == []
    path = builder.publish()
    assert path == tmp_path / "run-1" and sorted(os.listdir(path)) == ["config.json", "history.csv"]
    assert os.listdir(tmp_path) == ["run-1"]  # no hidden staging folder left behind


def test_replace_swaps_an_older_run_of_the_same_id(tmp_path):
    first = RunBuilder(tmp_path, "lenet")
    first.write_json("config.json", {"epochs": 1})
    first.publish()
    second = RunBuilder(tmp_path, "lenet")
    second.write_json("config.json", {"epochs": 2})
    path = second.publish(replace=True)
    assert (path / "config.json").read_text().count("2") == 1 and os.listdir(tmp_path) == ["lenet"]


def test_publishing_over_an_existing_run_without_replace_fails_and_leaves_no_staging(tmp_path):
    (tmp_path / "lenet" / "keep").mkdir(parents=True)
    builder = RunBuilder(tmp_path, "lenet")
    with pytest.raises(RunStorageError, match="Cannot publish run"):
        builder.publish()
    assert os.listdir(tmp_path) == ["lenet"] and os.listdir(tmp_path / "lenet") == ["keep"]


def test_an_unwritable_folder_is_said_in_words(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RunStorageError, match="Cannot write runs to .*CNN_LAB_RUNS_DIR or --out"):
        RunBuilder(blocker / "runs", "run-1")


def test_discard_removes_the_staging_folder(tmp_path):
    builder = RunBuilder(tmp_path, "run-1")
    builder.discard()
    assert os.listdir(tmp_path) == []


def test_the_writable_check_makes_the_folder_leaves_nothing_in_it_and_refuses_a_file_in_words(tmp_path):
    check_writable(tmp_path / "new" / "runs")
    assert os.listdir(tmp_path / "new" / "runs") == []
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RunStorageError, match="Cannot write runs to .*file/runs: Not a directory.*--out"):
        check_writable(blocker / "runs")


def test_the_command_line_refuses_an_unwritable_out_before_tensorflow_starts(tmp_path):
    script = ("import sys\nfrom lib.cli import main\ncode = main(['--epochs', '1', '--out', sys.argv[1]])\n"
              "print(code, 'tensorflow' in sys.modules)")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = subprocess.run([sys.executable, "-c", script, str(blocker / "runs")], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.split() == ["1", "False"], result.stderr
    assert result.stderr.strip().startswith("error: Cannot write runs to") and len(result.stderr.splitlines()) == 1
