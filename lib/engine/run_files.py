"""Writing a run folder: its file names, its id, and the builder that publishes it in one rename.

A run is a folder holding `config.json`, `history.csv`, `metrics.json`,
`model.keras`, `layers.json` and TensorBoard logs under `tb/`. `RunBuilder`
assembles it in a hidden temporary folder beside its final place and renames
it into place in one step, so a reader never sees half a run. The hidden
folder names its writer process, so one that a crash left is removed at once. The training
engine writes runs through this module; lib.runs.store reads them back and
re-exports these names for the rest of the app.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from lib.engine.resources import proc_stat

CONFIG_FILE = "config.json"
HISTORY_FILE = "history.csv"
METRICS_FILE = "metrics.json"
MODEL_FILE = "model.keras"
# The model's layers as Keras summarizes them, written beside the model so a page can show them without loading
# TensorFlow. Older runs and the cached experiments may lack it.
LAYERS_FILE = "layers.json"
TENSORBOARD_DIR = "tb"

# The columns of history.csv, in the order Keras's CSVLogger writes them (epoch, then the rest sorted).
# CSVLogger counts epochs from 0; readers add 1 (see lib.runs.history_file.parse_history_csv).
HISTORY_COLUMNS = ("epoch", "accuracy", "learning_rate", "loss", "seconds", "val_accuracy", "val_loss")


# The classes of an MNIST run, in the order of the model's outputs. A run trained on a data set of its own records
# its class names in config.json and metrics.json ("class_names"); a run without them read digits.
DIGIT_CLASS_NAMES = tuple(str(digit) for digit in range(10))
CLASS_NAMES_KEY = "class_names"


# Written first into a run being assembled: which process writes it, so that a folder whose writer died (a crash,
# a kill) is known for litter at once rather than after an hour (see lib.runs.workspaces.remove_stale).
WRITER_FILE = "writer.json"


def process_start_time(pid: int) -> int | None:
    """When process `pid` started, in clock ticks since boot (/proc/PID/stat field 22); None if it is not running."""
    fields = proc_stat(pid)
    # After the command name come field 3 (the state) onwards: field 22 is the 20th of them.
    if fields is None or len(fields) < 20 or fields[0] in ("Z", "X"):  # a zombie has finished writing anything
        return None
    return int(fields[19])


def writer_alive(staging: Path) -> bool | None:
    """Whether the process that assembles `staging` still runs; None when the folder does not say who it is."""
    try:
        writer = json.loads((Path(staging) / WRITER_FILE).read_text(encoding="utf-8"))
        pid, started = int(writer["pid"]), writer["started"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return started is not None and process_start_time(pid) == started


class RunStorageError(OSError):
    """A run could not be written; the message names the folder and the cause."""


def make_run_id(label: str = "", now: float | None = None) -> str:
    """A unique id that is safe as a file name whatever the label holds."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40]
    return "-".join(part for part in (stamp, slug, secrets.token_hex(3)) if part)


def history_csv(rows: list[dict]) -> str:
    """A history.csv of the given rows (epochs counted from 1), in CSVLogger's layout."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HISTORY_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: row.get(key, "") for key in HISTORY_COLUMNS} | {"epoch": int(row["epoch"]) - 1})
    return buffer.getvalue()


def storage_error(root: Path, error: OSError) -> RunStorageError:
    return RunStorageError(f"Cannot write runs to {root}: {error.strerror or error}. "
                           "Choose a writable folder (set CNN_LAB_RUNS_DIR or --out).")


def check_writable(root: Path) -> None:
    """Make `root` if it is missing and check that a run's folder can be made in it, leaving nothing behind: the
    command line asks this before TensorFlow starts, so a wrong --out fails at once."""
    root = Path(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        Path(tempfile.mkdtemp(dir=root, prefix=".writable.", suffix=".partial")).rmdir()
    except OSError as error:
        raise storage_error(root, error) from error


class RunBuilder:
    """Collects a run's files in a hidden folder, then publishes it with one rename."""

    def __init__(self, root: Path, run_id: str):
        self.root, self.run_id = Path(root), run_id
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(dir=self.root, prefix=f".{run_id}.", suffix=".partial"))
            self.write_json(WRITER_FILE, {"pid": os.getpid(), "started": process_start_time(os.getpid())})
        except OSError as error:
            raise storage_error(self.root, error) from error

    @property
    def tensorboard_dir(self) -> Path:
        return self.staging / TENSORBOARD_DIR

    @property
    def history_path(self) -> Path:
        """Where history.csv is assembled: Keras's CSVLogger writes it there epoch by epoch."""
        return self.staging / HISTORY_FILE

    @property
    def model_path(self) -> Path:
        return self.staging / MODEL_FILE

    def write_json(self, name: str, data: dict) -> None:
        (self.staging / name).write_text(json.dumps(data, indent=2), encoding="utf-8")

    def write_history(self, rows: list[dict]) -> None:
        self.history_path.write_text(history_csv(rows), encoding="utf-8")

    def publish(self, replace: bool = False) -> Path:
        """Move the finished run into place; with `replace`, an older run of the same id goes."""
        final = self.root / self.run_id
        retired = None
        try:
            if replace and final.exists():
                retired = final.with_name(f".{final.name}.retired-{secrets.token_hex(3)}")
                os.replace(final, retired)
            (self.staging / WRITER_FILE).unlink(missing_ok=True)
            os.replace(self.staging, final)
            if retired is not None:
                shutil.rmtree(retired, ignore_errors=True)
        except OSError as error:
            self.discard()
            raise RunStorageError(f"Cannot publish run {final}: {error.strerror or error}.") from error
        return final

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def write_run(builder: RunBuilder, config: dict, metrics: dict, replace: bool, class_names: list[str] | None = None,
              digests: dict | None = None) -> Path:
    """A trained run's `config` (TrainingConfig.to_dict()) and `metrics` written beside its history, then published.

    history.csv is already there (Keras's CSVLogger wrote it epoch by epoch) unless no epoch ended. A run on
    classes of its own records their names beside the config (an MNIST run's config stays as it was), and its
    data sets as content digests, never as the paths they were read from: a run may be shared, and the app's sets
    live in a folder named after their owner's workspace token (lib.engine.data_record).
    """
    from lib.engine.data_record import public_config

    if not builder.history_path.exists():  # no epoch ended at all
        builder.write_history([])
    recorded = {name: (digests or {}).get(name) or value for name, value in config.items()
                if name in ("data", "test_data") and value}
    builder.write_json(CONFIG_FILE, public_config(config | recorded)
                       | ({CLASS_NAMES_KEY: class_names} if class_names else {}))
    builder.write_json(METRICS_FILE, metrics)
    return builder.publish(replace=replace)
