"""Run folders: how a training run is stored, named, listed and read back.

A run is a folder holding `config.json`, `history.csv`, `metrics.json`,
`model.keras` and TensorBoard logs under `tb/`. It is assembled in a hidden
temporary folder beside its final place and renamed into place in one step,
so a reader never sees half a run (lib.engine.run_files writes them). Folders
whose names start with "." are never runs. Run zips and uploads are
lib.runs.archive's.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lib import REPO_ROOT
from lib.engine.config import KERAS_DEFAULT_LEARNING_RATES
from lib.engine.data_record import public_config

# The run's file names and the writer live with the training engine that writes runs; they are re-exported here,
# where the rest of the app reads runs.
from lib.engine.run_files import (  # noqa: F401
    CLASS_NAMES_KEY,
    CONFIG_FILE,
    DIGIT_CLASS_NAMES,
    HISTORY_COLUMNS,
    LAYERS_FILE,
    METRICS_FILE,
    MODEL_FILE,
    RunBuilder,
    RunStorageError,
    history_csv,
    make_run_id,
)
from lib.i18n import N_, _, ngettext
from lib.runs.schema import RunSchemaError, check_run_files, parse_run_json
from lib.settings import settings

RUNS_DIR_ENV = "CNN_LAB_RUNS_DIR"
SAVED_MODELS = REPO_ROOT / "saved_models"

# A run holding this file is shared with everyone on the server (see lib.runs.workspaces).
SHARED_FILE = "shared.json"


# The regularizers a config can turn on, in the order labels name them. Each name is one phrase: "batch norm"
# is one regularizer, never "batch + norm".
REGULARIZER_NAMES = {"l1": "l1", "l2": "l2", "dropout": "dropout", "batch_norm": "batch norm"}
# Below this many training images a label says how many were used (all of MNIST's is the usual case).
ALL_TRAINING_IMAGES = 60000
# A label's words for people, translated where a label is made (the names above stay English: lib.runs.experiments
# writes them into the book runs' names, and lib.runs.recipes compares them). l1 and l2 read the same everywhere.
LABEL_WORDS = {"dropout": N_("dropout"), "batch norm": N_("batch norm"), "augmented": N_("augmented"),
               "no regularization": N_("no regularization")}
SCHEDULE_LABELS = {"step": N_("{recipe} (step)"), "exponential": N_("{recipe} (exponential)"),
                   "cosine": N_("{recipe} (cosine)")}
# The names lib.runs.experiments gives the book's runs, kept English in their config.json and read in the
# reader's language (see `book_run_name`).
BOOK_RUN_NAMES = {"Shipped LeNet-5": N_("Shipped LeNet-5"),
                  "LeNet-5, SGD, early stopping": N_("LeNet-5, SGD, early stopping"),
                  "Dense network (chapter 2), SGD": N_("Dense network (chapter 2), SGD")}


def regularizer_names(config: dict) -> list[str]:
    """The regularizers a run's config turns on, e.g. ["l1", "batch norm"]."""
    return [name for key, name in REGULARIZER_NAMES.items() if config.get(key)]


def regularization_label(config: dict) -> str:
    """The regularizers joined with " + " ("l1 + dropout + batch norm"), or "no regularization", in English: the
    words of the book runs' names (see `book_run_name` for how they are read)."""
    return " + ".join(regularizer_names(config)) or "no regularization"


def label_word(word: str) -> str:
    """One of a label's words ("batch norm", "augmented") in the reader's language; others ("l1") as they are."""
    return _(LABEL_WORDS[word]) if word in LABEL_WORDS else word


def _count(value) -> int:
    """A number of things as ngettext takes it (a config read from an upload may hold anything)."""
    return int(value) if isinstance(value, (int, float)) and math.isfinite(value) and value == int(value) else 2


def book_run_name(name: str) -> str:
    """The name of one of the book's runs (as lib.runs.experiments writes it) in the reader's language:
    "Shipped LeNet-5", "adam (Keras default rate)", "adadelta (rate 1.0)", "200 samples: l1 + batch norm".
    Any other name is returned as it is."""
    if name in BOOK_RUN_NAMES:
        return _(BOOK_RUN_NAMES[name])
    if found := re.fullmatch(r"(\w+) \(Keras default rate\)", name):
        return _("{optimizer} (Keras default rate)").format(optimizer=found[1])
    if found := re.fullmatch(r"(\w+) \(rate ([0-9.]+)\)", name):
        return _("{optimizer} (rate {rate})").format(optimizer=found[1], rate=found[2])
    if found := re.fullmatch(r"([0-9]+) samples: (.+)", name):
        words = found[2].split(" + ")
        if found[2] == "no regularization" or set(words) <= set(REGULARIZER_NAMES.values()):
            count = int(found[1])
            return ngettext("{n:,} sample: {regularization}", "{n:,} samples: {regularization}", count).format(
                n=count, regularization=" + ".join(label_word(word) for word in words))
    return name


