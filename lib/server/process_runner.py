"""A training run in a child process: the project's own command line, watched from the app.

`TrainingProcess` starts `python -m lib.cli --events` with a job's config,
at a lower scheduling priority than the server, and reads the engine's typed
events from its stdout, one JSON object per line (anything else is logged and
ignored). Stop is a "stop" line on its stdin; a child that then shows no sign
of life (no event, no CPU used) for `STOP_GRACE_SECONDS`, or has not ended
`STOP_LIMIT_SECONDS` after the request, is killed (one still winding down,
validating, evaluating and saving its run, is not: under load, and niced, that
can take a while). However the child ends, `outcome`
says what happened in plain words, and a run folder it left half-written is
removed: a killed or crashed child costs its job, never the app. A child whose
server dies (its pipes close, or Linux's parent-death signal arrives) removes its
unfinished run and exits, so a crash leaves no misleading failed run behind.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lib import REPO_ROOT
from lib.engine.config import TrainingConfig
from lib.engine.events import EndEvent, Event, from_json
from lib.engine.resources import cpu_seconds
from lib.i18n import LazyText, _
from lib.server.stop_rules import STOP_GRACE_SECONDS, killed_after_stop_message, stop_overdue

ROOT = REPO_ROOT
# The server keeps its priority; training gives way to a visitor's slider. The child gets a process group
# of its own (to be killed whole) but stays in the server's session: Linux's autogroup scheduling shares the
# CPU evenly between sessions whatever their niceness, so a child in a session of its own would not yield.
CHILD_NICENESS = 10
log = logging.getLogger(__name__)


@dataclass
class Outcome:
    status: str  # finished, stopped or failed
    message: str
    path: str  # the run folder, or "" when none was written


def death_reason(returncode: int) -> LazyText:
    """What a child's exit status means, for a person (read in the language of whoever reads it)."""
    if returncode == -signal.SIGKILL:
        return LazyText(lambda: _("the training process was killed, most likely for lack of memory"))
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            return LazyText(lambda: _("the training process died of signal {number}").format(number=-returncode))
        return LazyText(lambda: _("the training process died of {signal}").format(signal=name))
    return LazyText(lambda: _("the training process exited with status {status}").format(status=returncode))


# What TensorFlow and its libraries print on start-up whatever happens next: never the reason a child failed.
_START_UP_NOISE = re.compile(
    r"^([IWEF]\d{4} \d\d:\d\d:\d\d|WARNING: All log messages before absl|.*oneDNN custom operations|"
    r".*(Could not find cuda drivers|Unable to register cu|TF-TRT Warning|This TensorFlow binary is optimized|"
    r"To enable the following instructions|computation placer already registered|cuda_executor|"
    r"failed call to cuInit|Attempting to register factory))")


