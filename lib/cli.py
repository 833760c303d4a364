"""Command line for the training engine: `python -m lib.cli --help`.

Every TrainingConfig field is a flag (underscores become dashes), and
`--preset` starts from one of the Training page's presets; `--data` trains on
a folder (or .zip) of class sub-folders instead of MNIST, starting from the
OWN_DATA_PRESET unless a preset is named. On a terminal it
shows Keras's own progress bar for each epoch; piped or logged, one line per
epoch. It writes a run folder under --out. A bad value exits with status 2 and
one line naming the flag and what it allows.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import re
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

from lib.engine.config import FIELDS, OWN_DATA_PRESET, PRESET_LABELS, PRESETS, TrainingConfig, flag, preset_id
from lib.engine.events import progress_printer, to_json


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"error: {message.replace('argument ', '', 1)}\n")


def out_folder(value: str) -> Path:
    """--out's value: a folder named by something. An empty path would mean the current folder, never meant."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must name a folder; got an empty path (leave --out out for the default)")
    return Path(value)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m lib.cli", description="Train a network on MNIST, or on your own classes (--data), "
                                                                  "and write a run folder.")
    for name, item in FIELDS.items():
        meta, default = item.metadata, item.default
        help_text = meta["help"]
        if isinstance(default, bool):
            parser.add_argument(flag(name), action=argparse.BooleanOptionalAction, default=default, help=help_text)
            continue
        kind = str if isinstance(default, str) else int if isinstance(default, int) else float
        if meta.get("low") is not None:
            help_text += f" [{meta['low']:g} to {meta['high']:g}]"
        parser.add_argument(flag(name), type=kind, default=default, choices=meta.get("choices"),
                            help=f"{help_text} (default: {default})", metavar=None if meta.get("choices") else kind.__name__.upper())
    parser.add_argument("--preset", type=preset_argument, default=None, metavar="{" + ",".join(PRESETS) + "}",
                        help="start from a preset of the pages ("
                             + ", ".join(f"{name}: {label}" for name, label in PRESET_LABELS.items())
                             + "; its label is taken too); other flags override its values "
                             f"(with --data, the default is {OWN_DATA_PRESET})")
    parser.add_argument("--split-cpu", type=int, default=0, metavar="N",
                        help="split the CPU into N logical devices, to try mirrored without GPUs (uses them all)")
    parser.add_argument("--out", type=out_folder, default=None,
                        help="folder to write the run into (default: $CNN_LAB_RUNS_DIR or runs/)")
    parser.add_argument("--events", action="store_true",
                        help="for a parent process: print progress as JSON events, one per line, and stop on a "
                             "'stop' line on stdin, on SIGTERM, or when stdin closes; if the parent process dies, "
                             "discard the unfinished run and exit")
    parser.add_argument("--run-id", default=None, help="the run folder's name (default: made from the time and --name)")
    parser.add_argument("--parent-pid", type=int, default=None, metavar="PID",
                        help="with --events: the parent process that started this one (default: the current "
                             "parent); a new parent means it died, and the unfinished run is discarded")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="train with N worker processes together (multiworker strategy; worker 0 writes the "
                             "run): on this machine, or on the Ray cluster that CNN_LAB_RAY_ADDRESS names, with Ray "
                             "Train's TensorflowTrainer")
    parser.add_argument("--nice", type=int, default=0, metavar="N",
                        help="lower this process's scheduling priority by N (0-19) before training")
    return parser


def preset_argument(text: str) -> str:
    """--preset's value: a preset's id, or its label as the pages show it in English."""
    try:
        return preset_id(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parse_config(parser: argparse.ArgumentParser, argv=None) -> tuple[TrainingConfig, dict]:
    """The config the flags describe (a preset first, then the flags given), and the options that are not config."""
    known = parser.parse_known_args(argv)[0]
    preset = known.preset or (OWN_DATA_PRESET if known.data else None)
    if preset:
        parser.set_defaults(**PRESETS[preset])
    arguments = vars(parser.parse_args(argv))
    options = {name: arguments.pop(name) for name in ("out", "split_cpu", "preset", "events", "nice", "run_id", "parent_pid",
                                                       "workers")}
    split = options["split_cpu"]
    if split < 0 or split > 64:
        parser.error(f"--split-cpu: must be between 0 and 64; got {split}")
    if options["run_id"] is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,99}", options["run_id"]):
        parser.error("--run-id: must be 1-100 letters, digits and dashes, starting with a letter or digit")
    if not 0 <= options["nice"] <= 19:
        parser.error(f"--nice: must be between 0 and 19; got {options['nice']}")
    workers = options["workers"]
    if not 1 <= workers <= MAX_WORKERS:
        parser.error(f"--workers: must be between 1 and {MAX_WORKERS}; got {workers}")
    if workers > 1:
        if arguments["strategy"] not in ("default", "multiworker") or split or options["events"]:
            parser.error("--workers: trains with --strategy multiworker; leave out --strategy, --split-cpu and --events")
        arguments["strategy"] = "multiworker"
    if split and not arguments["devices"]:
        arguments["devices"] = ",".join(f"/cpu:{index}" for index in range(split))
    try:
        return TrainingConfig(**arguments).validate(), options
    except ValueError as error:
        field_name, _, reason = str(error).partition(": ")
        parser.error(f"{flag(field_name)}: {reason}")


# Worker processes `--workers` may start: each takes a core and a copy of the data.
MAX_WORKERS = 16
PR_SET_PDEATHSIG = 1
# Exit status of a child that abandoned its run because its parent (the server) died.
ORPHANED_STATUS = 3


