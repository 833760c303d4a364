"""Training jobs that outlive a page: a registry of training processes and a queue.

The Streamlit app keeps one `JobRegistry` per server (in `st.cache_resource`).
Each job trains in a child process running the project's command line (see
lib.server.process_runner), watched by a thread of the registry that records its
progress (lib.server.job_state); pages only read snapshots, so a user can leave the Training
page and come back to find the job still running, and a crash or an
out-of-memory kill ends that job alone. The limits are settings (lib.settings):
at most `max_jobs` jobs train at once (one by default: a small server has one
or two cores); the rest wait in a queue. A job whose browser session stops
checking in is stopped after `abandon_seconds`, and no job runs longer than
`max_train_seconds`.

A job is one training process, or, for the multi-worker demonstration, two
worker processes that train together; the first (the chief) writes the run.
The registry gets a job's processes from its backend (lib.server.backends):
child processes of this server by default, or a Ray cluster when
`CNN_LAB_RAY_ADDRESS` is set; both are watched through the same methods. The
local backend makes its processes through a factory (`TrainingProcess` by
default), so the queue logic is tested with a stand-in in milliseconds.

A new job is checked against the limits (lib.server.job_limits: jobs per
workspace, and the disk cap on a total kept between walks of the runs folder)
and added to the queue under one lock, so two tabs pressing Train together
cannot both slip past a limit.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from lib.engine.config import TrainingConfig
from lib.i18n import LazyText, _, ngettext
from lib.runs.store import make_run_id, runs_dir
from lib.runs.workspaces import enforce_run_limit, runs_per_workspace, valid_token, workspace_dir
from lib.server.backends import LocalBackend, RayBackend, backend_for
from lib.server.job_journal import JobJournal
from lib.server.job_limits import DiskTotal, check_job_limits, joined, runs_removed_note
from lib.server.job_state import Job, WorkerProgress, record
from lib.server.process_runner import Outcome, TrainingProcess
from lib.settings import ServerSettings
from lib.settings import settings as current_settings

WATCH_INTERVAL = 0.1
log = logging.getLogger(__name__)

# Makes one child process: (config, out_dir, run_id, on_event, env) -> an object with TrainingProcess's methods
# start, pid, alive, failed_early, request_stop, enforce_stop, kill and outcome.
ProcessFactory = Callable[..., TrainingProcess]


class JobRegistry:
    def __init__(self, out_dir: Callable[[], Path] | None = None, env: dict | None = None,
                 settings: ServerSettings | None = None, process_factory: ProcessFactory | None = None,
                 backend: LocalBackend | RayBackend | None = None):
        limits = settings or current_settings()
        self._out_dir = out_dir or runs_dir
        self._env = env or {}
        # A factory given (a test's stand-in) means local processes; otherwise the settings choose.
        self.backend = backend or (LocalBackend(process_factory) if process_factory else backend_for(limits))
        self.max_running, self.jobs_per_owner = limits.max_jobs, limits.jobs_per_workspace
        self.abandon_after, self.max_seconds = limits.abandon_seconds, limits.max_train_seconds
        self.disk_cap = limits.disk_cap_bytes
        self._jobs: dict[str, Job] = {}
        self._queue: list[str] = []
        self._lock = threading.Lock()
        self.disk = DiskTotal(self._out_dir)
        # The active jobs, on disk: a server that restarts tells each workspace which of its jobs were lost.
        self.journal = JobJournal(self._out_dir)

    # --- what pages call -------------------------------------------------
    def submit(self, config: TrainingConfig, owner: str, demo_workers: int = 0) -> Job:
        """Queue a job; `demo_workers=2` trains it on two local worker processes with MultiWorkerMirroredStrategy."""
        config.validate()
        self.disk.measure()
        job = Job(uuid.uuid4().hex[:12], config, owner, demo_workers=demo_workers)
        if demo_workers:
            job.workers = [WorkerProgress(worker_label(index)) for index in range(demo_workers)]
        with self._lock:  # checked and added in one step: a concurrent submit sees this job
            check_job_limits(self._jobs.values(), owner, self.jobs_per_owner, self.disk.used, self.disk_cap)
            self._jobs[job.job_id] = job
            self._queue.append(job.job_id)
        self._dispatch()
        self._record_active()
        self._spare_for_next()
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
            dequeued = job.status == "queued"
            if dequeued:
                self._queue.remove(job_id)
                job.status, job.message = "cancelled", LazyText(lambda: _("Taken off the queue before it started."))
        if dequeued:
            self._record_active()
            self._spare_for_next()
        else:
            job.stop_event.set()

    def queue_position(self, job_id: str) -> int:
        """1 for the next job to start; 0 if the job is not queued."""
        with self._lock:
            return self._queue.index(job_id) + 1 if job_id in self._queue else 0

    def running_count(self) -> int:
        with self._lock:
            return sum(job.status == "running" for job in self._jobs.values())

    def runs_removed(self) -> None:
        """Runs were deleted (from History): the next check walks the runs folder, so their room is free again."""
        self.disk.forget()

    def lost_job_note(self, owner: str) -> str | None:
        """Once per server: a note about the owner's jobs that were queued or training when the last one ended."""
        return self.journal.take_lost(owner)

    def owner_dir(self, owner: str) -> Path:
        """Where an owner's runs go: its workspace's folder when the owner is a workspace token."""
        return workspace_dir(owner, self._out_dir()) if valid_token(owner) else self._out_dir()

    # --- inside -------------------------------------------------------------
    def _dispatch(self) -> None:
        with self._lock:
            now = time.monotonic()
            for job_id in list(self._queue):
                job = self._jobs[job_id]
                if now - job.last_seen > self.abandon_after:
                    self._queue.remove(job_id)
                    job.status, job.message = "cancelled", LazyText(
                        lambda: _("Its browser session went away while it waited."))
            running = sum(job.status == "running" for job in self._jobs.values())
            starting = []
            while self._queue and running < self.max_running:
                job = self._jobs[self._queue.pop(0)]
                job.status, job.started = "running", time.time()
                starting.append(job)
                running += 1
        for job in starting:
            threading.Thread(target=self._run, args=(job,), name=f"job-{job.job_id}", daemon=True).start()

    def _limit_reached(self, job: Job) -> str | None:
        if time.monotonic() - job.last_seen > self.abandon_after:
            return LazyText(lambda: _("Stopped: its browser session went away."))
        if job.started is not None and time.time() - job.started > self.max_seconds:
            minutes = self.max_seconds / 60
            return LazyText(lambda: ngettext("Stopped: it reached the limit of {minutes:g} minute per job.",
                                             "Stopped: it reached the limit of {minutes:g} minutes per job.",
                                             1 if minutes == 1 else 2).format(minutes=minutes))
        return None

    def _processes(self, job: Job) -> list:
        on_events = [lambda event, progress=progress: record(progress, event) for progress in job.workers]
        return self.backend.processes(job.config, self.owner_dir(job.owner), make_run_id(job.config.name),
                                      on_events, self._env)

    def _spare_for_next(self) -> None:
        """While a job waits, its process is started ahead (the local backend's spare: TensorFlow imported by the
        time the job's turn comes); once nobody waits, a spare is ended."""
        with self._lock:
            waiting = bool(self._queue)
        try:
            self.backend.prepare(self._env) if waiting else self.backend.discard()
        except OSError as error:  # only a head start: the job starts its own process when its turn comes
            log.warning("could not start a spare training process: %s", error)

    def _run(self, job: Job) -> None:
        """A job's thread: start its processes, watch them until they end, then record what became of the run."""
        processes = []
        try:
            processes = self._processes(job)
            for process in processes:
                process.start()
            job.pids = [process.pid for process in processes]
            self._spare_for_next()
            while any(process.alive() for process in processes):
                job.pids = [process.pid for process in processes]  # a Ray worker's is known once it has begun
                self._watch(job, processes)
                time.sleep(WATCH_INTERVAL)
            outcomes = [process.outcome() for process in processes]
            self._finish(job, outcomes[0])
        except Exception as error:  # Reported to the user on the page, never a traceback.
            for process in processes:
                process.kill()
            job.status, job.message = "failed", f"{error}"
        finally:
            for progress in job.workers:
                progress.phase = "done"
            job.finished = time.time()
            self._dispatch()
            self._record_active()

    def _record_active(self) -> None:
        with self._lock:
            active = [job for job in self._jobs.values() if job.active]
        self.journal.record(active)

    def _watch(self, job: Job, processes: list) -> None:
        """One look at a job's live processes: stop them at a limit or on request, kill them if a worker died."""
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

    def _finish(self, job: Job, outcome: Outcome) -> None:
        """Record the chief's outcome; a published run joins the disk total, and old runs beyond the limit go."""
        size = self.disk.run_bytes(outcome.path)
        job.message = job.message if job.message and outcome.status == "stopped" else outcome.message
        with self._lock:  # the run's bytes replace the room the job kept, in one step
            job.status, job.run_path = outcome.status, outcome.path or None
            self.disk.add(size)
        if valid_token(job.owner) and job.run_path:
            removed = enforce_run_limit(job.owner, root=self._out_dir())
            if removed:
                self.disk.forget()  # the next check walks the folder again
                job.message = joined(job.message, runs_removed_note(runs_per_workspace(), removed))


def worker_label(index: int) -> LazyText:
    """A worker of the demonstration as people read it: "worker 0 (chief)", "worker 1"."""
    if index == 0:
        return LazyText(lambda: _("worker {index} (chief)").format(index=index))
    return LazyText(lambda: _("worker {index}").format(index=index))
