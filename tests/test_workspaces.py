"""Workspaces on a shared server: tokens, own and shared runs, limits, crash clean-up, and the models they offer."""

import json
import os
import subprocess
import sys
import time

import pytest

from lib.engine.run_files import WRITER_FILE, process_start_time
from lib.runs.store import SHIPPED_MODEL, RunBuilder, RunStorageError
from lib.runs.workspaces import (
    check_disk_cap,
    delete_run,
    enforce_run_limit,
    folder_bytes,
    is_shared,
    listing_fingerprint,
    new_token,
    owns,
    remove_stale,
    rename_run,
    set_shared,
    shared_runs,
    valid_token,
    workspace_dir,
    workspace_runs,
)
from tests.run_folders import make_run


@pytest.mark.parametrize("bad", ["", "../../etc/passwd", "a" * 31, "a" * 33, "A" * 32, "g" * 32,
                                 "0123456789abcdef0123456789abcde/", "0123456789abcdef\x000123456789abcde",
                                 "x" * 10_000, None, 12345, "..", "/" * 32])
def test_malformed_tokens_are_refused_and_never_become_paths(bad, tmp_path):
    assert valid_token(bad) is None
    with pytest.raises(ValueError):
        workspace_dir(bad, tmp_path)


def test_new_tokens_are_valid_and_distinct():
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50 and all(valid_token(token) for token in tokens)


def test_a_workspace_lists_only_its_own_runs(tmp_path):
    alice, bob = new_token(), new_token()
    make_run(workspace_dir(alice, tmp_path), "20260101-000000-a")
    make_run(workspace_dir(bob, tmp_path), "20260101-000000-b")
    assert [run.run_id for run in workspace_runs(alice, tmp_path)[0]] == ["20260101-000000-a"]
    assert [run.run_id for run in workspace_runs(bob, tmp_path)[0]] == ["20260101-000000-b"]
    assert owns(alice, workspace_runs(alice, tmp_path)[0][0], tmp_path)
    assert not owns(bob, workspace_runs(alice, tmp_path)[0][0], tmp_path)


def test_shared_runs_are_listed_for_others_marked_shared_until_unshared(tmp_path):
    alice, bob = new_token(), new_token()
    path = make_run(workspace_dir(alice, tmp_path), "20260101-000000-a")
    assert shared_runs(exclude=bob, root=tmp_path)[0] == []
    set_shared(path, True)
    (run,) = shared_runs(exclude=bob, root=tmp_path)[0]
    assert run.source == "shared" and run.run_id == "20260101-000000-a" and is_shared(path)
    assert shared_runs(exclude=alice, root=tmp_path)[0] == []  # one's own shared runs are listed as one's own
    set_shared(path, False)
    assert shared_runs(exclude=bob, root=tmp_path)[0] == [] and not is_shared(path)


def test_the_oldest_unshared_runs_go_beyond_the_limit(tmp_path):
    token = new_token()
    folder = workspace_dir(token, tmp_path)
    paths = [make_run(folder, f"20260101-00000{index}-r", name=f"run {index}") for index in range(5)]
    set_shared(paths[0], True)  # the oldest, but shared: it stays
    removed = enforce_run_limit(token, keep=3, root=tmp_path)
    assert removed == ["run 1", "run 2"]
    assert sorted(path.name for path in folder.iterdir()) == ["20260101-000000-r", "20260101-000003-r",
                                                              "20260101-000004-r"]


def test_disk_cap_refuses_new_runs_when_full(tmp_path, monkeypatch):
    make_run(workspace_dir(new_token(), tmp_path), "20260101-000000-a", size=2 * 2**20)
    monkeypatch.setenv("CNN_LAB_DISK_CAP_MB", "1")
    with pytest.raises(RunStorageError, match=r"already fill 2 MB of the 1 MB allowed"):
        check_disk_cap(tmp_path)
    monkeypatch.setenv("CNN_LAB_DISK_CAP_MB", "10")
    check_disk_cap(tmp_path)


