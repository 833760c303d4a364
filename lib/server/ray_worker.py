"""What runs on a Ray worker for a training job: the project's command line, watched as the server would.

Imported by Ray on the cluster's machines (and by lib.server.ray_runner on the server, which only hands its
functions to Ray). A job's task, or each worker of a multi-worker job under Ray Train's `TensorflowTrainer`,
runs `python -m lib.cli --events` in a fresh child process in a temporary folder of its own machine, exactly
as lib.server.process_runner does on the server: nothing of the server's disk is needed. The child's event
lines go to the job's `JobChannel` actor (a few times a second, tagged with the worker's rank), from which the
server reads them for the live curves; the server's stop request comes back the same way. When the child has
ended, the chief packs the finished run into a run zip (lib.runs.archive.zip_run) and returns it with the
child's exit status; the temporary folder goes, so nothing half-written stays on the worker.

Ray is imported here only by the functions that Ray itself calls.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from lib import REPO_ROOT
from lib.engine.events import EndEvent, from_json
from lib.engine.run_files import WRITER_FILE, process_start_time, writer_alive

# How often a worker sends its child's event lines to the server, and looks for a stop request.
SEND_SECONDS = 0.2
STOP_POLL_SECONDS = 0.5
# The server stops a job's child at this niceness, as lib.server.process_runner does.
CHILD_NICENESS = 10
# A job's temporary folder on a worker; it names its worker process (WRITER_FILE), so a killed worker's is known.
FOLDER_PREFIX = "cnn-lab-ray-"


class JobChannel:
    """One job's mailbox between the server and its Ray workers (a Ray actor that takes no CPU).

    Workers put event lines and their pids; the server takes the lines and may ask for a stop."""

    def __init__(self):
        self.lines: list[tuple[int, str]] = []
        self.pids: dict[int, int] = {}
        self.stop = False

    def put(self, rank: int, lines: list[str]) -> None:
        self.lines.extend((rank, line) for line in lines)

    def take(self) -> list[tuple[int, str]]:
        lines, self.lines = self.lines, []
        return lines

    def started(self, rank: int, pid: int) -> None:
        self.pids[rank] = pid

    def worker_pids(self) -> dict[int, int]:
        return dict(self.pids)

    def request_stop(self) -> None:
        self.stop = True

    def stop_requested(self) -> bool:
        return self.stop


def unpack_data(packed: dict[str, tuple[bool, bytes]], folder: Path) -> list[str]:
    """The flags that point --data and --test-data at the job's own data set, written into `folder`: a .zip as it
    came, a folder unpacked from the zip it travelled in."""
    flags = []
    folder.mkdir(parents=True, exist_ok=True)
    for name, (is_zip, data) in packed.items():
        target = folder / (f"{name}.zip" if is_zip else name)
        if is_zip:
            target.write_bytes(data)
        else:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    if member.startswith(("/", "\\")) or ".." in Path(member).parts:
                        raise ValueError(f"{name}: {member!r} climbs out of its folder")
                archive.extractall(target)
        flags.append(f"--{name.replace('_', '-')}={target}")
    return flags


def train_child(flags: list[str], run_id: str, env: dict, channel, rank: int = 0,
                packed_data: dict[str, tuple[bool, bytes]] | None = None) -> dict:
    """Train one process's part of a job on this machine; what became of it, with the run zip for the chief.

    `flags` are the config's command-line flags (lib.engine.config.config_flags); `env` adds to this worker's
    environment (TF_CONFIG, set by Ray Train, is already in it)."""
    from lib.runs.archive import zip_run
    from lib.server.process_runner import error_line

    remove_abandoned()
    folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{run_id}-"))
    try:
        (folder / WRITER_FILE).write_text(json.dumps({"pid": os.getpid(), "started": process_start_time(os.getpid())}))
        out = folder / "runs"
        data_flags = unpack_data(packed_data or {}, folder / "data")
        command = [sys.executable, "-m", "lib.cli", *flags, *data_flags, f"--out={out}", f"--run-id={run_id}",
                   "--events", "--nice", str(CHILD_NICENESS)]
        with tempfile.TemporaryFile(mode="w+") as stderr:
            child = subprocess.Popen(command, cwd=code_root(), env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                     bufsize=1)
            channel.started.remote(rank, os.getpid())
            done = threading.Event()
            watcher = threading.Thread(target=pass_stop_request, args=(channel, child, done), daemon=True)
            watcher.start()
            end = forward_events(child, channel, rank)
            returncode = child.wait()
            done.set()
            stderr.seek(0)
            detail = error_line(stderr.read())
        run = b""
        if end is not None and end.path and Path(end.path).is_dir():
            run = zip_run(Path(end.path))
        return {"rank": rank, "returncode": returncode, "detail": detail, "run": run,
                "end": None if end is None else {"status": end.status, "message": end.message}}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_abandoned(root: Path | None = None) -> list[Path]:
    """Remove the folders of jobs whose worker process was killed on this machine (it could not clean up)."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        if folder.is_dir() and writer_alive(folder) is False:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def code_root() -> Path:
    """Where this copy of the project is on the worker (Ray's copy of the server's, or a clone)."""
    return REPO_ROOT


