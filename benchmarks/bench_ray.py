"""Quick look runs per minute: the local backend against a local Ray cluster of one and of two worker processes,
and the time Ray adds to one run.

Each setting trains the same batch of Quick look runs (the Training page's first preset, on real MNIST) through
the app's own JobRegistry, as the server would, and times the batch from the first submit to the last run
published: runs per minute = runs / minutes. The local backend trains one job at a time (CNN_LAB_MAX_JOBS=1, the
default); the Ray rows start a fresh cluster (`ray start --head --num-cpus=N`, N worker processes at a time) and
allow N jobs at once. Ray's overhead on one run is the wall time of one Quick look run on the one-CPU cluster
minus that of one local run, both measured alone, each the median of `--single` runs.

Needs Ray (requirements-cluster.txt) and MNIST_PATH. The numbers depend on the machine and on what else it runs:
say so when you quote them.
Run: .venv/bin/python benchmarks/bench_ray.py [--runs 4] [--single 2]
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

QUICK_LOOK = TrainingConfig(**PRESETS["Quick look"], name="bench")


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
    parser.add_argument("--runs", type=int, default=4, help="Quick look runs in each batch")
    parser.add_argument("--single", type=int, default=2, help="lone runs timed for the overhead")
    arguments = parser.parse_args()
    if not os.environ.get("MNIST_PATH"):
        raise SystemExit("set MNIST_PATH to a local mnist.npz")
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    rows, single = [], {}
    seconds, _each = train_batch("", arguments.runs, 1)
    rows.append(("local backend (child processes, 1 at a time)", seconds))
    single["local"] = statistics.median(train_batch("", 1, 1)[0] for _index in range(arguments.single))
    for cpus in (1, 2):
        with LocalRayCluster(cpus=cpus) as cluster:
            if cpus == 1:
                single["ray"] = statistics.median(train_batch(cluster.address, 1, 1)[0]
                                                  for _index in range(arguments.single))
            seconds, _each = train_batch(cluster.address, arguments.runs, cpus)
            rows.append((f"local Ray cluster, {cpus} worker process{'es' if cpus > 1 else ''}", seconds))
            import ray

            ray.shutdown()
    print(f"\n| backend | {arguments.runs} Quick look runs | runs per minute |\n| --- | --- | --- |")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.0f} s | {arguments.runs / seconds * 60:.2f} |")
    print(f"\none run alone (median of {arguments.single}): local {single['local']:.1f} s, Ray (1 worker process) "
          f"{single['ray']:.1f} s: Ray adds {single['ray'] - single['local']:.1f} s")
    print(f"load average {os.getloadavg()[0]:.1f} at the end", flush=True)


if __name__ == "__main__":
    main()