def test_stale_partial_and_retired_folders_are_removed_after_an_hour(tmp_path):
    token = new_token()
    folder = workspace_dir(token, tmp_path)
    folder.mkdir(parents=True)
    old_partial = folder / ".20260101-000000-a.x1.partial"
    old_retired = tmp_path / ".lenet.retired-abc123"
    fresh_partial = folder / ".20260101-000001-b.x2.partial"
    kept_run = make_run(folder, "20260101-000002-c")
    for path in (old_partial, old_retired, fresh_partial):
        path.mkdir(parents=True)
    hour_ago = time.time() - 3700
    for path in (old_partial, old_retired):
        os.utime(path, (hour_ago, hour_ago))
    removed = remove_stale(tmp_path)
    assert sorted(path.name for path in removed) == sorted([old_partial.name, old_retired.name])
    assert fresh_partial.exists() and kept_run.exists()


def a_dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_fresh_partial_folder_whose_writer_died_is_removed_at_once_and_a_live_writers_is_kept(tmp_path):
    token = new_token()
    dead = RunBuilder(workspace_dir(token, tmp_path), "20260101-000000-dead").staging
    dead_writer = json.loads((dead / WRITER_FILE).read_text())
    assert dead_writer == {"pid": os.getpid(), "started": process_start_time(os.getpid())}
    (dead / WRITER_FILE).write_text(json.dumps({**dead_writer, "pid": a_dead_pid()}))
    reused = RunBuilder(tmp_path, "20260101-000001-reused").staging  # a live pid, but started at another time
    (reused / WRITER_FILE).write_text(json.dumps({**dead_writer, "started": dead_writer["started"] - 1}))
    live = RunBuilder(workspace_dir(token, tmp_path), "20260101-000002-live")
    removed = remove_stale(tmp_path)
    assert sorted(path.name for path in removed) == sorted([dead.name, reused.name])
    assert live.staging.exists()
    published = live.publish()
    assert not (published / WRITER_FILE).exists()  # the writer's note is not part of the run


def test_the_disk_walk_before_a_job_clears_a_crashed_runs_folder(tmp_path):
    from lib.server.jobs import JobRegistry
    from lib.settings import ServerSettings

    staging = RunBuilder(tmp_path, "20260101-000000-dead").staging
    (staging / "model.keras").write_bytes(b"\0" * 10_000)
    (staging / WRITER_FILE).write_text(json.dumps({"pid": a_dead_pid(), "started": 1}))
    jobs = JobRegistry(out_dir=lambda: tmp_path, settings=ServerSettings(), process_factory=lambda *a: None)
    jobs.disk.measure()
    assert not staging.exists() and jobs.disk.used < 10_000


def test_a_run_missing_a_file_or_holding_a_malformed_one_is_skipped_with_a_note(tmp_path):
    token = new_token()
    folder = workspace_dir(token, tmp_path)
    make_run(folder, "20260101-000000-good")
    (make_run(folder, "20260101-000001-nohistory") / "history.csv").unlink()
    (make_run(folder, "20260101-000002-badjson") / "metrics.json").write_text("{not json")
    runs, notes = workspace_runs(token, tmp_path)
    assert [run.run_id for run in runs] == ["20260101-000000-good"]
    assert len(notes) == 2 and any("missing history.csv" in note for note in notes)


def test_fingerprint_changes_when_a_run_appears_or_is_shared(tmp_path):
    token = new_token()
    before = listing_fingerprint(tmp_path)
    path = make_run(workspace_dir(token, tmp_path), "20260101-000000-a")
    after_new = listing_fingerprint(tmp_path)
    time.sleep(0.01)
    set_shared(path, True)
    assert before != after_new != listing_fingerprint(tmp_path)


def test_draw_page_models_are_this_workspaces_and_shared_ones_with_notes_for_broken_runs(tmp_path, monkeypatch):
    from lib.keras_views.predict import available_models

    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    alice, bob = new_token(), new_token()
    make_run(workspace_dir(alice, tmp_path), "20260101-000000-mine", name="mine")
    set_shared(make_run(workspace_dir(bob, tmp_path), "20260101-000000-theirs", name="theirs"), True)
    make_run(workspace_dir(bob, tmp_path), "20260101-000001-private", name="private")
    (make_run(workspace_dir(alice, tmp_path), "20260101-000002-broken") / "config.json").write_text("{")
    models, notes = available_models(alice)
    labels = [label for label, _ in models]
    assert labels[0] == "Shipped LeNet-5"
    assert "my runs: mine" in labels and "shared: theirs" in labels
    assert not any("private" in label for label in labels)
    assert any("20260101-000002-broken" in note for note in notes)


