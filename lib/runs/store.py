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
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lib import REPO_ROOT
from lib.engine.config import KERAS_DEFAULT_LEARNING_RATES

RUNS_DIR_ENV = "CNN_LAB_RUNS_DIR"
SAVED_MODELS = REPO_ROOT / "saved_models"

# The columns of history.csv, in the order Keras's CSVLogger writes them (epoch, then the rest sorted).
# CSVLogger counts epochs from 0; readers add 1 (see parse_history_csv).
HISTORY_COLUMNS = ("epoch", "accuracy", "learning_rate", "loss", "seconds", "val_accuracy", "val_loss")


# A run holding this file is shared with everyone on the server (see lib.runs.workspaces).
SHARED_FILE = "shared.json"
# The model's layers as Keras summarizes them, written beside the model so a page can show them without loading
# TensorFlow. Older runs and the cached experiments may lack it.
LAYERS_FILE = "layers.json"
# Run zips: the files they may hold and how large each may be once unpacked.
RUN_FILES = ("config.json", "history.csv", "metrics.json")
MODEL_FILE = "model.keras"
MAX_UNPACKED_BYTES = 5 * 2**20


# The regularizers a config can turn on, in the order labels name them. Each name is one phrase: "batch norm"
# is one regularizer, never "batch + norm".
REGULARIZER_NAMES = {"l1": "l1", "l2": "l2", "dropout": "dropout", "batch_norm": "batch norm"}
# Below this many training images a label says how many were used (all of MNIST's is the usual case).
ALL_TRAINING_IMAGES = 60000


def regularizer_names(config: dict) -> list[str]:
    """The regularizers a run's config turns on, e.g. ["l1", "batch norm"]."""
    return [name for key, name in REGULARIZER_NAMES.items() if config.get(key)]


def regularization_label(config: dict) -> str:
    """The regularizers joined with " + " ("l1 + dropout + batch norm"), or "no regularization"."""
    return " + ".join(regularizer_names(config)) or "no regularization"


