"""lib.server.job_state: a job's progress folded from its process's events, and its time left."""

import time

from lib.engine.config import TrainingConfig
from lib.engine.events import BatchEvent, EpochEvent, EvaluateEvent, StartEvent
from lib.server.job_state import MAX_BATCH_POINTS, Job, WorkerProgress, record


def test_events_move_a_workers_progress_through_its_phases():
    progress = WorkerProgress("training")
    record(progress, StartEvent("run", 2, 10, 1234, "default", 1))
    assert (progress.phase, progress.epoch, progress.batches, progress.parameters) == ("training", 1, 10, 1234)
    record(progress, BatchEvent(1, 4, 10, 0.5, 0.8))
    assert progress.batch == 4 and progress.batch_points[-1]["loss"] == 0.5
    record(progress, EpochEvent({"epoch": 1, "loss": 0.4}, 2))
    assert progress.epoch == 2 and progress.batch == 0 and progress.history == [{"epoch": 1, "loss": 0.4}]
    record(progress, EvaluateEvent())
    assert progress.phase == "evaluating"


def test_a_long_run_keeps_only_its_latest_batch_points():
    progress = WorkerProgress("training")
    for batch in range(MAX_BATCH_POINTS + 50):
        record(progress, BatchEvent(1, batch, 10**6, 1.0, 0.5))
    assert len(progress.batch_points) == MAX_BATCH_POINTS


def test_time_left_follows_the_pace_so_far_and_is_unknown_before_a_batch():
    job = Job("j", TrainingConfig(epochs=2), owner="a")
    assert job.seconds_left() is None
    job.status, job.started = "running", time.time() - 10
    record(job.chief, StartEvent("run", 2, 10, 1, "default", 1))
    assert job.seconds_left() is None  # no batch yet
    job.chief.training_started = time.time() - 10
    record(job.chief, BatchEvent(1, 5, 10, 1.0, 0.5))
    assert 25 < job.seconds_left() < 35  # 5 of 20 batches took 10 s: 15 more take about 30 s
    assert job.active and job.epochs == 2


def test_time_left_leaves_out_the_start_up_before_the_first_epoch():
    job = Job("j", TrainingConfig(epochs=1), owner="a")
    job.status, job.started = "running", time.time() - 40  # 30 s loading TensorFlow and MNIST, then training
    record(job.chief, StartEvent("run", 1, 20, 1, "default", 1))
    job.chief.training_started = time.time() - 10
    record(job.chief, BatchEvent(1, 10, 20, 1.0, 0.5))
    assert 8 < job.seconds_left() < 12  # 10 of 20 batches took 10 s, not 40