def describe_config(config: dict) -> str:
    """A run's recipe in a few words, e.g. "adam lr 0.001, 3 epochs on 6,000 images, batch norm".

    The learning rate is the one used: Keras's default for the optimizer when the config leaves it unset.
    Returns "" for a config that does not say what was trained (an upload without config.json).
    """
    optimizer, epochs = config.get("optimizer"), config.get("epochs")
    if not optimizer or not epochs:
        return ""
    rate = config.get("learning_rate") or KERAS_DEFAULT_LEARNING_RATES.get(optimizer)
    recipe = optimizer if rate is None else _("{optimizer} lr {rate:g}").format(optimizer=optimizer, rate=rate)
    if (schedule := config.get("lr_schedule")) not in (None, "none"):
        recipe = _(SCHEDULE_LABELS[schedule]).format(recipe=recipe) if schedule in SCHEDULE_LABELS else \
            f"{recipe} ({schedule})"
    if config.get("model") not in (None, "lenet5"):
        recipe = f"{config['model']}, {recipe}"
    length = ngettext("{n} epoch", "{n} epochs", _count(epochs)).format(n=epochs)
    images = config.get("train_samples")
    if config.get("data"):  # a data set of its own: its classes say what it learned
        names = class_names_of(config)
        length = _("{epochs} on {data}").format(epochs=length, data=", ".join(names) if names != DIGIT_CLASS_NAMES
                                                and len(names) <= 4 else _("own classes"))
    elif images and images < ALL_TRAINING_IMAGES:
        length = _("{epochs} on {data}").format(epochs=length, data=ngettext(
            "{n:,} image", "{n:,} images", _count(images)).format(n=images))
    regularizers = regularizer_names(config) + (["augmented"] if config.get("augment") else [])
    return ", ".join([recipe, length, *([" + ".join(map(label_word, regularizers))] if regularizers else [])])


