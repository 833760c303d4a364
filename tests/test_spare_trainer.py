"""A training process started ahead of its job (lib.spare, SparePool): it trains the job as lib.cli would."""

import os
import time

from lib.engine.config import TrainingConfig
from lib.engine.events import EndEvent, StartEvent
from lib.server.jobs import JobRegistry
from lib.server.process_runner import CHILD_NICENESS, Spare, SparePool, TrainingProcess, child_environment
from lib.settings import ServerSettings


def config() -> TrainingConfig:
    return TrainingConfig(epochs=1, train_samples=64, batch_size=16, optimizer="adam")


def test_a_spare_takes_its_job_and_publishes_the_run(fake_mnist, tmp_path):
    env = {"MNIST_PATH": str(fake_mnist)}
    spares = SparePool()
    spares.prepare(env)
    spare_pid = spares._spare.process.pid
    events = []
    process = TrainingProcess(config(), tmp_path, "spare-run", events.append, env, spares=spares)
    process.start()
    assert process.pid == spare_pid  # no new process: the spare took the job
    outcome = process.outcome()
    assert outcome.status == "finished", outcome.message
    assert isinstance(events[0], StartEvent) and isinstance(events[-1], EndEvent)
    assert os.path.basename(outcome.path) == "spare-run" and (tmp_path / "spare-run" / "config.json").exists()
    assert spares._spare is None  # taken: the next job's is prepared by the registry when one waits


def test_a_spare_started_for_another_environment_is_not_used(fake_mnist, tmp_path):
    spares = SparePool()
    spares.prepare({"MNIST_PATH": str(fake_mnist), "EXTRA": "1"})
    spare = spares._spare
    process = TrainingProcess(config(), tmp_path, "own-run", lambda event: None, {"MNIST_PATH": str(fake_mnist)},
                              spares=spares)
    process.start()
    assert process.pid != spare.process.pid
    assert process.outcome().status == "finished"
    assert spare.process.poll() is not None  # ended, having written nothing
    assert sorted(path.name for path in tmp_path.iterdir() if path.is_dir()) == ["own-run"]


def test_a_discarded_spare_ends_without_training(fake_mnist, tmp_path):
    spares = SparePool()
    spares.prepare({"MNIST_PATH": str(fake_mnist)})
    spare = spares._spare
    time.sleep(0.5)
    spares.discard()
    assert spare.process.poll() is not None and spares._spare is None
    assert spares.take(child_environment({"MNIST_PATH": str(fake_mnist)}), CHILD_NICENESS) is None


def test_a_queued_job_takes_the_process_started_ahead_while_it_waited(fake_mnist, tmp_path, monkeypatch):
    started = []  # the pid of every spare the registry starts
    real_init = Spare.__init__

    def recorded(self, *arguments, **options):
        real_init(self, *arguments, **options)
        started.append(self.process.pid)

    monkeypatch.setattr(Spare, "__init__", recorded)
    jobs = JobRegistry(out_dir=lambda: tmp_path, env={"MNIST_PATH": str(fake_mnist)}, settings=ServerSettings(max_jobs=1))
    first = jobs.submit(TrainingConfig(epochs=2, train_samples=256, batch_size=8, optimizer="adam"), owner="a")
    second = jobs.submit(config(), owner="b")
    assert second.status == "queued" and started  # a process is started while the second job waits
    deadline = time.monotonic() + 300
    while second.status != "finished":
        assert time.monotonic() < deadline and second.status in ("queued", "running"), second.message
        time.sleep(0.1)
    assert first.status == "finished" and second.pids[0] in started  # (the first job may take one too)
    assert jobs.backend.spares._spare is None  # nobody waits: no spare is kept


def test_a_spare_nobody_waits_for_any_more_is_ended(fake_mnist, tmp_path):
    jobs = JobRegistry(out_dir=lambda: tmp_path, env={"MNIST_PATH": str(fake_mnist)}, settings=ServerSettings(max_jobs=1))
    first = jobs.submit(TrainingConfig(epochs=50, train_samples=512, batch_size=8, optimizer="adam"), owner="a")
    deadline = time.monotonic() + 120
    while not first.pids:  # its own process has started: the spare below is the second job's
        assert time.monotonic() < deadline
        time.sleep(0.05)
    second = jobs.submit(config(), owner="b")
    spare = jobs.backend.spares._spare
    jobs.stop(second.job_id)  # taken off the queue
    assert spare.process.poll() is not None and jobs.backend.spares._spare is None
    jobs.stop(first.job_id)
    deadline = time.monotonic() + 120
    while first.active:
        assert time.monotonic() < deadline
        time.sleep(0.1)
