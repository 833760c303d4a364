"""A training job on a Ray cluster, watched from the app as a local training process is.

`RayTrainingProcess` has `TrainingProcess`'s methods (lib.server.process_runner), so the job registry, its queue,
its limits and the pages treat both alike. It sends the job to the cluster named by `CNN_LAB_RAY_ADDRESS` as a
Ray task that asks for the job's resources (`job_resources`), or, for a multi-worker job, as Ray Train's
`TensorflowTrainer` with one worker per process (lib.server.ray_worker runs on the cluster). A thread reads the
job's event lines from its channel actor a few times a second, so the live curves move as with a local child.
The worker returns the finished run as a run zip, and the server publishes it into the owner's folder in one
rename (lib.runs.archive.publish_run_zip): a worker need not share a disk with the server, and a worker lost
mid-job (its process killed, its machine gone) fails the job with Ray's reason, with nothing published.

Ray is imported only here and in lib.server.ray_worker, and only when the setting is present.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from lib import REPO_ROOT
from lib.engine.config import TrainingConfig, config_flags
from lib.engine.events import EndEvent, Event, from_json
from lib.i18n import LazyText, _
from lib.server import process_runner, stop_rules
from lib.server.job_limits import check_room
from lib.server.process_runner import Outcome, death_reason

log = logging.getLogger(__name__)
# What each job asks of the cluster: a core, and the memory a Quick look run peaks at (~900 MB) with room.
JOB_CPUS = 1.0
JOB_MEMORY_BYTES = 2**30
READ_SECONDS = 0.2
# Added to the local grace before a stopped job is cancelled: the request reaches the worker through the channel
# (which it reads every half second), and the stopped run is zipped and sent back before the task ends.
TRANSPORT_STOP_SECONDS = 10.0
# The project travels to the cluster's machines as Ray's working_dir; none of these is needed to train.
# Patterns as in .gitignore: a leading slash means the project's own folder, not lib/runs.
NOT_SHIPPED = ["/.venv", "/.git", "/runs", "/saved_models", "/tests", "/benchmarks", "/docs", "/tmp", "__pycache__",
               "*.pyc", "/.pytest_cache", "/.ruff_cache", "/.hypothesis"]

CONNECT_SECONDS = 5.0

_connect_lock = threading.Lock()
_connected_to: str | None = None


class RayUnavailableError(RuntimeError):
    """Ray is not installed, or the cluster cannot be reached; the message says which and what to do."""


def connect(address: str):
    """The `ray` module, connected to the cluster at `address` (once per process, again for another address),
    with this project as the working directory of its jobs."""
    global _connected_to
    try:
        import ray
    except ImportError:
        raise RayUnavailableError(_("CNN_LAB_RAY_ADDRESS is set, but Ray is not installed here: install it with "
                                    "pip install -r requirements-cluster.txt.")) from None
    with _connect_lock:
        if ray.is_initialized() and _connected_to == address:
            return ray
        reachable(address)
        if ray.is_initialized():
            ray.shutdown()
        try:
            ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False,
                     runtime_env={"working_dir": str(REPO_ROOT), "excludes": NOT_SHIPPED})
        except (ConnectionError, RuntimeError, ValueError) as error:
            raise RayUnavailableError(_("Cannot reach the Ray cluster at {address}: {error}").format(
                address=address, error=first_line(error))) from None
        _connected_to = address
    return ray


def reachable(address: str) -> None:
    """RayUnavailableError at once when nothing listens at host:port (ray.init would wait a minute or more)."""
    if address == "auto":
        return
    host, _colon, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as error:
        raise RayUnavailableError(_("Cannot reach the Ray cluster at {address}: {error}").format(
            address=address, error=error.strerror or error)) from None


def first_line(error: BaseException) -> str:
    """An error in one line: a task's error is the one its task raised; Ray's messages go on for lines."""
    error = getattr(error, "cause", None) or error
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def gpus_asked(config: TrainingConfig) -> int:
    """GPUs a job asks for: the GPUs its devices name, or one for mirrored training on "all local GPUs"."""
    named = [device for device in config.devices.split(",") if "gpu" in device.lower()]
    if named:
        return len(named)
    return 1 if config.strategy == "mirrored" and not config.devices.strip() else 0


def job_resources(config: TrainingConfig, cluster: dict) -> dict:
    """What one process of a job asks Ray for: a core, its memory, and the GPUs it asks for if the cluster has
    them (without them it trains on the CPU, as on a machine without a GPU)."""
    asked = gpus_asked(config)
    return {"num_cpus": JOB_CPUS, "memory": JOB_MEMORY_BYTES,
            "num_gpus": asked if asked and cluster.get("GPU", 0) >= asked else 0}


def packed_data(config: TrainingConfig) -> dict[str, tuple[bool, bytes]]:
    """A job's data set of its own (and held-out set), to travel with it: by field, (is a .zip, its bytes)."""
    from lib.runs.archive import zip_folder

    packed = {}
    for name in ("data", "test_data"):
        path = Path(getattr(config, name)) if getattr(config, name) else None
        if path is None:
            continue
        # A .zip goes as it is (the engine reads it as it would here); a folder goes zipped, to be unpacked there.
        packed[name] = (True, path.read_bytes()) if path.is_file() else (False, zip_folder(path))
    return packed


