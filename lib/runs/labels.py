"""What a run is called, in the reader's language: its recipe in a few words, the book's runs' names, the
words of its regularizers, and the names of the classes its model tells apart.

The names stay English where they are written (lib.runs.experiments writes the book runs' names into their
config.json, lib.runs.recipes compares them); they are translated here, where a label is made for a reader.
"""

from __future__ import annotations

import math
import re

from lib.engine.config import KERAS_DEFAULT_LEARNING_RATES
from lib.engine.run_files import CLASS_NAMES_KEY, DIGIT_CLASS_NAMES
from lib.i18n import N_, _, ngettext

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

