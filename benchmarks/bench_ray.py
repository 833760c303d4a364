"""Quick look runs per minute: the local backend against a local Ray cluster of one and of two worker processes,
and the time Ray adds to one run.

Each setting trains batches of Quick look runs (the Training page's first preset, on real MNIST) through the
app's own JobRegistry, as the server would, timed from the first submit to the last run's end: runs per minute
= runs / minutes. The local backend trains one job at a time (CNN_LAB_MAX_JOBS=1, the default); the Ray rows use
a cluster of their own (`ray start --head --num-cpus=N`: N worker processes at a time) and allow N jobs at once.
Ray's overhead on one run is the wall time of one Quick look run alone on the one-CPU cluster minus that of one
local run, measured in pairs, one right after the other; the median difference is reported.

The settings take turns, round after round, so a machine whose load changes meanwhile (a shared one) weighs on
each alike. Needs Ray (requirements-cluster.txt) and MNIST_PATH. Say what else the machine ran when you quote
the numbers.
Run: .venv/bin/python benchmarks/bench_ray.py [--rounds 2] [--runs 2] [--pairs 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.engine.config import PRESETS, TrainingConfig
from lib.server.jobs import JobRegistry
from lib.settings import ServerSettings
from tests.ray_cluster import LocalRayCluster

QUICK_LOOK = TrainingConfig(**PRESETS["quick"], name="bench")


def train_batch(address: str, runs: int, at_once: int) -> tuple[float, list[float]]:
    """Seconds from the first submit to the last run's end, and each run's own wall time."""
    with tempfile.TemporaryDirectory() as folder:
        jobs = JobRegistry(out_dir=lambda: Path(folder), settings=ServerSettings(
            ray_address=address, max_jobs=at_once, jobs_per_workspace=runs))
        began = time.monotonic()
        submitted = [jobs.submit(QUICK_LOOK, owner="bench") for _index in range(runs)]
        while any(job.active for job in submitted):
            for job in submitted:
                jobs.heartbeat(job.job_id)
            time.sleep(0.2)
        elapsed = time.monotonic() - began
        failed = [job.message for job in submitted if job.status != "finished"]
        if failed:
            raise SystemExit(f"a run did not finish: {failed[0]}")
        return elapsed, [job.finished - job.started for job in submitted]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="turns each setting takes (0: the overhead alone)")
    parser.add_argument("--runs", type=int, default=2, help="Quick look runs in each setting's batch")
    parser.add_argument("--pairs", type=int, default=2, help="lone local and Ray runs timed for the overhead")
    arguments = parser.parse_args()
    if not os.environ.get("MNIST_PATH"):
        raise SystemExit("set MNIST_PATH to a local mnist.npz")
    import ray

    loads = [os.getloadavg()[0]]
    with LocalRayCluster(cpus=1) as one, LocalRayCluster(cpus=2) as two:
        settings = [("local backend (child processes, 1 at a time)", "", 1),
                    ("local Ray cluster, 1 worker process", one.address, 1),
                    ("local Ray cluster, 2 worker processes", two.address, 2)]
        totals = {label: 0.0 for label, _address, _at_once in settings}
        for round_index in range(arguments.rounds):
            for label, address, at_once in settings:
                seconds = train_batch(address, arguments.runs, at_once)[0]
                totals[label] += seconds
                print(f"round {round_index + 1}: {label}: {arguments.runs} runs in {seconds:.0f} s", flush=True)
                loads.append(os.getloadavg()[0])
        differences = []
        for _index in range(arguments.pairs):
            local = train_batch("", 1, 1)[0]
            on_ray = train_batch(one.address, 1, 1)[0]
            differences.append(on_ray - local)
            print(f"one run alone: local {local:.1f} s, Ray {on_ray:.1f} s", flush=True)
        ray.shutdown()
    runs = arguments.rounds * arguments.runs
    if runs:  # --rounds 0 measures the overhead alone
        print(f"\n| backend | {runs} Quick look runs | runs per minute |\n| --- | --- | --- |")
        for label, seconds in totals.items():
            print(f"| {label} | {seconds:.0f} s | {runs / seconds * 60:.2f} |")
    print(f"\nRay's overhead on one run (median of {arguments.pairs} pairs): {statistics.median(differences):+.1f} s; "
          f"{os.cpu_count()} cores, load average {min(loads):.1f} to {max(loads):.1f} during the runs", flush=True)


if __name__ == "__main__":
    main()
