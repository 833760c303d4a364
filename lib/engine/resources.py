"""How many CPU cores this process may really use, and TensorFlow's thread pools sized to match.

A container often sees all of the host's cores while its CPU quota allows a
fraction of them (Streamlit Community Cloud: between a fraction of a core and
two). TensorFlow sizes its thread pools from the cores it sees, so on such a
machine dozens of threads fight over one core, and the app's own requests
wait behind them. `usable_cpus` takes the smaller of the CPU affinity mask and
the cgroup v2 quota (`cpu.max`, "max" when unlimited).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def cgroup_cpu_limit(path: Path = CGROUP_CPU_MAX) -> float | None:
    """The cgroup v2 CPU quota in cores ("200000 100000" is 2.0), or None when there is none or no cgroup v2."""
    try:
        quota, period = path.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    try:
        return int(quota) / int(period)
    except (ValueError, ZeroDivisionError):
        return None


def usable_cpus(cpu_max_path: Path = CGROUP_CPU_MAX) -> int:
    """Whole cores this process may use: its affinity mask, capped by the cgroup quota (at least 1)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    limit = cgroup_cpu_limit(cpu_max_path)
    if limit is not None:
        cores = min(cores, math.ceil(limit))
    return max(1, cores)


def size_tensorflow_threads(cores: int | None = None) -> int:
    """Give TensorFlow's intra-op pool one thread per usable core, and two inter-op threads at most.

    Must run before TensorFlow executes anything; returns the number of cores used.
    """
    import tensorflow as tf

    cores = cores or usable_cpus()
    tf.config.threading.set_intra_op_parallelism_threads(cores)
    tf.config.threading.set_inter_op_parallelism_threads(min(2, cores))
    return cores
