"""The job interface, run against both backends: child processes of this server, and a real local Ray cluster.

Each test goes through the app's JobRegistry, chosen by the settings as the server chooses (CNN_LAB_RAY_ADDRESS
set or not), and trains for real on tiny data. The Ray cluster is the session's `ray_cluster` (conftest): two
CPUs in processes of its own, so two jobs fit side by side.
"""

import os
import signal
import time
from pathlib import Path

import pytest

from lib.engine.config import TrainingConfig
from lib.runs.store import load_run
from lib.runs.workspaces import new_token
from lib.server.backends import LocalBackend, RayBackend
from lib.server.job_journal import JOURNAL_FILE
from lib.server.job_limits import JobLimitError
from lib.server.jobs import JobRegistry
from lib.settings import ServerSettings

pytest.importorskip("keras")

# The Ray tests of every file share one worker under xdist, so one worker starts the session's Ray cluster (and its
# workers, TensorFlow imported, serve the files after the first).
RAY = pytest.mark.xdist_group("ray")
BACKENDS = ["local", pytest.param("ray", marks=RAY)]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The address of the cluster jobs go to: "" for the local backend, the test cluster's for Ray."""
    return request.getfixturevalue("ray_cluster").address if request.param == "ray" else ""


def registry(fake_mnist, tmp_path, address, **limits) -> JobRegistry:
    """A registry as the server makes it from its settings, writing runs under tmp_path."""
    return JobRegistry(out_dir=lambda: tmp_path, env={"MNIST_PATH": str(fake_mnist)},
                       settings=ServerSettings(ray_address=address, **limits))


def short(epochs=2) -> TrainingConfig:
    return TrainingConfig(epochs=epochs, train_samples=256, batch_size=8, optimizer="adam")


def long() -> TrainingConfig:
    """A job that trains until it is stopped (the tests never let it finish)."""
    return TrainingConfig(epochs=200, train_samples=4000, batch_size=8, optimizer="adam")


def wait_for(predicate, timeout=240.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def published(folder: Path) -> list[str]:
    """The runs (and hidden folders) a folder holds, but for the registry's record of its active jobs."""
    return sorted(path.name for path in folder.iterdir() if path.name != JOURNAL_FILE) if folder.is_dir() else []


def test_the_setting_chooses_the_backend(tmp_path):
    assert isinstance(JobRegistry(out_dir=lambda: tmp_path, settings=ServerSettings()).backend, LocalBackend)
    chosen = JobRegistry(out_dir=lambda: tmp_path, settings=ServerSettings(ray_address="10.0.0.5:6379")).backend
    assert isinstance(chosen, RayBackend) and chosen.address == "10.0.0.5:6379"


def test_a_run_trains_with_live_progress_and_lands_in_its_workspace_with_history_and_model(fake_mnist, tmp_path,
                                                                                          backend):
    jobs, owner = registry(fake_mnist, tmp_path, backend), new_token()
    job = jobs.submit(short(epochs=2), owner=owner)
    seen_while_running = []
    while job.active:
        if job.batch_points and job.status == "running":
            seen_while_running.append(len(job.batch_points))
        time.sleep(0.05)
        assert time.time() - job.created < 300, "timed out"
    assert job.status == "finished", job.message
    assert seen_while_running, "no live progress arrived while the job trained"
    run_path = Path(job.run_path)
    assert run_path.parent == tmp_path / "workspaces" / owner and published(run_path.parent) == [run_path.name]
    run = load_run(run_path)
    assert [row["epoch"] for row in run.history] == [1, 2] and len(job.history) == 2
    assert (run_path / "model.keras").stat().st_size > 0 and run.metrics["status"] == "finished"


def test_limits_hold_two_jobs_train_side_by_side_stop_keeps_one_and_a_killed_worker_fails_the_other(
        fake_mnist, tmp_path, backend):
    # One pair of long jobs serves both checks (each job's processes cost a TensorFlow start): the limits and the
    # side-by-side training, then a worker killed mid-epoch, then a stop.
    jobs = registry(fake_mnist, tmp_path, backend, max_jobs=2)
    alice, bob, carol = new_token(), new_token(), new_token()
    first, second = jobs.submit(long(), owner=alice), jobs.submit(long(), owner=bob)
    with pytest.raises(JobLimitError, match="already has 1 job"):
        jobs.submit(short(), owner=alice)
    third = jobs.submit(short(), owner=carol)
    assert third.status == "queued" and jobs.queue_position(third.job_id) == 1
    # Both have trained a batch while the other still runs: side by side, not one after the other.
    wait_for(lambda: first.batch_points and second.batch_points and first.pids and first.pids[0])
    assert first.status == second.status == "running"
    jobs.stop(third.job_id)
    assert third.status == "cancelled"
    # Mid-epoch, the first job's process is killed: the training child here; on Ray, the worker running the task.
    os.kill(first.pids[0], signal.SIGKILL)
    wait_for(lambda: not first.active)
    assert first.status == "failed" and first.run_path is None
    reason = "Ray worker running it was lost" if backend else "killed, most likely for lack of memory"
    assert reason in first.message
    assert second.status == "running"  # the other job trains on
    jobs.stop(second.job_id)
    wait_for(lambda: not second.active)
    assert second.status == "stopped", second.message
    assert len(second.history) < 200 and Path(second.run_path).parent == tmp_path / "workspaces" / bob
    # The killed job published nothing, not even a half-written folder; the cancelled one never started.
    assert published(tmp_path / "workspaces" / alice) == [] and published(tmp_path / "workspaces" / carol) == []


@RAY
def test_a_job_the_cluster_could_never_hold_fails_at_once_saying_why(fake_mnist, tmp_path, ray_cluster):
    jobs = registry(fake_mnist, tmp_path, ray_cluster.address)
    demo = jobs.submit(TrainingConfig(epochs=1, train_samples=256, batch_size=32, strategy="multiworker"),
                       owner="a", demo_workers=3)  # the test cluster has two CPUs
    wait_for(lambda: not demo.active, timeout=60)
    assert demo.status == "failed"
    assert demo.message.startswith("This job needs 3 training processes of 1 CPU and 1.0 GiB of memory each at "
                                   "once, and the Ray cluster's machines hold 2: it would wait for ever."), demo.message
    assert published(tmp_path) == []


@RAY
def test_the_two_worker_demonstration_runs_under_ray_train_and_writes_one_run(fake_mnist, tmp_path, ray_cluster):
    # The local demonstration's own test is in test_jobs.py; here both workers are Ray Train's.
    jobs = registry(fake_mnist, tmp_path, ray_cluster.address)
    demo = jobs.submit(TrainingConfig(epochs=1, train_samples=256, batch_size=32, strategy="multiworker"),
                       owner="a", demo_workers=2)
    wait_for(lambda: not demo.active, timeout=400)
    assert demo.status == "finished", demo.message
    assert [len(worker.history) for worker in demo.workers] == [1, 1]
    losses = [[row["loss"] for row in worker.history] for worker in demo.workers]
    assert losses[0] == pytest.approx(losses[1])  # in step: the same reduced loss on both
    (run,) = published(tmp_path)
    assert load_run(tmp_path / run).metrics["replicas"] == 2