def worker_flags(config: TrainingConfig) -> list[str]:
    """The config's command-line flags but the server's paths: the worker adds its own for the data that came."""
    return [item for item in config_flags(config) if not item.startswith(("--data=", "--test-data="))]


class RayTrainingProcess:
    """One job on the cluster: start it, feed its events to `on_events[rank]`, stop or cancel it, read its
    outcome. One Ray task, or with several `on_events`, a TensorflowTrainer with that many workers."""

    def __init__(self, config: TrainingConfig, out_dir: Path, run_id: str,
                 on_events: list[Callable[[Event], None]], env: dict | None = None, address: str = ""):
        config.validate()
        self.config, self.out_dir, self.run_id, self.on_events = config, Path(out_dir), run_id, on_events
        self.env, self.address = dict(env or {}), address
        self.ref = self.channel = None
        self.end: EndEvent | None = None
        self.stop_requested_at: float | None = None
        self.last_sign_at: float | None = None
        self.killed_after_stop = ""  # stop_rules.stop_overdue's reason, once it was cancelled for one
        self.worker_pids: dict[int, int] = {}
        self._results: list[dict] | None = None
        self._error: BaseException | None = None
        self._reading = threading.Event()

    def start(self) -> None:
        from lib.server.ray_worker import JobChannel, train_child, train_workers

        ray = connect(self.address)
        self._ray = ray
        data, flags = packed_data(self.config), worker_flags(self.config)
        resources = job_resources(self.config, ray.cluster_resources())
        check_room(resources, len(self.on_events), ray.nodes())  # before anything is sent: Ray would only wait
        self.channel = ray.remote(num_cpus=0)(JobChannel).remote()
        if len(self.on_events) == 1:
            self.ref = ray.remote(train_child).options(max_retries=0, **resources).remote(
                flags, self.run_id, self.env, self.channel, 0, data)
        else:
            loop = {"flags": flags, "run_id": self.run_id, "env": self.env, "channel": self.channel,
                    "packed_data": data}
            self.ref = ray.remote(train_workers).options(num_cpus=0, max_retries=0).remote(
                len(self.on_events), loop, resources["num_cpus"], resources["num_gpus"])
        self._reading.set()
        self._reader = threading.Thread(target=self._read, name=f"ray-events-{self.run_id}", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int | None:
        """The chief's Ray worker process, once it has said (a process on whichever machine runs it)."""
        return self.worker_pids.get(0)

    def _deliver(self) -> None:
        for rank, line in self._ray.get(self.channel.take.remote()):
            try:
                event = from_json(line)
            except ValueError:
                continue
            self.last_sign_at = time.monotonic()
            if rank == 0 and isinstance(event, EndEvent):
                self.end = event
            if 0 <= rank < len(self.on_events):
                self.on_events[rank](event)

    def _read(self) -> None:
        while self._reading.is_set():
            try:
                self._deliver()
                if len(self.worker_pids) < len(self.on_events):
                    self.worker_pids = self._ray.get(self.channel.worker_pids.remote())
            except Exception as error:
                log.info("reading job %s's events from Ray stopped: %s", self.run_id, error)
                return
            time.sleep(READ_SECONDS)

    def _done(self) -> bool:
        return self.ref is not None and bool(self._ray.wait([self.ref], timeout=0)[0])

    def alive(self) -> bool:
        return self.ref is not None and not self._done()

    def _collect(self) -> None:
        """After the job's task has ended: its results, or the error it ended with."""
        if self._results is not None or self._error is not None:
            return
        try:
            results = self._ray.get(self.ref)
            self._results = results if isinstance(results, list) else [results]
        except Exception as error:
            self._error = error

    def failed_early(self) -> bool:
        if not self._done():
            return False
        self._collect()
        chief = self._chief()
        return chief is None or chief["end"] is None or chief["returncode"] != 0

    def _chief(self) -> dict | None:
        return next((result for result in self._results or [] if result["rank"] == 0), None)

    def request_stop(self) -> None:
        if self.stop_requested_at is not None or not self.alive():
            return
        self.stop_requested_at = time.monotonic()
        self.channel.request_stop.remote()

    @staticmethod
    def stop_grace() -> float:
        return process_runner.STOP_GRACE_SECONDS + TRANSPORT_STOP_SECONDS

    def enforce_stop(self) -> None:
        reason = stop_rules.stop_overdue(self.stop_requested_at, self.last_sign_at, self.stop_grace())
        if reason and self.alive():
            self.killed_after_stop = reason
            self.kill()

    def kill(self) -> None:
        """Cancel the job: Ray ends the worker process, whose child then discards its unfinished run."""
        if self.alive():
            self._ray.cancel(self.ref, force=True)

    def outcome(self) -> Outcome:
        """After the job has ended: what became of the run, published here if the chief returned one."""
        from lib.runs.archive import publish_run_zip
        from lib.runs.store import RunStorageError

        self._ray.wait([self.ref])
        self._collect()
        self._reading.clear()
        self._reader.join(timeout=10)
        try:
            self._deliver()  # the lines sent after the reader's last look
        except Exception as error:
            log.info("the last events of job %s were lost: %s", self.run_id, error)
        finally:
            self._ray.kill(self.channel)
        chief = self._chief()
        if chief is not None and chief["end"] is not None:
            path = ""
            if chief["run"]:
                try:
                    path = str(publish_run_zip(chief["run"], self.out_dir, self.run_id))
                except RunStorageError as error:
                    return Outcome("failed", str(error), "")
            return Outcome(chief["end"]["status"], chief["end"]["message"], path)
        if self.killed_after_stop:
            return Outcome("stopped", stop_rules.killed_after_stop_message(self.killed_after_stop, self.stop_grace()),
                           "")
        if chief is None:
            error = first_line(self._error) if self._error is not None else _("no worker reported")
            return Outcome("failed", LazyText(lambda: _(
                "Training failed: the Ray worker running it was lost ({error}). Nothing was published.").format(
                error=error)), "")
        reason, detail = death_reason(chief["returncode"]), chief["detail"]
        if detail and chief["returncode"] > 0:
            return Outcome("failed", LazyText(lambda: _("Training failed: {reason}. It said: {detail}").format(
                reason=reason, detail=detail)), "")
        return Outcome("failed", LazyText(lambda: _("Training failed: {reason}.").format(reason=reason)), "")