def error_line(stderr: str) -> str:
    """The line of a failed child's stderr that says why it failed: the last one that is not start-up noise
    (a traceback's last line is its exception; the command line's own refusals are one line)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    meaningful = [line for line in lines if not _START_UP_NOISE.match(line)]
    return meaningful[-1] if meaningful else ""


def training_children(parent_pid: int) -> list[int]:
    """The live training processes (`python -m lib.cli --events`) that process `parent_pid` started (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not ours to read
        if parent == parent_pid and b"lib.cli" in command and b"--events" in command:
            found.append(int(entry.name))
    return found


class Spare:
    """A started `python -m lib.spare`: a training process that is importing TensorFlow, or waits for its job."""

    def __init__(self, env: dict, niceness: int):
        self.env, self.niceness = env, niceness
        self.stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - the job's, or closed in close()
        self.process = subprocess.Popen([sys.executable, "-m", "lib.spare", "--nice", str(niceness)], cwd=ROOT,
                                        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
                                        text=True, bufsize=1, process_group=0)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        """Not needed: ended at once (it has written nothing: a spare writes only once it has its job)."""
        with contextlib.suppress(OSError, ValueError):
            self.process.stdin.close()
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.stderr.close()


class SparePool:
    """At most one spare training process, started ahead for a job that waits in the queue (see lib.spare).

    `prepare` starts one when none is ready; `take` hands it to a job whose environment and priority it was
    started with (else None: that job starts its own); `discard` ends an unused one (the queue emptied). Only
    local single-process jobs use spares; the multi-worker demonstration's processes start as before.
    """

    def __init__(self):
        self._spare: Spare | None = None
        self._lock = threading.Lock()

    def prepare(self, env: dict | None = None, niceness: int = CHILD_NICENESS) -> None:
        wanted = child_environment(env)
        with self._lock:
            if self._spare is not None and self._spare.alive() and (self._spare.env, self._spare.niceness) == (
                    wanted, niceness):
                return
            old, self._spare = self._spare, Spare(wanted, niceness)
        if old is not None:
            old.close()

    def take(self, env: dict, niceness: int) -> Spare | None:
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is None:
            return None
        if spare.alive() and (spare.env, spare.niceness) == (env, niceness):
            return spare
        spare.close()
        return None

    def discard(self) -> None:
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.close()


def child_environment(env: dict | None) -> dict:
    """A training child's environment: the server's, unbuffered, with the job's additions."""
    return {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}


class TrainingProcess:
    """One child training process: start it, feed its events to `on_event`, stop or kill it, read its outcome.

    With a `spares` pool, a spare process started ahead for this job's environment takes the job's flags
    instead of a new process starting (it has imported TensorFlow already); the rest is the same."""

    def __init__(self, config: TrainingConfig, out_dir: Path, run_id: str, on_event: Callable[[Event], None],
                 env: dict | None = None, niceness: int = CHILD_NICENESS, spares: SparePool | None = None):
        from lib.engine.config import config_flags

        config.validate()  # a config the command line would refuse never starts a process
        self.out_dir, self.run_id, self.on_event = Path(out_dir), run_id, on_event
        self.flags = [*config_flags(config), f"--out={self.out_dir}", f"--run-id={run_id}", "--events",
                      "--parent-pid", str(os.getpid()), "--nice", str(niceness)]
        self.command = [sys.executable, "-m", "lib.cli", *self.flags]
        self.niceness, self.spares = niceness, spares
        # The child watches this process: if it dies (the server crashed), the child discards its run and exits.
        self.env = child_environment(env)
        self.end: EndEvent | None = None
        self.stop_requested_at: float | None = None
        # Its last sign of life (an event; after a stop request, CPU used since the last look too).
        self.last_sign_at: float | None = None
        self._cpu_seen: float | None = None
        self.killed_after_stop = ""  # stop_overdue's reason, once it was killed for one
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        spare = self.spares.take(self.env, self.niceness) if self.spares else None
        if spare is not None:
            try:
                spare.process.stdin.write(json.dumps(self.flags) + "\n")
                spare.process.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                spare.close()  # it died while it waited: start as usual
                spare = None
        if spare is not None:
            self._stderr, self.process = spare.stderr, spare.process
        else:
            self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in outcome()
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=self._stderr, text=True, bufsize=1,
                                            process_group=0)
        self._reader = threading.Thread(target=self._read, name=f"events-{self.run_id}", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def failed_early(self) -> bool:
        """It has exited without finishing its run (killed, crashed, or an error before its end event)."""
        return self.process is not None and self.process.poll() is not None and (
            self.process.returncode != 0 or self.end is None)

    def _read(self) -> None:
        for line in self.process.stdout:
            try:
                event = from_json(line)
            except ValueError as problem:
                log.info("ignored a line from training process %s that is not an event (%s)", self.pid, problem)
                continue
            self.last_sign_at = time.monotonic()
            if isinstance(event, EndEvent):
                self.end = event
            self.on_event(event)

    def request_stop(self) -> None:
        """Ask the child to stop after its current batches; it keeps the partial run."""
        if self.stop_requested_at is not None or not self.alive():
            return
        self.stop_requested_at = time.monotonic()
        try:
            self.process.stdin.write("stop\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass  # it is already on its way out

    def enforce_stop(self) -> None:
        """Kill a child asked to stop that has shown no sign of life or taken too long since (stop_overdue). A child
        still working (its CPU time grows: validating, evaluating, saving) is alive even while it says nothing."""
        if self.stop_requested_at is None or not self.alive():
            return
        used = cpu_seconds(self.process.pid)
        if used is not None and used != self._cpu_seen:
            if self._cpu_seen is not None:
                self.last_sign_at = time.monotonic()
            self._cpu_seen = used
        reason = stop_overdue(self.stop_requested_at, self.last_sign_at, STOP_GRACE_SECONDS)
        if reason:
            self.killed_after_stop = reason
            self.kill()

    def kill(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)

    def wait(self) -> int:
        returncode = self.process.wait()
        self._reader.join(timeout=5)
        return returncode

    def stderr_error(self) -> str:
        self._stderr.seek(0)
        return error_line(self._stderr.read())

    def remove_partial(self) -> None:
        """Remove the half-written run folder the child was assembling, if any."""
        for partial in self.out_dir.glob(f".{self.run_id}.*.partial"):
            shutil.rmtree(partial, ignore_errors=True)

    def outcome(self) -> Outcome:
        """After the child has exited: what became of the run."""
        returncode = self.wait()
        try:
            if self.end is not None:  # the child finished its run and said how, whatever it did after
                return Outcome(self.end.status, self.end.message, self.end.path)
            self.remove_partial()
            if self.killed_after_stop:
                return Outcome("stopped", killed_after_stop_message(self.killed_after_stop, STOP_GRACE_SECONDS), "")
            reason = death_reason(returncode)
            detail = self.stderr_error() if returncode > 0 else ""
            if detail:
                message = LazyText(lambda: _("Training failed: {reason}. It said: {detail}").format(
                    reason=reason, detail=detail))
            else:
                message = LazyText(lambda: _("Training failed: {reason}.").format(reason=reason))
            return Outcome("failed", message, "")
        finally:
            self._stderr.close()
            if self.process.stdin:
                self.process.stdin.close()
