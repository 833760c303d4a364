"""How runs' settings compare: the settings a run trained with, those that differ between runs, and the book run
nearest to a learner's.

A run's config is read "as it trained" (see `settings`): fields an older run lacks take their defaults, an unset
learning rate is Keras's default for the optimizer, and a setting the run does not use counts as no setting, so
two runs differ only where the difference changed what was trained. The History page lists the differing
settings under its table and opens a learner's finished run beside its nearest book run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from lib.engine.config import FIELDS, KERAS_DEFAULT_LEARNING_RATES
from lib.runs.store import Run, regularizer_names

# Settings that take effect only when another one is on: a run that does not use one has None for it, so a
# batch-norm momentum left at its default in a run without batch norm is no difference.
USED_ONLY_WHEN = {
    "batch_norm_momentum": lambda values: values["batch_norm"],
    "warmup_epochs": lambda values: values["lr_schedule"] == "cosine",
    "lr_schedule_factor": lambda values: values["lr_schedule"] in ("step", "exponential"),
    "lr_schedule_every": lambda values: values["lr_schedule"] == "step",
    "early_stopping_monitor": lambda values: values["early_stopping"],
    "early_stopping_patience": lambda values: values["early_stopping"],
    "early_stopping_restore_best": lambda values: values["early_stopping"],
    "reduce_lr_factor": lambda values: values["reduce_lr_on_plateau"],
    "reduce_lr_patience": lambda values: values["reduce_lr_on_plateau"],
    "devices": lambda values: values["strategy"] == "mirrored",
}


def settings(config: dict) -> dict:
    """A run's config as it trained: missing fields (a run from an older version) take their defaults, an unset
    learning rate is Keras's default for the optimizer, and a setting the run does not use is None. A config that
    does not say what was trained (an uploaded CSV's) is returned as it is: defaults would be guesses."""
    if "optimizer" not in config:
        return dict(config)
    values = {name: config.get(name, item.default) for name, item in FIELDS.items()}
    values |= {key: value for key, value in config.items() if key not in FIELDS}
    if values["learning_rate"] is None:
        values["learning_rate"] = KERAS_DEFAULT_LEARNING_RATES.get(values["optimizer"])
    for name, used in USED_ONLY_WHEN.items():
        if not used(values):
            values[name] = None
    return values


def differing_config(runs: list[Run]) -> dict[str, list]:
    """Settings whose values differ between the runs (the name aside), with each run's value (see `settings`)."""
    values = [settings(run.config) for run in runs]
    keys = sorted({key for value in values for key in value} - {"name"})
    return {key: [value.get(key) for value in values] for key in keys
            if len({json.dumps(value.get(key)) for value in values}) > 1}


# What a run's recipe is made of, for finding the book run nearest to a learner's: the settings that change
# what is learned. Where and how it ran (strategy, devices, Keras style, seed) and its name are left out.
RECIPE_FIELDS = ("model", "optimizer", "learning_rate", "batch_size", "epochs", "train_samples", "l1", "l2",
                 "dropout", "batch_norm", "batch_norm_momentum", "early_stopping", "reduce_lr_on_plateau",
                 "lr_schedule")
FIELD_NAMES = {"learning_rate": "learning rate", "batch_size": "batch size", "train_samples": "training images",
               "batch_norm": "batch norm", "batch_norm_momentum": "batch-norm momentum",
               "early_stopping": "early stopping", "reduce_lr_on_plateau": "reduce-on-plateau",
               "lr_schedule": "schedule"}


def recipe(config: dict) -> dict:
    """The recipe fields of a config as it trained (see `settings`)."""
    values = settings(config)
    return {name: values[name] for name in RECIPE_FIELDS}


@dataclass
class NearestRun:
    """The book run nearest to a run, and how the two recipes differ."""

    run: Run
    differences: dict[str, tuple]  # field -> (the book run's value, the run's value)
    same_optimizer_and_regularizers: bool

    def explanation(self) -> str:
        """Why this book run was picked, in a clause: "same optimizer and regularizers; 1 setting differs: ..."."""
        same = "same optimizer and regularizers" if self.same_optimizer_and_regularizers else ""
        if not self.differences:
            return "the same settings as yours"
        count = len(self.differences)
        listed = ", ".join(f"{FIELD_NAMES.get(name, name)} {_setting(theirs)} (yours {_setting(yours)})"
                           for name, (theirs, yours) in self.differences.items())
        differ = f"{count} setting{'s differ' if count > 1 else ' differs'}: {listed}"
        return f"{same}; {differ}" if same else differ


def nearest_book_run(run: Run, book_runs: list[Run]) -> NearestRun | None:
    """The book run whose recipe differs from `run`'s in the fewest fields (see RECIPE_FIELDS).

    Ties go to a run with the same optimizer and the same regularizers, then to the first by id.
    None when there is no other run to compare with.
    """
    mine = recipe(run.config)
    candidates = []
    for book in book_runs:
        if book.path == run.path:
            continue
        theirs = recipe(book.config)
        # A setting one of the two does not use is no extra difference: batch norm on or off is one, not two.
        differences = {name: (theirs[name], mine[name]) for name in RECIPE_FIELDS
                       if theirs[name] != mine[name] and None not in (theirs[name], mine[name])}
        same = theirs["optimizer"] == mine["optimizer"] and regularizer_names(theirs) == regularizer_names(mine)
        candidates.append(((len(differences), not same, str(book.path)), NearestRun(book, differences, same)))
    return min(candidates, key=lambda item: item[0])[1] if candidates else None


def _setting(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else str(value)
