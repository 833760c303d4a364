"""Training jobs that outlive a page: a registry of training processes and a queue.

The Streamlit app keeps one `JobRegistry` per server (in `st.cache_resource`).
Each job trains in a child process running the project's command line (see
lib.server.process_runner), watched by a thread of the registry that records its
progress here; pages only read snapshots, so a user can leave the Training
page and come back to find the job still running, and a crash or an
out-of-memory kill ends that job alone. At most `max_running` jobs train at
once (one by default: a small server has one or two cores); the rest wait in
a queue. A job whose browser session stops checking in is stopped after
`abandon_after` seconds, and no job runs longer than `max_seconds`.

A job is one training process, or, for the multi-worker demonstration, two
worker processes on this machine that train together; the first (the chief)
writes the run.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lib.engine.config import TrainingConfig
from lib.engine.events import BatchEvent, EpochEvent, EvaluateEvent, Event, StartEvent
from lib.runs.store import make_run_id, runs_dir
from lib.runs.workspaces import check_disk_cap, enforce_run_limit, runs_per_workspace, valid_token, workspace_dir

ACTIVE = ("queued", "running")
# Batch events arrive a few times a second; a long run keeps the latest this many for its live chart.
MAX_BATCH_POINTS = 2000
WATCH_INTERVAL = 0.1


@dataclass
class WorkerProgress:
    """What one training process has reported."""

    label: str
    epoch: int = 0
    batch: int = 0
    batches: int = 0
    parameters: int = 0
    phase: str = "waiting"  # waiting, training, evaluating, done
    history: list[dict] = field(default_factory=list)
    # Training loss and accuracy between batch events ({"position": epochs, "loss", "accuracy"}), newest last.
    batch_points: list[dict] = field(default_factory=list)


@dataclass
class Job:
    job_id: str
    config: TrainingConfig
    owner: str
    created: float = field(default_factory=time.time)
    status: str = "queued"  # queued, running, finished, stopped, failed, cancelled
    message: str = ""
    workers: list[WorkerProgress] = field(default_factory=lambda: [WorkerProgress("training")])
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
        if self.status != "running" or self.started is None or not self.batches:
            return None
        done = (self.epoch - 1) * self.batches + self.batch
        total = self.epochs * self.batches
        if done <= 0:
            return None
        elapsed = time.time() - self.started
        return elapsed / done * (total - done)


def record(progress: WorkerProgress, event: Event) -> None:
    """Fold one of a process's events into its progress."""
    if isinstance(event, StartEvent):
        progress.batches, progress.parameters, progress.epoch, progress.phase = event.batches, event.parameters, 1, "training"
    elif isinstance(event, BatchEvent):
        progress.epoch, progress.batch = event.epoch, event.batch
        progress.batch_points = [*progress.batch_points[-(MAX_BATCH_POINTS - 1):],
                                 {"position": event.position, "loss": event.loss, "accuracy": event.accuracy}]
    elif isinstance(event, EpochEvent):
        progress.history = [*progress.history, event.row]
        progress.epoch, progress.batch = event.row["epoch"] + 1, 0
    elif isinstance(event, EvaluateEvent):
        progress.phase = "evaluating"


class JobLimitError(ValueError):
    """A job that the server's limits do not allow now; the message says which limit and what to do."""


