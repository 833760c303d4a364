"""The limits a new training job is checked against, and the disk total the disk cap is checked on.

A job sent to a Ray cluster is checked against the cluster's machines before anything is sent
(`check_room`): Ray keeps a task it can never place waiting, without a word. Two limits are checked before a job
is queued (both settings, lib.settings): the jobs a workspace may have
queued or training at once, and the disk all runs may fill. The disk total is kept by `DiskTotal`: the runs
folder is walked (slowly, so never under a lock) at most every `DISK_MEASURE_SECONDS`; between walks the
registry (lib.server.jobs) adds each run a job publishes, and each job queued or training keeps
`RUN_RESERVE_BYTES` of room for its run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from lib.i18n import LazyText, _, ngettext
from lib.runs.workspaces import disk_full_error, folder_bytes, remove_stale
from lib.server.job_state import Job

# The runs folder is walked again after this long; between walks the registry keeps the total up to date itself.
DISK_MEASURE_SECONDS = 60.0
# Room kept on the disk for each job's run until it is published: the Training page's models save in under
# 1 MB (saved_models/baseline is 0.8 MB with its TensorBoard logs).
RUN_RESERVE_BYTES = 2 * 2**20


class JobLimitError(ValueError):
    """A job that the server's limits do not allow now; the message says which limit and what to do."""


class DiskTotal:
    """The bytes the runs folder holds: walked when the last walk is stale, kept up to date between walks.

    Its own lock guards only its numbers; the registry calls `add` and `used` while holding its lock, so a job's
    status and the disk total change together (this lock is always taken second, never the other way round).
    """

    def __init__(self, root: Callable[[], Path]):
        self._root = root
        self._lock = threading.Lock()
        self._used = 0
        self._measured_at: float | None = None  # None: walk the runs folder before the next check
        self._changes = 0  # counts the registry's own updates, so a walk they overtook is not trusted

    @property
    def used(self) -> int:
        with self._lock:
            return self._used

    def measure(self) -> None:
        """Walk the runs folder when the last walk is stale; the walk is slow, so it never holds the lock."""
        with self._lock:
            measured, changes = self._measured_at, self._changes
        if measured is not None and time.monotonic() - measured < DISK_MEASURE_SECONDS:
            return
        remove_stale(self._root())  # a crashed run's hidden folder would count against the cap
        used = folder_bytes(self._root())
        with self._lock:
            self._used = used
            # A run published during the walk may be missing from it: walk again next time.
            self._measured_at = time.monotonic() if changes == self._changes else None

    @staticmethod
    def run_bytes(path: str | Path | None) -> int:
        """The bytes a published run holds (0 for no run); measured outside any lock, then `add`ed."""
        return folder_bytes(Path(path)) if path else 0

    def add(self, size: int) -> None:
        """A run was published: its bytes join the total without a new walk."""
        with self._lock:
            self._used += size
            self._changes += 1

    def forget(self) -> None:
        """Runs were deleted: the next check walks the runs folder, so their room is free again."""
        with self._lock:
            self._measured_at = None


def check_job_limits(jobs: Iterable[Job], owner: str, jobs_per_owner: int, disk_used: int, disk_cap: int) -> None:
    """Raise JobLimitError or RunStorageError when a new job of `owner` is not allowed beside `jobs`."""
    jobs = list(jobs)
    mine = sum(job.owner == owner and job.active for job in jobs)
    if mine >= jobs_per_owner:
        raise JobLimitError(ngettext(
            "This workspace already has {n} job queued or training, the most allowed per workspace on this "
            "server: stop it or wait for it to finish.",
            "This workspace already has {n} jobs queued or training, the most allowed per workspace on this "
            "server: stop one or wait for them to finish.", mine).format(n=mine))
    pending = sum(job.active for job in jobs)
    used = disk_used + pending * RUN_RESERVE_BYTES
    if used >= disk_cap:
        raise disk_full_error(used, disk_cap, pending)


def runs_removed_note(keep: int, removed: list[str]) -> LazyText:
    """The sentence added to a job's message when its run pushed the workspace's oldest runs out."""
    names = ", ".join(removed)
    return LazyText(lambda: ngettext("This workspace keeps {keep} runs, so its oldest unshared run went: {names}.",
                                     "This workspace keeps {keep} runs, so its oldest unshared runs went: {names}.",
                                     len(removed)).format(keep=keep, names=names))


def joined(first: str, second: str) -> LazyText:
    """Two sentences, each read in the reader's language where it can be (a LazyText), one after the other."""
    return LazyText(lambda: f"{first} {second}".strip())


def room_for(each: dict, nodes: list[dict]) -> int:
    """How many processes asking `each` (Ray's task options: num_cpus, memory, num_gpus) the cluster's live
    machines (`ray.nodes()`) hold at once, when nothing else runs: a machine holds as many as its scarcest
    resource allows."""
    wanted = {"CPU": each.get("num_cpus", 0), "memory": each.get("memory", 0), "GPU": each.get("num_gpus", 0)}
    room = 0
    for node in nodes:
        if node.get("Alive", True):
            has = node.get("Resources", {})
            room += min((int(has.get(name, 0) // amount) for name, amount in wanted.items() if amount), default=0)
    return room


class ClusterTooSmallError(RuntimeError):
    """A job the cluster could never start: Ray would keep it waiting for machines that are not there."""


def check_room(each: dict, processes: int, nodes: list[dict]) -> None:
    """ClusterTooSmallError, saying what the job asks and what the cluster holds, if `processes` processes asking
    `each` never fit on the cluster's machines together (Ray Train starts a job's workers together)."""
    room = room_for(each, nodes)
    if room >= processes:
        return
    asked = _("{cpus:g} CPU and {memory:.1f} GiB of memory").format(cpus=each["num_cpus"],
                                                                  memory=each["memory"] / 2**30)
    if each.get("num_gpus"):
        asked = _("{asked} and {gpus} GPU").format(asked=asked, gpus=each["num_gpus"])
    raise ClusterTooSmallError(ngettext(
        "This job needs {processes} training process of {asked} at once, and the Ray cluster's machines hold "
        "{room}: it would wait for ever. Add a machine to the cluster (ray start --address=...).",
        "This job needs {processes} training processes of {asked} each at once, and the Ray cluster's machines "
        "hold {room}: it would wait for ever. Ask for fewer workers, or add a machine to the cluster "
        "(ray start --address=...).", processes).format(processes=processes, asked=asked, room=room))
