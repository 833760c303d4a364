"""The job registry: background training, one at a time, a queue, stopping, and abandoned jobs."""

import functools
import time

import numpy as np
import pytest

from lib.config import TrainingConfig
from lib.jobs import JobRegistry

pytest.importorskip("keras")
from lib.training import Dataset, train


@pytest.fixture(scope="module")
def tiny() -> Dataset:
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (256, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 256).astype(np.uint8)
    return Dataset(images, labels, images[:64], labels[:64])


def registry(tiny, tmp_path, **options) -> JobRegistry:
    return JobRegistry(trainer=functools.partial(train, data=tiny), out_dir=lambda: tmp_path, **options)


def config(epochs) -> TrainingConfig:
    return TrainingConfig(epochs=epochs, train_samples=256, batch_size=8, optimizer="adam")


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_one_job_runs_and_the_next_waits_its_turn(tiny, tmp_path):
    jobs = registry(tiny, tmp_path, max_running=1)
    first = jobs.submit(config(2), owner="a")
    second = jobs.submit(config(1), owner="b")
    assert first.status == "running" and second.status == "queued"
    assert jobs.queue_position(second.job_id) == 1
    wait_for(lambda: second.status == "finished")
    assert first.status == "finished" and first.finished <= second.started + 0.5
    assert len(first.history) == 2 and first.run_path


def test_stopping_a_running_job_keeps_its_run(tiny, tmp_path):
    jobs = registry(tiny, tmp_path)
    job = jobs.submit(config(50), owner="a")
    wait_for(lambda: len(job.history) >= 1)
    jobs.stop(job.job_id)
    wait_for(lambda: not job.active)
    assert job.status == "stopped" and job.run_path
    assert len(job.history) < 50


def test_a_queued_job_can_leave_the_queue(tiny, tmp_path):
    jobs = registry(tiny, tmp_path, max_running=1)
    running = jobs.submit(config(50), owner="a")
    queued = jobs.submit(config(1), owner="b")
    jobs.stop(queued.job_id)
    assert queued.status == "cancelled" and jobs.queue_position(queued.job_id) == 0
    jobs.stop(running.job_id)
    wait_for(lambda: not running.active)


def test_an_abandoned_job_stops_by_itself(tiny, tmp_path):
    jobs = registry(tiny, tmp_path, abandon_after=0.5)
    job = jobs.submit(config(500), owner="gone")
    wait_for(lambda: not job.active, timeout=60)
    assert job.status == "stopped" and "went away" in job.message


def test_a_job_kept_alive_by_heartbeats_is_not_abandoned(tiny, tmp_path):
    jobs = registry(tiny, tmp_path, abandon_after=0.5)
    job = jobs.submit(config(3), owner="here")
    while job.active:
        jobs.heartbeat(job.job_id)
        time.sleep(0.1)
    assert job.status == "finished"


def test_a_job_that_fails_reports_why(tiny, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    jobs = JobRegistry(trainer=functools.partial(train, data=tiny), out_dir=lambda: blocker)
    job = jobs.submit(config(1), owner="a")
    wait_for(lambda: not job.active)
    assert job.status == "failed" and "Cannot write runs" in job.message