def forward_events(child: subprocess.Popen, channel, rank: int) -> EndEvent | None:
    """Send the child's stdout lines to the channel in small batches; the child's end event, if it sent one."""
    end, waiting, sent_at = None, [], time.monotonic()
    for line in child.stdout:
        line = line.strip()
        if not line:
            continue
        try:
            event = from_json(line)
        except ValueError:
            continue  # TensorFlow's chatter is not an event; the server would ignore it too
        if isinstance(event, EndEvent):
            end = event
        waiting.append(line)
        if time.monotonic() - sent_at >= SEND_SECONDS or end is not None:
            channel.put.remote(rank, waiting)
            waiting, sent_at = [], time.monotonic()
    import ray

    # Waited for: a worker's calls run in order, so every line is with the server's channel before the result.
    ray.get(channel.put.remote(rank, waiting))
    return end


def pass_stop_request(channel, child: subprocess.Popen, done: threading.Event) -> None:
    """Write "stop" to the child once the server asks for it through the channel."""
    import ray

    while not done.wait(STOP_POLL_SECONDS):
        try:
            if ray.get(channel.stop_requested.remote(), timeout=10):
                child.stdin.write("stop\n")
                child.stdin.flush()
                return
        except (BrokenPipeError, OSError, ValueError):
            return  # the child is on its way out
        except Exception:
            continue


def train_loop_per_worker(loop_config: dict) -> None:
    """One worker of a multi-worker job under Ray Train: TF_CONFIG is set; train this rank's part of the run."""
    import ray
    import ray.train

    rank = ray.train.get_context().get_world_rank()
    result = train_child(loop_config["flags"], loop_config["run_id"], loop_config["env"], loop_config["channel"],
                         rank, loop_config["packed_data"])
    ray.get(loop_config["results"].put.remote(result))
    if result["returncode"] != 0 or result["end"] is None:
        raise RuntimeError(result["detail"] or f"worker {rank} exited with status {result['returncode']}")


class Results:
    """Collects the results of a multi-worker job's workers (a Ray actor that takes no CPU)."""

    def __init__(self):
        self.results: list[dict] = []

    def put(self, result: dict) -> None:
        self.results.append(result)

    def all(self) -> list[dict]:
        return sorted(self.results, key=lambda result: result["rank"])


def train_workers(workers: int, loop_config: dict, cpus_per_worker: float, gpus_per_worker: float) -> list[dict]:
    """A multi-worker job: Ray Train's TensorflowTrainer starts `workers` workers, each with its TF_CONFIG, each
    running train_loop_per_worker; their results, the chief's first."""
    import ray
    from ray.train import FailureConfig, RunConfig, ScalingConfig
    from ray.train.tensorflow import TensorflowTrainer

    results = ray.remote(num_cpus=0)(Results).remote()
    storage = tempfile.mkdtemp(prefix="cnn-lab-train-")
    try:
        trainer = TensorflowTrainer(
            train_loop_per_worker, train_loop_config={**loop_config, "results": results},
            scaling_config=ScalingConfig(num_workers=workers, use_gpu=gpus_per_worker > 0,
                                         resources_per_worker={"CPU": cpus_per_worker,
                                                               **({"GPU": gpus_per_worker} if gpus_per_worker else {})}),
            run_config=RunConfig(name=loop_config["run_id"], storage_path=storage,
                                 failure_config=FailureConfig(max_failures=0)))
        try:
            trainer.fit()
        except Exception as error:
            collected = ray.get(results.all.remote())
            if not collected:
                raise RuntimeError(first_line(error)) from None
            return collected
        return ray.get(results.all.remote())
    finally:
        shutil.rmtree(storage, ignore_errors=True)


def first_line(error: BaseException) -> str:
    """An exception in one line: Ray's errors hold whole remote tracebacks."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
