"""The run format's schema: what config.json and metrics.json may hold, checked before a run is trusted.

A run written by this app always passes; a run zip someone uploads may hold anything JSON can: a name that is
a list, a learning rate of "fast", a 5,000-digit number, 100,000 nested brackets. `parse_run_json` reads a
file's text with those refused, and `check_run_files` checks both files' values, key by key, against
TrainingConfig's own field specs (lib.engine.config: the same ranges the form and the CLI use) and the
metrics the training engine writes (lib.engine.training). Each refusal is one line naming the file, the key and
what it must be. Keys this version does not know are left alone: nothing reads them; nor are class names,
which lib.runs.labels.class_names_of reads as the ten digits when they are unusable.
"""

from __future__ import annotations

import json
import math

from lib.engine.config import FIELDS, check_field
from lib.engine.run_files import CONFIG_FILE, METRICS_FILE
from lib.i18n import _

MAX_CLASSES = 50  # lib.engine.image_sets trains on at most this many
STATUSES = ("finished", "stopped", "failed")


class RunSchemaError(ValueError):
    """A run file's value is not what the run format allows; the message is one line naming it."""


def parse_run_json(text: str | bytes, file: str):
    """A run file's JSON; RunSchemaError for text that is not JSON, nests absurdly deep or holds a number too
    long to read (Python refuses integers of more than 4,300 digits)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise RunSchemaError(_("{file} nests too deeply to be a run's file.").format(file=file)) from None
    except (ValueError, UnicodeDecodeError) as error:  # json.JSONDecodeError is a ValueError, as is a huge number
        raise RunSchemaError(_("{file} is not readable JSON ({error}).").format(
            file=file, error=str(error).splitlines()[0][:120])) from None


def _number(value, whole: bool = False) -> bool:
    return (not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
            and value >= 0 and (not whole or value == int(value)))


def _confusion_matrix(value) -> bool:
    return (isinstance(value, list) and 2 <= len(value) <= max(MAX_CLASSES, 10)
            and all(isinstance(row, list) and len(row) == len(value) and all(_number(cell, whole=True) for cell in row)
                    for row in value))


def _text(value) -> bool:
    return isinstance(value, str) and len(value) <= 2000


# metrics.json: each key the app reads, what it must be (None is allowed for every one: "not measured"), and
# that in words.
METRICS = {
    "status": (lambda value: value in STATUSES, lambda: _("one of {choices}").format(choices=", ".join(STATUSES))),
    "message": (_text, lambda: _("text")),
    "test_accuracy": (lambda value: _number(value) and value <= 1, lambda: _("a number from 0 to 1")),
    "test_loss": (_number, lambda: _("a number of at least 0")),
    "wall_seconds": (_number, lambda: _("a number of at least 0")),
    "parameters": (lambda value: _number(value, whole=True), lambda: _("a whole number of at least 0")),
    "epochs_completed": (lambda value: _number(value, whole=True), lambda: _("a whole number of at least 0")),
    "early_stopped_epoch": (lambda value: _number(value, whole=True), lambda: _("a whole number of at least 0")),
    "replicas": (lambda value: _number(value, whole=True), lambda: _("a whole number of at least 0")),
    "train_examples": (lambda value: _number(value, whole=True), lambda: _("a whole number of at least 0")),
    "validation_examples": (lambda value: _number(value, whole=True), lambda: _("a whole number of at least 0")),
    "strategy": (_text, lambda: _("text")),
    "keras_version": (_text, lambda: _("text")),
    "tested_on": (_text, lambda: _("text")),
    "data_notes": (lambda value: isinstance(value, list) and all(map(_text, value)), lambda: _("a list of texts")),
    "confusion_matrix": (_confusion_matrix, lambda: _("a square table of whole numbers, one row per class")),
}


def check_run_files(config, metrics) -> None:
    """RunSchemaError, one line, unless config.json and metrics.json hold objects whose values the run format
    allows; missing keys are fine (older runs, a CSV's run)."""
    for file, record in ((CONFIG_FILE, config), (METRICS_FILE, metrics)):
        if not isinstance(record, dict):
            raise RunSchemaError(_("{file} must hold an object.").format(file=file))
    for key, value in config.items():
        if key in FIELDS:
            try:
                check_field(FIELDS[key], value)
            except ValueError as error:
                raise RunSchemaError(f"{CONFIG_FILE}: {str(error)[:300]}") from None
    for key, value in metrics.items():
        if key in METRICS and value is not None and not METRICS[key][0](value):
            raise RunSchemaError(_("{file}: {key} must be {allowed}.").format(
                file=METRICS_FILE, key=key, allowed=METRICS[key][1]()))
