"""Where a job's training processes run: child processes of this server, or a Ray cluster.

The job registry asks its backend for a job's processes and watches them through one interface
(`TrainingProcess`'s methods: start, pid, alive, failed_early, request_stop, enforce_stop, kill, outcome).
`LocalBackend`, the default, makes one child process per worker of a job (lib.server.process_runner), each
multi-worker process with a `TF_CONFIG` on this machine's loopback. `RayBackend`, chosen by the
`CNN_LAB_RAY_ADDRESS` setting, makes one `RayTrainingProcess` for the whole job (lib.server.ray_runner): a Ray
task, or Ray Train's TensorflowTrainer, which sets up each worker's `TF_CONFIG` itself. Ray is imported only
when that setting is present.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from lib.engine.config import TrainingConfig
from lib.engine.events import Event
from lib.server.process_runner import Outcome, SparePool, TrainingProcess
from lib.settings import ServerSettings

OnEvent = Callable[[Event], None]
WATCH_SECONDS = 0.1


class LocalBackend:
    """Jobs as child processes of this server; `make_process` makes one (TrainingProcess, or a test's stand-in).

    With `spares` (the default for real processes), the registry asks for the next job's process to be started
    ahead while a job waits (`prepare`), and a one-process job takes it (lib.server.process_runner.SparePool)."""

    name = "local"

    def __init__(self, make_process: Callable[..., TrainingProcess] = TrainingProcess, spares: bool = True):
        self.make_process = make_process
        self.spares = SparePool() if spares and make_process is TrainingProcess else None

    def prepare(self, env: dict) -> None:
        """A job waits: start its process ahead, if this backend keeps spares."""
        if self.spares is not None:
            self.spares.prepare(env)

    def discard(self) -> None:
        """Nobody waits: end a spare started ahead."""
        if self.spares is not None:
            self.spares.discard()

    def processes(self, config: TrainingConfig, out: Path, run_id: str, on_events: list[OnEvent],
                  env: dict) -> list:
        """One process per entry of `on_events` (one per worker); the first is the chief, which writes the run."""
        from lib.engine.distribute import local_cluster

        if len(on_events) == 1:
            if self.spares is not None:
                return [self.make_process(config, out, run_id, on_events[0], env, spares=self.spares)]
            return [self.make_process(config, out, run_id, on_events[0], env)]
        # Only the chief writes a run; the others assemble theirs in a folder of their own and discard it.
        return [self.make_process(config, out, run_id, on_event, {**env, "TF_CONFIG": tf_config})
                for on_event, tf_config in zip(on_events, local_cluster(len(on_events)))]


class RayBackend:
    """Jobs on the Ray cluster at `address`: one RayTrainingProcess per job, however many workers it has."""

    name = "ray"

    def __init__(self, address: str):
        self.address = address

    def prepare(self, env: dict) -> None:
        """Ray keeps its own worker processes, TensorFlow imported, between tasks: nothing to start ahead."""

    def discard(self) -> None:
        pass

    def processes(self, config: TrainingConfig, out: Path, run_id: str, on_events: list[OnEvent],
                  env: dict) -> list:
        from lib.server.ray_runner import RayTrainingProcess

        return [RayTrainingProcess(config, out, run_id, on_events, env, address=self.address)]


def backend_for(settings: ServerSettings) -> LocalBackend | RayBackend:
    """The backend the settings choose: Ray when CNN_LAB_RAY_ADDRESS is set, child processes otherwise."""
    return RayBackend(settings.ray_address) if settings.ray_address else LocalBackend()


def train_together(config: TrainingConfig, out: Path, workers: int, on_chief_event: OnEvent,
                   settings: ServerSettings, env: dict | None = None) -> Outcome:
    """`python -m lib.cli --workers N`: train `config` with `workers` processes on the backend the settings choose
    (on this machine, or under Ray Train on the cluster) and wait; the chief's outcome, its run in `out`."""
    from lib.runs.store import make_run_id

    ignore: OnEvent = lambda event: None  # noqa: E731 - the other workers report the same reduced losses
    processes = backend_for(settings).processes(config, out, make_run_id(config.name),
                                                [on_chief_event] + [ignore] * (workers - 1), env or {})
    try:
        for process in processes:
            process.start()
        while any(process.alive() for process in processes):
            if any(process.failed_early() for process in processes):
                for process in processes:  # a lost worker would keep its partners waiting for ever
                    process.kill()
            time.sleep(WATCH_SECONDS)
    except BaseException:  # Ctrl-C: no worker is left behind
        for process in processes:
            process.kill()
        raise
    outcomes = [process.outcome() for process in processes]  # each is read: each cleans up after itself
    return outcomes[0]
