"""How many CPU cores this process may really use, and TensorFlow's thread pools sized to match.

A container often sees all of the host's cores while its CPU quota allows a
fraction of them (Streamlit Community Cloud: between a fraction of a core and
two). TensorFlow sizes its thread pools from the cores it sees, so on such a
machine dozens of threads fight over one core, and the app's own requests
wait behind them. `usable_cpus` takes the smaller of the CPU affinity mask and
the cgroup v2 quota (`cpu.max`, "max" when unlimited).

It also says, in one sentence, which TensorFlow build is installed and which
devices it sees (`tensorflow_build`), asked of a child process so that the
app's server never loads TensorFlow to tell (`tensorflow_build_in_child`). The
child answers in data (`tensorflow_facts_in_child`), which `describe_build`
words in the reader's language wherever the sentence is shown.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from lib import REPO_ROOT
from lib.i18n import _

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


def proc_stat(pid: int) -> list[str] | None:
    """Fields 3 onward of Linux's /proc/PID/stat (those after the command name, which may hold spaces and
    parentheses): [0] is the state, [11] and [12] the user and system CPU ticks, [19] the start time; None where it
    cannot be read (the process is gone, or this is not Linux)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pid: int, children: bool = False) -> float | None:
    """The CPU time process `pid` has used so far, user and system (with `children`: that of its children that
    have ended and been waited for); None where it cannot be read."""
    fields = proc_stat(pid)
    first = 13 if children else 11
    if fields is None or len(fields) <= first + 1:
        return None
    return (int(fields[first]) + int(fields[first + 1])) / os.sysconf("SC_CLK_TCK")


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


def device_names() -> list[str]:
    """The devices TensorFlow sees on this machine, e.g. ['/physical_device:CPU:0']."""
    import tensorflow as tf

    return [device.name for device in tf.config.list_physical_devices()]


# The wheels that install TensorFlow: requirements.txt's CPU-only one on Linux x86_64, the full one elsewhere,
# and the full one with its CUDA libraries from requirements-gpu.txt.
TENSORFLOW_PACKAGES = ("tensorflow-cpu", "tensorflow", "tensorflow-gpu", "tf-nightly")


def tensorflow_facts() -> dict:
    """What `tensorflow_build` says, as data: the version, the installed packages, CUDA or not, GPUs and devices."""
    from importlib import metadata

    import tensorflow as tf

    installed = []
    for name in TENSORFLOW_PACKAGES:
        try:
            installed.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return {"version": tf.__version__, "packages": installed, "cuda": bool(tf.test.is_built_with_cuda()),
            "gpus": len(tf.config.list_physical_devices("GPU")),
            "devices": [name.replace("/physical_device:", "") for name in device_names()]}


def describe_build(facts: dict) -> str:
    """The sentence for `tensorflow_facts` (or a child's failure to give them), in the reader's language."""
    error = facts.get("error")
    if error == "timeout":
        return _("TensorFlow did not say which devices it sees within {timeout:g} s.").format(timeout=facts["timeout"])
    if error is not None:
        said = facts.get("said")
        return (_("TensorFlow could not be asked which devices it sees: {said}.").format(said=said) if said else
                _("TensorFlow could not be asked which devices it sees."))
    cuda = facts["cuda"]
    sentence = _("TensorFlow {version} ({packages}; {build}) sees {devices}.").format(
        version=facts["version"], packages=", ".join(facts["packages"]) or _("package unknown"),
        build=_("built with CUDA") if cuda else _("a CPU-only build"), devices=", ".join(facts["devices"]))
    if not facts["gpus"]:
        sentence += " " + (_("No GPU in use: on a machine with an NVIDIA GPU, install requirements-gpu.txt as the "
                             "README says.") if not cuda else _("It can use an NVIDIA GPU, but finds none on this machine."))
    return sentence


def tensorflow_build() -> str:
    """One sentence: which TensorFlow package is installed, whether it can use a GPU, and what it sees."""
    return describe_build(tensorflow_facts())


def tensorflow_facts_in_child(timeout: float = 120.0) -> dict:
    """`tensorflow_facts` asked of a fresh process (at niceness 10, as training runs).

    The answer is what a training process will see, and the server does not
    load TensorFlow (some 500 MB) just to tell. Never raises: a failure is an
    answer too ({"error": "timeout" | "failed", ...}), which `describe_build` words.
    """
    code = ("import json, os; os.nice(10); from lib.engine.resources import tensorflow_facts; "
            "print(json.dumps(tensorflow_facts()))")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    try:
        done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "timeout", "timeout": timeout}
    except OSError as error:
        return {"error": "failed", "said": str(error)}
    answer = done.stdout.strip().splitlines()
    if done.returncode == 0 and answer:
        try:
            facts = json.loads(answer[-1])
        except ValueError:
            facts = None
        if isinstance(facts, dict) and {"version", "packages", "cuda", "gpus", "devices"} <= facts.keys():
            return facts
    said = done.stderr.strip().splitlines()
    return {"error": "failed", "said": said[-1] if said else ""}


def tensorflow_build_in_child(timeout: float = 120.0) -> str:
    """`tensorflow_build` asked of a fresh process. Never raises: a failure is said in the sentence.

    The sentence is a LazyText: English as a string, and worded again in the current reader's language where it
    is shown, so the one answer a server caches (ui/devices.py) reads in each visitor's language.
    """
    from lib.i18n import LazyText

    facts = tensorflow_facts_in_child(timeout)
    return LazyText(lambda: describe_build(facts))
