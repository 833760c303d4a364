"""The server's settings: every `CNN_LAB_*` environment variable, read and checked in one place.

A basic of lib, like REPO_ROOT: every group may import it, and no other module
reads a `CNN_LAB_*` variable (tests/test_settings.py checks). Each field of
`ServerSettings` carries its variable, its meaning and its allowed range in
its metadata, so the parser, the error messages and the README's settings
table describe the same thing. A value that is not allowed raises
`SettingsError`, whose message is one line naming the variable, the value and
what is allowed; the server checks at start (`python -m lib.settings`, run by
scripts/run.sh, and the entry file), so a bad value stops it there with that
line instead of a traceback on some page later.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from lib import REPO_ROOT
from lib.i18n import N_, _

PREFIX = "CNN_LAB_"
DEFAULT_RUNS_DIR = REPO_ROOT / "runs"


class SettingsError(ValueError):
    """A `CNN_LAB_*` variable holds a value that is not allowed; the message is one line saying which and why."""


# How often every page's sidebar tells the server that a job's browser is still there (ui/jobs.py).
HEARTBEAT_SECONDS = 5.0
# A browser's timers hold at most 2**31 - 1 ms (24.8 days); a redraw interval is kept far below that.
MAX_REFRESH_SECONDS = 3600.0
WEEK_SECONDS = 7 * 24 * 3600.0
# A Ray cluster's address as `ray start` prints it (host:port), through Ray Client (ray://host:port), or "auto"
# for the cluster this machine is part of.
RAY_ADDRESS = re.compile(r"auto|(ray://)?[A-Za-z0-9.\-]+:\d{1,5}|(ray://)?\[[0-9A-Fa-f:]+\]:\d{1,5}")


def setting(default, env: str, meaning: str, *, minimum: float | None = None, above: bool = False,
            maximum: float | None = None):
    """A field read from `env`; numbers must be at least `minimum` (or, with `above`, greater than it) and at
    most `maximum`: a range inside which the app keeps working.

    `meaning` is English, marked with N_ (the README's table reads it); the error message translates it."""
    return field(default=default, metadata={"env": env, "meaning": meaning, "minimum": minimum, "above": above,
                                            "maximum": maximum})


@dataclass(frozen=True)
class ServerSettings:
    # A Path is immutable, so one default shared by every instance is safe.
    runs_dir: Path = setting(DEFAULT_RUNS_DIR, "CNN_LAB_RUNS_DIR", N_("the folder runs are written to"))  # noqa: RUF009
    # One by default: a small server has one or two cores, and two trainings at once each take twice as long.
    max_jobs: int = setting(1, "CNN_LAB_MAX_JOBS", N_("trainings that may run at once"), minimum=1, maximum=64)
    jobs_per_workspace: int = setting(1, "CNN_LAB_JOBS_PER_WORKSPACE",
                                      N_("jobs one workspace may have queued or training"), minimum=1, maximum=100)
    # Every page's sidebar checks in each HEARTBEAT_SECONDS: a shorter wait would stop the jobs of visitors who
    # are still there, so at least three check-ins may be missed (a slow network, a busy server).
    abandon_seconds: float = setting(600.0, "CNN_LAB_ABANDON_SECONDS", N_("seconds a job's browser may be gone"),
                                     minimum=3 * HEARTBEAT_SECONDS, maximum=WEEK_SECONDS)
    # A shared server: one visitor's run may not hold the training slot for hours.
    max_train_seconds: float = setting(1800.0, "CNN_LAB_MAX_TRAIN_SECONDS", N_("seconds one job may train"),
                                       minimum=0, above=True, maximum=WEEK_SECONDS)
    runs_per_workspace: int = setting(20, "CNN_LAB_RUNS_PER_WORKSPACE", N_("runs a workspace keeps"), minimum=1,
                                      maximum=10_000)
    # A petabyte: far above any disk, and far below where megabytes as bytes overflow a float.
    disk_cap_mb: float = setting(1024.0, "CNN_LAB_DISK_CAP_MB", N_("megabytes all runs may fill"), minimum=0,
                                 above=True, maximum=2.0**30)
    # Each redraw is a script run on the server; faster than a few a second only loads it.
    live_refresh_seconds: float = setting(1.0, "CNN_LAB_LIVE_REFRESH",
                                          N_("seconds between redraws of a job's progress"), minimum=0.1,
                                          maximum=MAX_REFRESH_SECONDS)
    live_chart_refresh_seconds: float = setting(3.0, "CNN_LAB_LIVE_CHART_REFRESH",
                                                N_("seconds between redraws of a job's live chart"), minimum=0.1,
                                                maximum=MAX_REFRESH_SECONDS)
    # A class board (lib.runs.classes): one folder and one file per class, read by every student's board each
    # refresh. A class of 30 hands in a few runs each; the limits keep one class, or one server, from filling.
    max_classes: int = setting(100, "CNN_LAB_MAX_CLASSES", N_("classes the server keeps"), minimum=1,
                               maximum=10_000)
    class_members: int = setting(60, "CNN_LAB_CLASS_MEMBERS", N_("students who may join one class"), minimum=1,
                                 maximum=1000)
    class_runs: int = setting(200, "CNN_LAB_CLASS_RUNS", N_("runs one class board holds"), minimum=1,
                              maximum=10_000)
    # Every open board rereads its class this often: 30 boards at 5 s are six small reruns a second.
    board_refresh_seconds: float = setting(5.0, "CNN_LAB_BOARD_REFRESH", N_("seconds between redraws of a class "
                                                                            "board"), minimum=1.0,
                                           maximum=MAX_REFRESH_SECONDS)
    # Unset: jobs train in child processes of this server, and Ray need not be installed (lib.server.backends).
    ray_address: str = setting("", "CNN_LAB_RAY_ADDRESS", N_("the Ray cluster jobs train on"))

    def __post_init__(self):
        for spec in fields(self):
            check(spec, getattr(self, spec.name), getattr(self, spec.name))

    @property
    def disk_cap_bytes(self) -> int:
        return int(self.disk_cap_mb * 2**20)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> ServerSettings:
        """The settings `environ` holds; an unset or empty variable means its default. SettingsError if not allowed."""
        values = {}
        for spec in fields(cls):
            raw = environ.get(spec.metadata["env"], "").strip()
            if raw:
                values[spec.name] = parse(spec, raw)
        return cls(**values)


def allowed(spec) -> str:
    """What a field accepts, in words (the reader's language)."""
    if spec.type in ("Path", Path):
        return _("a folder path")
    if spec.type in ("str", str):
        return _("a Ray address: host:port, ray://host:port or auto")
    kind = _("a whole number") if spec.type in ("int", int) else _("a finite number")
    minimum, maximum = spec.metadata["minimum"], spec.metadata.get("maximum")
    if minimum is None:
        return kind
    if maximum is not None:
        if spec.metadata["above"]:
            return _("{kind} above {minimum:g} and at most {maximum:g}").format(kind=kind, minimum=minimum,
                                                                               maximum=maximum)
        return _("{kind} from {minimum:g} to {maximum:g}").format(kind=kind, minimum=minimum, maximum=maximum)
    if spec.metadata["above"]:
        return _("{kind} above {minimum:g}").format(kind=kind, minimum=minimum)
    return _("{kind} of at least {minimum:g}").format(kind=kind, minimum=minimum)


def refusal(spec, raw) -> SettingsError:
    default = f"{spec.default:g}" if isinstance(spec.default, (int, float)) else spec.default or _("unset")
    return SettingsError(_("{setting} is not allowed: {meaning} must be {allowed} (default {default}).").format(
        setting=f"{spec.metadata['env']}={str(raw)!r}", meaning=_(spec.metadata["meaning"]), allowed=allowed(spec),
        default=default))


def parse(spec, raw: str):
    """The value of one variable, as its field's type; SettingsError for text that is not one."""
    if spec.type in ("Path", Path):
        return Path(raw)
    if spec.type in ("str", str):
        check(spec, raw, raw)
        return raw
    try:
        value = int(raw) if spec.type in ("int", int) else float(raw)
    except ValueError:
        raise refusal(spec, raw) from None
    check(spec, value, raw)
    return value


def check(spec, value, raw) -> None:
    """SettingsError when `value` is outside its field's range."""
    if spec.type in ("Path", Path):
        if not str(value).strip():
            raise refusal(spec, raw)
        return
    if spec.type in ("str", str):
        if value and not RAY_ADDRESS.fullmatch(value):
            raise refusal(spec, raw)
        return
    minimum, maximum = spec.metadata["minimum"], spec.metadata.get("maximum")
    too_small = minimum is not None and (value <= minimum if spec.metadata["above"] else value < minimum)
    too_large = maximum is not None and value > maximum
    if too_small or too_large or not math.isfinite(value):  # a huge whole number is too large before float()
        raise refusal(spec, raw)


def settings(environ: Mapping[str, str] | None = None) -> ServerSettings:
    """The settings of this process's environment (or of `environ`).

    Parsed once for each distinct set of `CNN_LAB_*` values, so a test that changes a variable (monkeypatch.setenv)
    is seen at the next call without any cache to clear.
    """
    environ = os.environ if environ is None else environ
    return _parsed(tuple(sorted((name, value) for name, value in environ.items() if name.startswith(PREFIX))))


@functools.lru_cache(maxsize=16)
def _parsed(items: tuple[tuple[str, str], ...]) -> ServerSettings:
    return ServerSettings.from_env(dict(items))


def main() -> int:
    """Check the environment's settings: say what is wrong in one line and exit 1, or exit 0 quietly."""
    try:
        chosen = settings()
    except SettingsError as error:
        print(_("CNN Lab cannot start: {error}").format(error=error), file=sys.stderr)
        return 1
    if chosen.ray_address and importlib.util.find_spec("ray") is None:  # looked for, not imported
        print(_("CNN Lab cannot start: CNN_LAB_RAY_ADDRESS is set, but Ray is not installed: install it with "
                "pip install -r requirements-cluster.txt."), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
