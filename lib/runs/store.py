"""Run folders: how a training run is stored, named, listed and read back.

A run is a folder holding `config.json`, `history.csv`, `metrics.json`,
`model.keras` and TensorBoard logs under `tb/`. It is assembled in a hidden
temporary folder beside its final place and renamed into place in one step,
so a reader never sees half a run (lib.engine.run_files writes them). Folders
whose names start with "." are never runs.

This module owns the layout of runs/ and saved_models/ and reads runs back.
What a run is called is lib.runs.labels's, how its history.csv is checked
lib.runs.history_file's, who sees it (sharing) lib.runs.workspaces's, and run
zips and uploads lib.runs.archive's.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from lib import REPO_ROOT
from lib.engine.data_record import public_config

# The run's file names and the writer live with the training engine that writes runs; they are re-exported here,
# where the rest of the app reads runs.
from lib.engine.run_files import (  # noqa: F401
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
from lib.i18n import _
from lib.runs.history_file import RunReadError, parse_history_csv
from lib.runs.labels import book_run_name, class_names_of, describe_config
from lib.runs.schema import RunSchemaError, check_run_files, parse_run_json
from lib.settings import settings

SAVED_MODELS = REPO_ROOT / "saved_models"


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