def runs_dir() -> Path:
    """Where user runs go: $CNN_LAB_RUNS_DIR, or runs/ beside the app (see lib.settings)."""
    return settings().runs_dir


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
        Words for people, in the reader's language: a book run's name (English on disk) and a recipe are translated.
        """
        name = self.config.get("name")
        if name:
            return book_run_name(name) if self.source == "experiment" and isinstance(name, str) else name
        return describe_config(self.config) or self.run_id

    @property
    def model_path(self) -> Path:
        return self.path / MODEL_FILE

    @property
    def class_names(self) -> tuple[str, ...]:
        """The names of the model's outputs, in order: the run's own classes, or the ten digits of MNIST."""
        return class_names_of(self.metrics, self.config)

    @property
    def trained_on_own_data(self) -> bool:
        return bool(self.config.get("data"))

    @property
    def failed(self) -> bool:
        """Whether training failed (diverged or raised): its history may be partial and its model missing."""
        return self.metrics.get("status") == "failed"

    def layers(self) -> list[dict] | None:
        """The model's summary rows (layer, type, output shape, parameters), or None when the run has none."""
        try:
            rows = json.loads((self.path / LAYERS_FILE).read_text(encoding="utf-8"))["layers"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return rows if isinstance(rows, list) and all(isinstance(row, dict) for row in rows) else None


def class_names_of(*records: dict) -> tuple[str, ...]:
    """The class names the first of `records` (metrics.json, config.json) holds, or the digits when none does.

    A list that is not all text, repeats a name or has fewer than two is ignored as unusable.
    """
    for record in records:
        names = record.get(CLASS_NAMES_KEY) if isinstance(record, dict) else None
        if (isinstance(names, list) and len(names) >= 2 and all(isinstance(name, str) for name in names)
                and len(set(names)) == len(names)):
            return tuple(names)
    return DIGIT_CLASS_NAMES


def read_class_names(run_path: Path) -> tuple[str, ...]:
    """The class names recorded in a run folder (metrics.json, else config.json); the digits when it has none,
    or when neither file can be read (a model file alone, the shipped one)."""
    records = []
    for name in (METRICS_FILE, CONFIG_FILE):
        try:
            records.append(json.loads((Path(run_path) / name).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return class_names_of(*records)


class RunReadError(ValueError):
    """A run folder or history file is missing pieces or malformed; the message names it."""


# Epochs above this are refused as nonsense: the app trains at most 1,000 and no CSVLogger file holds a million.
MAX_EPOCH = 1_000_000


def _epoch_problem(value: float) -> str | None:
    """Why an epoch value (as CSVLogger counts, from 0) cannot be used, or None when it can."""
    if not math.isfinite(value):
        return _("not a finite number")
    if value < 0:
        return _("negative")
    if not value.is_integer():
        return _("not a whole number")
    if value > MAX_EPOCH:
        return _("above {limit:,}").format(limit=MAX_EPOCH)
    return None


def parse_history_csv(text: str, name: str) -> tuple[list[dict], list[str]]:
    """Rows of a run's history.csv or a Keras CSVLogger file, as floats, and notes on rows left out.

    Needs an epoch column and at least one of loss/accuracy; other known columns are optional. A row whose epoch
    is blank, not a number, not finite, negative, fractional or absurdly large is skipped with a note; a metric
    that is nan or infinite is left missing. Raises RunReadError naming the file when no usable row remains.
    """
    try:
        reader = csv.DictReader(io.StringIO(text))
        columns = set(reader.fieldnames or ())
        rows = list(reader)
    except csv.Error as error:
        raise RunReadError(_("{name} is not a readable CSV file ({error}).").format(name=name, error=error)) from error
    if "epoch" not in columns or not columns & {"loss", "accuracy"}:
        raise RunReadError(_("{name} needs an 'epoch' column and a 'loss' or 'accuracy' column; it has {columns}.")
                           .format(name=name, columns=", ".join(sorted(columns)) or _("none")))
    if not rows:
        raise RunReadError(_("{name} has no epochs in it.").format(name=name))
    parsed, refused = [], []
    for number, row in enumerate(rows, start=2):
        raw_epoch = (row.get("epoch") or "").strip()
        if not raw_epoch:
            refused.append(_("line {number}: epoch is blank").format(number=number))
            continue
        try:
            epoch = float(raw_epoch)
        except ValueError:
            refused.append(_("line {number}: epoch {epoch!r} is not a number").format(number=number, epoch=raw_epoch))
            continue
        if problem := _epoch_problem(epoch):
            refused.append(_("line {number}: epoch {epoch!r} is {problem}").format(number=number, epoch=raw_epoch,
                                                                                   problem=problem))
            continue
        entry = {"epoch": epoch}
        for key, value in row.items():
            if key in (None, "epoch") or value in (None, ""):
                continue
            try:
                number_value = float(value)
            except ValueError:
                raise RunReadError(_("{name}, line {number}: {column} is {value!r}, not a number.").format(
                    name=name, number=number, column=key, value=value)) from None
            if math.isfinite(number_value):  # nan or inf: the value is missing, as a blank one is
                entry[key] = number_value
        parsed.append(entry)
    if not parsed:
        raise RunReadError(_("{name} has no usable epochs ({lines}).").format(name=name, lines=_first_few(refused)))
    # CSVLogger counts epochs from 0; runs written here count from 1.
    if any(entry["epoch"] == 0 for entry in parsed):
        for entry in parsed:
            entry["epoch"] += 1
    notes = [_("{name}: skipped {skipped:,} of {total:,} rows, their epoch unusable ({lines}).").format(
        name=name, skipped=len(refused), total=len(rows), lines=_first_few(refused))] if refused else []
    return parsed, notes


def _first_few(problems: list[str], shown: int = 3) -> str:
    return "; ".join(problems[:shown]) + ("; ..." if len(problems) > shown else "")


def load_run(path: Path, source: str = "user") -> Run:
    """Read one run folder; raise RunReadError naming what is missing or malformed."""
    path = Path(path)
    try:
        config = parse_run_json((path / "config.json").read_text(encoding="utf-8"), "config.json")
        metrics = parse_run_json((path / "metrics.json").read_text(encoding="utf-8"), "metrics.json")
        check_run_files(config, metrics)
        history, notes = parse_history_csv((path / "history.csv").read_text(encoding="utf-8"),
                                           f"{path.name}/history.csv")
    except FileNotFoundError as error:
        raise RunReadError(_("Run {run} is missing {file}.").format(run=path.name, file=Path(error.filename).name)) \
            from error
    except (RunSchemaError, UnicodeDecodeError) as error:
        raise RunReadError(_("Run {run} has a malformed file ({error}).").format(run=path.name, error=error)) from error
    if not isinstance(config, dict) or not isinstance(metrics, dict):
        raise RunReadError(_("Run {run}: config.json and metrics.json must each hold an object.").format(run=path.name))
    # A run written before runs recorded digests may name its data set by a server path: no reader ever sees it.
    return Run(path, public_config(config), history, metrics, source, notes)


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


def run_for_model(model_path: Path, runs: list[Run]) -> Run | None:
    """The run among `runs` whose model file is `model_path`."""
    target = Path(model_path).resolve()
    return next((run for run in runs if run.model_path.resolve() == target), None)
