"""A training job as pages see it: its status, each worker's progress, and how their events fold into it.

lib.server.jobs owns the jobs and changes them; pages only read them. What a job says to people (its message,
its workers' labels) is a `LazyText`: written in a job's thread, where no reader is, and read in the language
of whoever looks at the page.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from lib.engine.config import TrainingConfig
from lib.engine.events import BatchEvent, EpochEvent, EvaluateEvent, Event, StartEvent
from lib.i18n import LazyText, _

ACTIVE = ("queued", "running")
# Batch events arrive a few times a second; a long run keeps the latest this many for its live chart.
MAX_BATCH_POINTS = 2000


@dataclass
class WorkerProgress:
    """What one training process has reported."""

    label: str
    epoch: int = 0
    batch: int = 0
    batches: int = 0
    parameters: int = 0
    phase: str = "waiting"  # waiting, training, evaluating, done
    # When its first epoch began (the StartEvent): loading TensorFlow and the data before it is no batch's pace.
    training_started: float | None = None
    history: list[dict] = field(default_factory=list)
    # Training loss and accuracy between batch events ({"position": epochs, "loss", "accuracy"}), newest last.
    batch_points: list[dict] = field(default_factory=list)


def worker_losses(workers: list[WorkerProgress]) -> tuple[list[dict], float | None]:
    """Each epoch's training loss as every worker reported it (one row per epoch that all of them finished),
    and the largest difference between two workers in any of those epochs (None without such an epoch)."""
    by_worker = [{row["epoch"]: row["loss"] for row in worker.history if row.get("loss") is not None}
                 for worker in workers]
    shared = sorted(set.intersection(*(set(losses) for losses in by_worker))) if by_worker else []
    rows = [{"epoch": epoch, **{str(worker.label): losses[epoch] for worker, losses in zip(workers, by_worker)}}
            for epoch in shared]
    gaps = [max(losses[epoch] for losses in by_worker) - min(losses[epoch] for losses in by_worker)
            for epoch in shared]
    return rows, (max(gaps) if gaps else None)


@dataclass
class Job:
    job_id: str
    config: TrainingConfig
    owner: str
    created: float = field(default_factory=time.time)
    status: str = "queued"  # queued, running, finished, stopped, failed, cancelled
    message: str = ""
    workers: list[WorkerProgress] = field(default_factory=lambda: [WorkerProgress(LazyText(lambda: _("training")))])
    started: float | None = None
    finished: float | None = None
    run_path: str | None = None
    pids: list[int] = field(default_factory=list)
    last_seen: float = field(default_factory=time.monotonic)
    stop_event: threading.Event = field(default_factory=threading.Event)
    demo_workers: int = 0  # 2 for the multi-worker demonstration, 0 for an ordinary job

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    # The chief's progress is the job's progress.
    @property
    def chief(self) -> WorkerProgress:
        return self.workers[0]

    @property
    def epoch(self) -> int:
        return self.chief.epoch

    @property
    def epochs(self) -> int:
        return self.config.epochs

    @property
    def batch(self) -> int:
        return self.chief.batch

    @property
    def batches(self) -> int:
        return self.chief.batches

    @property
    def phase(self) -> str:
        return self.chief.phase

    @property
    def history(self) -> list[dict]:
        return self.chief.history

    @property
    def batch_points(self) -> list[dict]:
        return self.chief.batch_points

    def seconds_left(self) -> float | None:
        """Time left, from the pace so far; None until a batch has run."""
        began = self.chief.training_started or self.started
        if self.status != "running" or began is None or not self.batches:
            return None
        done = (self.epoch - 1) * self.batches + self.batch
        total = self.epochs * self.batches
        if done <= 0:
            return None
        elapsed = time.time() - began
        return elapsed / done * (total - done)


def record(progress: WorkerProgress, event: Event) -> None:
    """Fold one of a process's events into its progress."""
    if isinstance(event, StartEvent):
        progress.batches, progress.parameters, progress.epoch, progress.phase = event.batches, event.parameters, 1, "training"
        progress.training_started = time.time()
    elif isinstance(event, BatchEvent):
        progress.epoch, progress.batch = event.epoch, event.batch
        progress.batch_points = [*progress.batch_points[-(MAX_BATCH_POINTS - 1):],
                                 {"position": event.position, "loss": event.loss, "accuracy": event.accuracy}]
    elif isinstance(event, EpochEvent):
        progress.history = [*progress.history, event.row]
        progress.epoch, progress.batch = event.row["epoch"] + 1, 0
    elif isinstance(event, EvaluateEvent):
        progress.phase = "evaluating"