def describe_config(config: dict) -> str:
    """A run's recipe in a few words, e.g. "adam lr 0.001, 3 epochs on 6,000 images, batch norm".

    The learning rate is the one used: Keras's default for the optimizer when the config leaves it unset.
    Returns "" for a config that does not say what was trained (an upload without config.json).
    """
    optimizer, epochs = config.get("optimizer"), config.get("epochs")
    if not optimizer or not epochs:
        return ""
    rate = config.get("learning_rate") or KERAS_DEFAULT_LEARNING_RATES.get(optimizer)
    recipe = optimizer if rate is None else f"{optimizer} lr {rate:g}"
    if config.get("lr_schedule") not in (None, "none"):
        recipe += f" ({config['lr_schedule']})"
    if config.get("model") not in (None, "lenet5"):
        recipe = f"{config['model']}, {recipe}"
    length = f"{epochs} epoch{'s' if epochs != 1 else ''}"
    images = config.get("train_samples")
    if images and images < ALL_TRAINING_IMAGES:
        length += f" on {images:,} images"
    regularizers = regularizer_names(config)
    return ", ".join([recipe, length, *([" + ".join(regularizers)] if regularizers else [])])


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
    source: str = "user"  # "user" (this workspace's), "shared", "experiment" or "upload"
    notes: list[str] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return self.path.name

    @property
    def label(self) -> str:
        """What the app calls the run: the name it was given, else its recipe, else (no config) its id.

        Not unique: two runs of the same recipe share a label, so lists key runs by path or id and show this.
        """
        return self.config.get("name") or describe_config(self.config) or self.run_id

    @property
    def model_path(self) -> Path:
        return self.path / MODEL_FILE

    def layers(self) -> list[dict] | None:
        """The model's summary rows (layer, type, output shape, parameters), or None when the run has none."""
        try:
            rows = json.loads((self.path / LAYERS_FILE).read_text(encoding="utf-8"))["layers"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return rows if isinstance(rows, list) and all(isinstance(row, dict) for row in rows) else None


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


EXPERIMENT_SETS = ("optimizers", "regularizers", "baseline", "shipped")
# The book's runs that pages read by name: the shipped LeNet-5, the chapter-2 dense baseline, and the
# regularization runs whose layers the Dropout and batch norm page opens.
BOOK_RUNS = {"shipped": ("shipped", "lenet5"), "dense baseline": ("baseline", "dense-sgd"),
             "dropout": ("regularizers", "dropout"), "batch norm": ("regularizers", "batch-norm")}


def book_run_path(name: str, root: Path = SAVED_MODELS) -> Path:
    """The folder of one of the book's runs named in BOOK_RUNS."""
    if name not in BOOK_RUNS:
        raise ValueError(f"no book run named {name!r}; known: {', '.join(BOOK_RUNS)}")
    return root.joinpath(*BOOK_RUNS[name])


def book_model_path(name: str, root: Path = SAVED_MODELS) -> Path:
    """The model.keras of one of the book's runs named in BOOK_RUNS."""
    return book_run_path(name, root) / MODEL_FILE


SHIPPED_MODEL = book_model_path("shipped")


def experiment_runs(root: Path = SAVED_MODELS) -> tuple[list[Run], list[str]]:
    """Every cached experiment run in saved_models/, set by set."""
    runs, notes = [], []
    for name in EXPERIMENT_SETS:
        found, skipped = list_runs(root / name, source="experiment")
        runs += sorted(found, key=lambda run: run.run_id)
        notes += skipped
    return runs, notes


def is_shared(path: Path) -> bool:
    return (Path(path) / SHARED_FILE).is_file()


def set_shared(path: Path, shared: bool) -> None:
    """Share a run with everyone on the server, or stop sharing it."""
    marker = Path(path) / SHARED_FILE
    if shared:
        write_atomically(marker, json.dumps({"shared_at": time.time()}))
    else:
        marker.unlink(missing_ok=True)


def write_atomically(path: Path, text: str) -> None:
    """Write a file whole or not at all: a temporary file beside it, then one rename."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def zip_run(path: Path) -> bytes:
    """The whole run folder as a zip, for download; the zip's top folder is the run's id."""
    buffer = io.BytesIO()
    path = Path(path)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(path.rglob("*")):
            if file.is_file() and file.name != SHARED_FILE:
                archive.write(file, Path(path.name) / file.relative_to(path))
    return buffer.getvalue()


def run_from_zip(data: bytes, name: str) -> Run:
    """A Run read from a run zip in memory: nothing is unpacked to disk.

    Only config.json, history.csv and metrics.json at the top or one folder
    down are read; a member whose path climbs out of its folder or that
    would unpack to more than MAX_UNPACKED_BYTES is refused.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {}
            for item in archive.infolist():
                parts = PurePosixPath(item.filename).parts
                if item.filename.startswith(("/", "\\")) or ".." in parts or "\\" in item.filename:
                    raise RunReadError(f"{name} holds {item.filename!r}, a path that climbs out of its folder.")
                if parts and parts[-1] in RUN_FILES and len(parts) <= 2:
                    if item.file_size > MAX_UNPACKED_BYTES:
                        raise RunReadError(f"{name}: {item.filename} would unpack to {item.file_size:,} bytes; "
                                           f"the limit is {MAX_UNPACKED_BYTES:,}.")
                    members[parts[-1]] = item
            if "history.csv" not in members:
                raise RunReadError(f"{name} has no history.csv: upload a run downloaded from the Training page.")

            def read(member: str) -> bytes:
                # The size in the zip's directory can lie; read no more than the limit allows.
                with archive.open(members[member]) as file:
                    content = file.read(MAX_UNPACKED_BYTES + 1)
                if len(content) > MAX_UNPACKED_BYTES:
                    raise RunReadError(f"{name}: {member} unpacks to more than {MAX_UNPACKED_BYTES:,} bytes.")
                return content

            history = parse_history_csv(read("history.csv").decode("utf-8"), f"{name}/history.csv")
            config = json.loads(read("config.json")) if "config.json" in members else {}
            metrics = json.loads(read("metrics.json")) if "metrics.json" in members else {}
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError, OSError, EOFError) as error:
        raise RunReadError(f"{name} is not a readable run zip ({error}).") from error
    config = config if isinstance(config, dict) else {}
    config.setdefault("name", Path(name).stem)
    return Run(Path(name), config, history, metrics if isinstance(metrics, dict) else {}, source="upload")


def run_for_model(model_path: Path, runs: list[Run]) -> Run | None:
    """The run among `runs` whose model file is `model_path`."""
    target = Path(model_path).resolve()
    return next((run for run in runs if run.model_path.resolve() == target), None)
