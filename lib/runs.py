"""Run folders: how a training run is stored, named, listed and read back.

A run is a folder holding `config.json`, `history.csv`, `metrics.json`,
`model.keras` and TensorBoard logs under `tb/`. It is assembled in a hidden
temporary folder beside its final place and renamed into place in one step,
so a reader never sees half a run. Folders whose names start with "." are
never runs.
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
from dataclasses import dataclass, field
from pathlib import Path

RUNS_DIR_ENV = "CNN_LAB_RUNS_DIR"
REPO_ROOT = Path(__file__).resolve().parent.parent
SAVED_MODELS = REPO_ROOT / "saved_models"

# The columns of history.csv, in the order Keras's CSVLogger writes them (epoch, then the rest sorted).
# CSVLogger counts epochs from 0; readers add 1 (see parse_history_csv).
HISTORY_COLUMNS = ("epoch", "accuracy", "learning_rate", "loss", "seconds", "val_accuracy", "val_loss")


class RunStorageError(OSError):
    """A run could not be written; the message names the folder and the cause."""


def runs_dir() -> Path:
    """Where user runs go: $CNN_LAB_RUNS_DIR, or runs/ beside the app."""
    return Path(os.environ.get(RUNS_DIR_ENV) or REPO_ROOT / "runs")


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


class RunBuilder:
    """Collects a run's files in a hidden folder, then publishes it with one rename."""

    def __init__(self, root: Path, run_id: str):
        self.root, self.run_id = Path(root), run_id
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(dir=self.root, prefix=f".{run_id}.", suffix=".partial"))
        except OSError as error:
            raise RunStorageError(f"Cannot write runs to {self.root}: {error.strerror or error}. "
                                  f"Choose a writable folder (set {RUNS_DIR_ENV} or --out).") from error

    @property
    def tensorboard_dir(self) -> Path:
        return self.staging / "tb"

    def write_json(self, name: str, data: dict) -> None:
        (self.staging / name).write_text(json.dumps(data, indent=2), encoding="utf-8")

    def write_history(self, rows: list[dict]) -> None:
        (self.staging / "history.csv").write_text(history_csv(rows), encoding="utf-8")

    def publish(self, replace: bool = False) -> Path:
        """Move the finished run into place; with `replace`, an older run of the same id goes."""
        final = self.root / self.run_id
        retired = None
        try:
            if replace and final.exists():
                retired = final.with_name(f".{final.name}.retired-{secrets.token_hex(3)}")
                os.replace(final, retired)
            os.replace(self.staging, final)
            if retired is not None:
                shutil.rmtree(retired, ignore_errors=True)
        except OSError as error:
            self.discard()
            raise RunStorageError(f"Cannot publish run {final}: {error.strerror or error}.") from error
        return final

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


@dataclass
class Run:
    """A run read back from disk."""

    path: Path
    config: dict
    history: list[dict]
    metrics: dict
    source: str = "user"  # "user", "experiment" or "upload"
    notes: list[str] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return self.path.name

    @property
    def label(self) -> str:
        return self.config.get("name") or self.run_id

    @property
    def model_path(self) -> Path:
        return self.path / "model.keras"


class RunReadError(ValueError):
    """A run folder or history file is missing pieces or malformed; the message names it."""


def parse_history_csv(text: str, name: str) -> list[dict]:
    """Rows of a run's history.csv or a Keras CSVLogger file, as floats.

    Needs an epoch column and at least one of loss/accuracy; other known
    columns are optional. Raises RunReadError naming the file otherwise.
    """
    try:
        reader = csv.DictReader(io.StringIO(text))
        columns = set(reader.fieldnames or ())
        rows = list(reader)
    except csv.Error as error:
        raise RunReadError(f"{name} is not a readable CSV file ({error}).") from error
    if "epoch" not in columns or not columns & {"loss", "accuracy"}:
        raise RunReadError(f"{name} needs an 'epoch' column and a 'loss' or 'accuracy' column; "
                           f"it has {', '.join(sorted(columns)) or 'none'}.")
    if not rows:
        raise RunReadError(f"{name} has no epochs in it.")
    parsed = []
    for number, row in enumerate(rows, start=2):
        entry = {}
        for key, value in row.items():
            if key is None or value in (None, ""):
                continue
            try:
                entry[key] = float(value)
            except ValueError:
                raise RunReadError(f"{name}, line {number}: {key} is {value!r}, not a number.") from None
        parsed.append(entry)
    # CSVLogger counts epochs from 0; runs written here count from 1.
    if parsed and parsed[0].get("epoch") == 0:
        for entry in parsed:
            entry["epoch"] += 1
    return parsed


def load_run(path: Path, source: str = "user") -> Run:
    """Read one run folder; raise RunReadError naming what is missing or malformed."""
    path = Path(path)
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        metrics = json.loads((path / "metrics.json").read_text(encoding="utf-8"))
        history = parse_history_csv((path / "history.csv").read_text(encoding="utf-8"), f"{path.name}/history.csv")
    except FileNotFoundError as error:
        raise RunReadError(f"Run {path.name} is missing {Path(error.filename).name}.") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RunReadError(f"Run {path.name} has a malformed file ({error}).") from error
    if not isinstance(config, dict) or not isinstance(metrics, dict):
        raise RunReadError(f"Run {path.name}: config.json and metrics.json must each hold an object.")
    return Run(path, config, history, metrics, source)


def list_runs(root: Path, source: str = "user") -> tuple[list[Run], list[str]]:
    """All runs under `root` (recursively one level of groups), newest first, plus notes on any skipped."""
    root = Path(root)
    runs, notes = [], []
    if not root.is_dir():
        return runs, notes
    candidates = [p for p in root.rglob("config.json") if not any(part.startswith(".") for part in p.relative_to(root).parts)]
    for config_path in candidates:
        try:
            runs.append(load_run(config_path.parent, source))
        except RunReadError as error:
            notes.append(str(error))
    runs.sort(key=lambda run: run.path.name, reverse=True)
    return runs, notes