def test_runs_of_one_name_are_each_offered_labelled_by_their_id(tmp_path, monkeypatch):
    from lib.keras_views.predict import available_models

    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    alice, bob, carol = new_token(), new_token(), new_token()
    first = make_run(workspace_dir(alice, tmp_path), "20260101-000000-dup", name="dup")
    second = make_run(workspace_dir(alice, tmp_path), "20260101-000001-dup", name="dup")
    for token in (bob, carol):  # two students share a run each, both named "dup" and with the same id
        set_shared(make_run(workspace_dir(token, tmp_path), "20260101-000000-dup", name="dup"), True)
    models, _ = available_models(alice)
    dups = {label: path for label, path in models if "dup" in label}
    assert len(dups) == 4 and len(set(dups.values())) == 4  # every run listed, each under a label of its own
    assert dups["my runs: dup (20260101-000000-dup)"] == first / "model.keras"
    assert dups["my runs: dup (20260101-000001-dup)"] == second / "model.keras"
    assert {"shared: dup (20260101-000000-dup)", "shared: dup (20260101-000000-dup) #2"} <= set(dups)


def test_failed_runs_and_runs_without_a_model_are_not_offered(tmp_path, monkeypatch):
    from lib.keras_views.predict import available_models

    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    token = new_token()
    make_run(workspace_dir(token, tmp_path), "20260101-000000-failed", name="diverged", status="failed")
    (make_run(workspace_dir(token, tmp_path), "20260101-000001-nomodel", name="no model") / "model.keras").unlink()
    make_run(workspace_dir(token, tmp_path), "20260101-000002-good", name="good")
    models, _ = available_models(token)
    labels = [label for label, _ in models]
    assert "my runs: good" in labels and not any("diverged" in label or "no model" in label for label in labels)
    assert models[0][1] == SHIPPED_MODEL


def test_deleting_a_run_removes_it_from_the_list_and_frees_its_room(tmp_path):
    token = new_token()
    keep = make_run(workspace_dir(token, tmp_path), "20260101-000000-keep", size=1000)
    doomed = make_run(workspace_dir(token, tmp_path), "20260101-000001-doomed", size=50_000)
    before = folder_bytes(tmp_path)
    delete_run(token, doomed, root=tmp_path)
    assert [run.path for run in workspace_runs(token, tmp_path)[0]] == [keep]
    assert sorted(workspace_dir(token, tmp_path).iterdir()) == [keep]  # no trash left behind
    assert before - folder_bytes(tmp_path) >= 50_000


def test_renaming_a_run_changes_its_label_and_keeps_the_rest_of_its_config(tmp_path):
    token = new_token()
    run = make_run(workspace_dir(token, tmp_path), "20260101-000000-a", name="old")
    rename_run(token, run, "  my best one  ", root=tmp_path)
    (renamed,), _ = workspace_runs(token, tmp_path)
    assert renamed.label == "my best one" and renamed.config["optimizer"] == "adam"
    with pytest.raises(ValueError, match="at most 200 characters"):
        rename_run(token, run, "x" * 201, root=tmp_path)


def test_deleting_or_renaming_refuses_anything_but_the_workspaces_own_runs(tmp_path):
    alice, bob = new_token(), new_token()
    bobs = make_run(workspace_dir(bob, tmp_path), "20260101-000000-b")
    mine = make_run(workspace_dir(alice, tmp_path), "20260101-000000-a")
    (workspace_dir(alice, tmp_path) / "link").symlink_to(bobs)
    outside = make_run(tmp_path, "20260101-000000-top")
    hidden = workspace_dir(alice, tmp_path) / ".20260101-000000-x.abc.partial"
    hidden.mkdir()
    attempts = [bobs, workspace_dir(alice, tmp_path) / "link", outside, hidden, workspace_dir(alice, tmp_path),
                mine / "..", mine / ".." / ".." / bob / bobs.name, tmp_path / "missing"]
    for path in attempts:
        with pytest.raises(ValueError, match="Only a run of this workspace"):
            delete_run(alice, path, root=tmp_path)
        with pytest.raises(ValueError, match="Only a run of this workspace"):
            rename_run(alice, path, "mine now", root=tmp_path)
    with pytest.raises(ValueError):
        delete_run("../" + bob, bobs, root=tmp_path)
    assert bobs.is_dir() and outside.is_dir() and hidden.is_dir() and mine.is_dir()
    assert workspace_runs(bob, tmp_path)[0][0].label == "20260101-000000-b"
