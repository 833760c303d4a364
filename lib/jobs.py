"""Training jobs that outlive a page: a registry of background threads and a queue.

The Streamlit app keeps one `JobRegistry` per server (in `st.cache_resource`).
A job's thread runs the training engine and records its progress here; pages
only read snapshots, so a user can leave the Training page and come back to
find the job still running. At most `max_running` jobs train at once (one by
default: a small server has one or two cores); the rest wait in a queue. A job
whose browser session stops checking in is stopped after `abandon_after`
seconds, and no job runs longer than `max_seconds`, so nothing runs forever.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lib.config import TrainingConfig
from lib.events import BatchEvent, EpochEvent, EvaluateEvent, Event, StartEvent

ACTIVE = ("queued", "running")
# Batch events arrive a few times a second; a long run keeps the latest this many for its live chart.
MAX_BATCH_POINTS = 2000


@dataclass
class Job:
    job_id: str
    config: TrainingConfig
    owner: str
    created: float = field(default_factory=time.time)
    status: str = "queued"  # queued, running, finished, stopped, failed, cancelled
    message: str = ""
    epoch: int = 0
    epochs: int = 0
    batch: int = 0
    batches: int = 0
    parameters: int = 0
    phase: str = "waiting"  # waiting, training, evaluating, done
    history: list[dict] = field(default_factory=list)
    # Training loss and accuracy between batch events ({"position": epochs, "loss", "accuracy"}), newest last.
    batch_points: list[dict] = field(default_factory=list)
    started: float | None = None
    finished: float | None = None
    run_path: str | None = None
    last_seen: float = field(default_factory=time.monotonic)
    stop_event: threading.Event = field(default_factory=threading.Event)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def seconds_left(self) -> float | None:
        """Time left, from the pace so far; None until a batch has run."""
        if self.status != "running" or self.started is None or not self.batches:
            return None
        done = (self.epoch - 1) * self.batches + self.batch
        total = self.epochs * self.batches
        if done <= 0:
            return None
        elapsed = time.time() - self.started
        return elapsed / done * (total - done)


class JobRegistry:
    def __init__(self, trainer: Callable | None = None, out_dir: Callable[[], Path] | None = None,
                 max_running: int | None = None, abandon_after: float | None = None, max_seconds: float | None = None):
        self._trainer = trainer
        self._out_dir = out_dir
        self.max_running = max_running or int(os.environ.get("CNN_LAB_MAX_JOBS", "1"))
        self.abandon_after = abandon_after or float(os.environ.get("CNN_LAB_ABANDON_SECONDS", "600"))
        self.max_seconds = max_seconds or float(os.environ.get("CNN_LAB_MAX_TRAIN_SECONDS", str(4 * 3600)))
        self._jobs: dict[str, Job] = {}
        self._queue: list[str] = []
        self._lock = threading.Lock()

    # --- what pages call -------------------------------------------------
    def submit(self, config: TrainingConfig, owner: str) -> Job:
        config.validate()
        job = Job(uuid.uuid4().hex[:12], config, owner, epochs=config.epochs)
        with self._lock:
            self._jobs[job.job_id] = job
            self._queue.append(job.job_id)
        self._dispatch()
        return job

    def get(self, job_id: str | None) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id) if job_id else None

    def heartbeat(self, job_id: str) -> None:
        """The owner's browser is still there; an active job keeps running."""
        job = self.get(job_id)
        if job is not None:
            job.last_seen = time.monotonic()

    def stop(self, job_id: str) -> None:
        """Stop a running job within one batch (keeping its run), or take a queued one off the queue."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return
            if job.status == "queued":
                self._queue.remove(job_id)
                job.status, job.message, job.phase = "cancelled", "Taken off the queue before it started.", "done"
                return
        job.stop_event.set()

    def queue_position(self, job_id: str) -> int:
        """1 for the next job to start; 0 if the job is not queued."""
        with self._lock:
            return self._queue.index(job_id) + 1 if job_id in self._queue else 0

    def running_count(self) -> int:
        with self._lock:
            return sum(job.status == "running" for job in self._jobs.values())

    # --- inside -------------------------------------------------------------
    def _dispatch(self) -> None:
        with self._lock:
            now = time.monotonic()
            for job_id in list(self._queue):
                job = self._jobs[job_id]
                if now - job.last_seen > self.abandon_after:
                    self._queue.remove(job_id)
                    job.status, job.message, job.phase = "cancelled", "Its browser session went away while it waited.", "done"
            running = sum(job.status == "running" for job in self._jobs.values())
            starting = []
            while self._queue and running < self.max_running:
                job = self._jobs[self._queue.pop(0)]
                job.status, job.started, job.phase = "running", time.time(), "training"
                starting.append(job)
                running += 1
        for job in starting:
            threading.Thread(target=self._run, args=(job,), name=f"train-{job.job_id}", daemon=True).start()

    def _on_progress(self, job: Job, event: Event) -> None:
        if isinstance(event, StartEvent):
            job.batches, job.parameters, job.epoch = event.batches, event.parameters, 1
        elif isinstance(event, BatchEvent):
            job.epoch, job.batch = event.epoch, event.batch
            job.batch_points = [*job.batch_points[-(MAX_BATCH_POINTS - 1):],
                                {"position": event.position, "loss": event.loss, "accuracy": event.accuracy}]
        elif isinstance(event, EpochEvent):
            job.history = [*job.history, event.row]
            job.epoch, job.batch = event.row["epoch"] + 1, 0
        elif isinstance(event, EvaluateEvent):
            job.phase = "evaluating"
        if job.stop_event.is_set():
            return
        if time.monotonic() - job.last_seen > self.abandon_after:
            job.message = "Stopped: its browser session went away."
            job.stop_event.set()
        elif job.started is not None and time.time() - job.started > self.max_seconds:
            job.message = f"Stopped: it reached the {self.max_seconds / 3600:g} hour limit per job."
            job.stop_event.set()

    def _run(self, job: Job) -> None:
        from lib.training import train  # TensorFlow is imported here, off the page's thread

        trainer = self._trainer or train
        try:
            result = trainer(job.config, out_dir=self._out_dir() if self._out_dir else None,
                             on_progress=lambda event: self._on_progress(job, event), stop_event=job.stop_event)
            job.status, job.run_path = result.status, str(result.path)
            job.message = job.message or result.message
            job.history = list(result.history)
        except Exception as error:  # Reported to the user on the page, never a traceback.
            job.status, job.message = "failed", f"{error}"
        finally:
            job.finished, job.phase = time.time(), "done"
            self._dispatch()
