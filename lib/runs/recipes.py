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
from lib.i18n import N_, _, ngettext
from lib.runs.labels import regularizer_names
from lib.runs.store import Run

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
# How a field is named to people, in a sentence or over a column (translated where it is shown, see
# `setting_name`); a field not here (l1, l2) is named by its id.
FIELD_NAMES = {"model": N_("model"), "optimizer": N_("optimizer"), "learning_rate": N_("learning rate"),
               "batch_size": N_("batch size"), "epochs": N_("epochs"), "train_samples": N_("training images"),
               "dropout": N_("dropout"), "batch_norm": N_("batch norm"),
               "batch_norm_momentum": N_("batch-norm momentum"), "early_stopping": N_("early stopping"),
               "reduce_lr_on_plateau": N_("reduce-on-plateau"), "lr_schedule": N_("schedule"),
               "style": N_("Keras style"), "data": N_("training data"), "test_data": N_("test data"),
               "class_names": N_("classes"),
               "validation_fraction": N_("validation fraction"), "augment": N_("augmentation"),
               "preparation": N_("image preparation"),
               "early_stopping_monitor": N_("early-stopping monitor"),
               "early_stopping_patience": N_("early-stopping patience"),
               "early_stopping_restore_best": N_("restore best weights"),
               "reduce_lr_factor": N_("reduce-on-plateau factor"), "reduce_lr_patience": N_("reduce-on-plateau patience"),
               "lr_schedule_factor": N_("schedule factor"), "lr_schedule_every": N_("schedule step (epochs)"),
               "warmup_epochs": N_("warm-up epochs"), "strategy": N_("distribution strategy"),
               "devices": N_("devices"), "scale_learning_rate": N_("learning rate × replicas"), "seed": N_("seed")}


def setting_name(name: str) -> str:
    """A config field as people read it, in their language: "learning rate" for learning_rate."""
    return _(FIELD_NAMES[name]) if name in FIELD_NAMES else name


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
        if not self.differences:
            return _("the same settings as yours")
        count = len(self.differences)
        listed = ", ".join(_("{setting} {theirs} (yours {yours})").format(
            setting=setting_name(name), theirs=_setting(theirs),
            yours=_setting(yours)) for name, (theirs, yours) in self.differences.items())
        differ = ngettext("{count} setting differs: {listed}", "{count} settings differ: {listed}", count).format(
            count=count, listed=listed)
        if self.same_optimizer_and_regularizers:
            return _("same optimizer and regularizers; {differences}").format(differences=differ)
        return differ


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
        return _("on") if value else _("off")
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else str(value)