class ParentWatch:
    """In --events mode: notices that the parent process died and then discards the run being written.

    A server that crashes takes its pipes with it; the child must not publish a run nobody asked to keep
    (it would read "failed: BrokenPipeError" on History), so it removes its hidden folder and exits.
    """

    def __init__(self, out: Path | None, run_id: str | None, parent: int | None = None):
        self.out, self.run_id = out, run_id
        self.parent = parent or os.getppid()  # lib.server.process_runner passes its own pid (--parent-pid)
        # Linux sends SIGTERM when the thread that started this process ends; the job's thread lives until
        # this process has exited, so the signal comes only when the server is gone.
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)

    def parent_gone(self, wait: float = 0.0) -> bool:
        """True once this process has a new parent; waits up to `wait` seconds (the pipes close first)."""
        deadline = time.monotonic() + wait
        while os.getppid() == self.parent:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def abandon(self) -> None:
        """Remove the run this process was assembling and exit at once."""
        from lib.runs.store import runs_dir

        if self.run_id:
            for partial in Path(self.out or runs_dir()).glob(f".{self.run_id}.*.partial"):
                shutil.rmtree(partial, ignore_errors=True)
        os._exit(ORPHANED_STATUS)


def stop_on_request(watch: ParentWatch) -> threading.Event:
    """An event set by a 'stop' line on stdin, by stdin closing or by SIGTERM; if the parent died, the run goes."""
    stop = threading.Event()

    def watch_stdin():
        for line in sys.stdin:
            if line.strip() == "stop":
                stop.set()
                return
        if watch.parent_gone(wait=2.0):
            watch.abandon()
        stop.set()

    def on_sigterm(signum, frame):
        if watch.parent_gone():
            watch.abandon()
        stop.set()

    threading.Thread(target=watch_stdin, name="stop-watcher", daemon=True).start()
    signal.signal(signal.SIGTERM, on_sigterm)
    if watch.parent_gone():  # it died before the signal was asked for
        watch.abandon()
    return stop


def event_printer(watch: ParentWatch):
    """Prints each event as a JSON line; a closed pipe means the parent is gone."""

    def print_event(event) -> None:
        try:
            print(to_json(event), flush=True)
        except (BrokenPipeError, OSError, ValueError):
            watch.abandon()

    return print_event


def train_workers(config, out: Path | None, workers: int) -> int:
    """--workers N: the workers train together, here or on the Ray cluster; this process prints the chief's
    progress and what became of the run."""
    from lib.engine.events import EndEvent
    from lib.runs.store import runs_dir
    from lib.server.backends import train_together
    from lib.settings import SettingsError, settings

    try:
        chosen = settings()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    printer = progress_printer(False)
    where = f"the Ray cluster at {chosen.ray_address}" if chosen.ray_address else "this machine"
    print(f"{workers} workers on {where}", flush=True)
    try:
        outcome = train_together(config, out or runs_dir(), workers,
                                 lambda event: None if isinstance(event, EndEvent) else printer(event), chosen)
    except (RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{outcome.status}: {outcome.message}", flush=True)
    if outcome.path:
        print(f"run written to {outcome.path}", flush=True)
    return 0 if outcome.status != "failed" else 1


def main(argv=None, prepared: bool = False) -> int:
    """`prepared`: this process has lowered its priority and sized TensorFlow's threads already (lib.spare)."""
    config, options = parse_config(build_parser(), argv)
    out, split = options["out"], options["split_cpu"]
    if options["nice"] and not prepared:
        os.nice(options["nice"])
    if options["workers"] > 1:
        return train_workers(config, out, options["workers"])
    from lib.engine.data import MnistUnavailableError
    from lib.engine.image_sets import ImageSetError
    from lib.engine.optimizers import optimizer
    from lib.engine.training import train
    from lib.engine.training_data import load_dataset

    data = None
    if config.data:  # a data set of one's own is read and checked before TensorFlow starts or anything is written
        try:
            data = load_dataset(config)
        except ImageSetError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        for note in data.notes:
            print(f"note: {note}", file=sys.stderr)
    from lib.engine.resources import size_tensorflow_threads
    from lib.engine.run_files import check_writable
    from lib.runs.store import RunStorageError, runs_dir

    out = out or runs_dir()
    # Before TensorFlow starts: a folder that cannot hold a run fails in a second, not after the import. Not in a
    # multi-worker cluster, where only the chief writes (and makes) the folder, and which worker is the chief is
    # known once TensorFlow has read TF_CONFIG: train() checks it there.
    if config.strategy != "multiworker":
        try:
            check_writable(out)
        except RunStorageError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1

    # Thread pools sized to the cores this process may use, before TensorFlow starts any.
    if not prepared:
        size_tensorflow_threads()
    if split:
        from lib.engine.distribute import split_cpu

        split_cpu(split)
    if config.learning_rate is None and (note := optimizer(config.optimizer).note):
        print(f"note: {note}", file=sys.stderr)
    keras_bar = sys.stdout.isatty() and not options["events"]
    on_progress, stop = progress_printer(keras_bar), None
    if options["events"]:
        watch = ParentWatch(out, options["run_id"], options.get("parent_pid"))
        on_progress, stop = event_printer(watch), stop_on_request(watch)
    try:
        result = train(config, out_dir=out, data=data, on_progress=on_progress, stop_event=stop,
                       verbose=1 if keras_bar else 0, run_id=options["run_id"])
    except (MnistUnavailableError, RunStorageError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0 if result.status != "failed" else 1


if __name__ == "__main__":
    sys.exit(main())