class JobRegistry:
    def __init__(self, out_dir: Callable[[], Path] | None = None, env: dict | None = None,
                 max_running: int | None = None, abandon_after: float | None = None, max_seconds: float | None = None,
                 jobs_per_owner: int | None = None):
        self._out_dir = out_dir or runs_dir
        self._env = env or {}
        self.max_running = max_running or int(os.environ.get("CNN_LAB_MAX_JOBS", "1"))
        self.abandon_after = abandon_after or float(os.environ.get("CNN_LAB_ABANDON_SECONDS", "600"))
        # A shared server: one visitor's run may not hold the training slot for hours.
        self.max_seconds = max_seconds or float(os.environ.get("CNN_LAB_MAX_TRAIN_SECONDS", "1800"))
        self.jobs_per_owner = jobs_per_owner or int(os.environ.get("CNN_LAB_JOBS_PER_WORKSPACE", "1"))
        self._jobs: dict[str, Job] = {}
        self._queue: list[str] = []
        self._lock = threading.Lock()

    # --- what pages call -------------------------------------------------
    def submit(self, config: TrainingConfig, owner: str, demo_workers: int = 0) -> Job:
        """Queue a job; `demo_workers=2` trains it on two local worker processes with MultiWorkerMirroredStrategy."""
        config.validate()
        with self._lock:
            mine = sum(job.owner == owner and job.active for job in self._jobs.values())
        if mine >= self.jobs_per_owner:
            raise JobLimitError(f"This workspace already has {mine} job(s) queued or training, the most allowed "
                                "per workspace on this server: stop it or wait for it to finish.")
        check_disk_cap(self._out_dir())
        job = Job(uuid.uuid4().hex[:12], config, owner, demo_workers=demo_workers)
        if demo_workers:
            job.workers = [WorkerProgress(f"worker {index}{' (chief)' if index == 0 else ''}")
                           for index in range(demo_workers)]
        with self._lock:
            self._jobs[job.job_id] = job
            self._queue.append(job.job_id)
        self._dispatch()
        return job

    def get(self, job_id: str | None) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id) if job_id else None

    def latest(self, owner: str) -> Job | None:
        """The owner's newest job: how a reloaded page finds the job its workspace started."""
        with self._lock:
            mine = [job for job in self._jobs.values() if job.owner == owner]
        return max(mine, key=lambda job: job.created) if mine else None

    def wait_estimate(self, job_id: str) -> float | None:
        """Seconds until a queued job starts, from the running jobs' pace and the jobs ahead; None until known."""
        with self._lock:
            if job_id not in self._queue:
                return None
            ahead = [self._jobs[other] for other in self._queue[: self._queue.index(job_id)]]
            running = [job for job in self._jobs.values() if job.status == "running"]
        lefts = [job.seconds_left() for job in running]
        if not running or None in lefts:
            return None
        # Seconds per training image, measured on the running jobs, stand in for the jobs ahead.
        paces = [(time.time() - job.started) / max(1, (job.epoch - 1) * job.config.train_samples
                                                    + job.batch * job.config.batch_size) for job in running]
        pace = sum(paces) / len(paces)
        queued = sum(job.config.epochs * job.config.train_samples * pace for job in ahead)
        return (min(lefts) + queued) / self.max_running

    def heartbeat(self, job_id: str) -> None:
        """The owner's browser is still there; an active job keeps running."""
        job = self.get(job_id)
        if job is not None:
            job.last_seen = time.monotonic()

    def stop(self, job_id: str) -> None:
        """Stop a running job (keeping its run), or take a queued one off the queue."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return
            if job.status == "queued":
                self._queue.remove(job_id)
                job.status, job.message = "cancelled", "Taken off the queue before it started."
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
                    job.status, job.message = "cancelled", "Its browser session went away while it waited."
            running = sum(job.status == "running" for job in self._jobs.values())
            starting = []
            while self._queue and running < self.max_running:
                job = self._jobs[self._queue.pop(0)]
                job.status, job.started = "running", time.time()
                starting.append(job)
                running += 1
        for job in starting:
            threading.Thread(target=self._run, args=(job,), name=f"job-{job.job_id}", daemon=True).start()

    def owner_dir(self, owner: str) -> Path:
        """Where an owner's runs go: its workspace's folder when the owner is a workspace token."""
        return workspace_dir(owner, self._out_dir()) if valid_token(owner) else self._out_dir()

    def _limit_reached(self, job: Job) -> str | None:
        if time.monotonic() - job.last_seen > self.abandon_after:
            return "Stopped: its browser session went away."
        if job.started is not None and time.time() - job.started > self.max_seconds:
            return f"Stopped: it reached the limit of {self.max_seconds / 60:g} minutes per job."
        return None

    def _processes(self, job: Job):
        from lib.engine.distribute import local_cluster
        from lib.server.process_runner import TrainingProcess

        run_id = make_run_id(job.config.name)
        out = self.owner_dir(job.owner)
        if not job.demo_workers:
            return [TrainingProcess(job.config, out, run_id, lambda event: record(job.chief, event), self._env)]
        processes = []
        for index, tf_config in enumerate(local_cluster(job.demo_workers)):
            # Only the chief writes a run; the others assemble theirs in a folder of their own and discard it.
            progress = job.workers[index]
            processes.append(TrainingProcess(job.config, out, run_id,
                                             lambda event, progress=progress: record(progress, event),
                                             {**self._env, "TF_CONFIG": tf_config}))
        return processes

    def _run(self, job: Job) -> None:
        processes = []
        try:
            processes = self._processes(job)
            for process in processes:
                process.start()
            job.pids = [process.pid for process in processes]
            while any(process.alive() for process in processes):
                if not job.stop_event.is_set() and (reason := self._limit_reached(job)):
                    job.message = reason
                    job.stop_event.set()
                if job.stop_event.is_set():
                    for process in processes:
                        process.request_stop()
                        process.enforce_stop()
                elif any(process.failed_early() for process in processes):
                    # A worker of the demonstration died: its partner would wait for it for ever. (A worker
                    # that finished normally is not a reason: the chief may still be saving the run.)
                    for process in processes:
                        process.kill()
                time.sleep(WATCH_INTERVAL)
            outcome = processes[0].outcome()
            for process in processes[1:]:
                process.outcome()
            job.status, job.run_path = outcome.status, outcome.path or None
            job.message = job.message if job.message and outcome.status == "stopped" else outcome.message
            if valid_token(job.owner) and job.run_path:
                removed = enforce_run_limit(job.owner, root=self._out_dir())
                if removed:
                    job.message += (f" This workspace keeps {runs_per_workspace()} runs, so its oldest unshared "
                                    f"run{'s' if len(removed) > 1 else ''} went: {', '.join(removed)}.")
        except Exception as error:  # Reported to the user on the page, never a traceback.
            for process in processes:
                process.kill()
            job.status, job.message = "failed", f"{error}"
        finally:
            for progress in job.workers:
                progress.phase = "done"
            job.finished = time.time()
            self._dispatch()
