"""Loading trained models once and reading digits (or a run's own classes) with them, safely from many sessions.

`Classifier` wraps a saved model with a compiled, warmed-up `tf.function` for
prediction: `model.predict` is slow for one image and not meant to be called
from several threads at once, while a traced function is both fast and safe.
It also exposes what the Draw page shows inside the network, and the names of
its classes, read from the run folder beside the model (the digits when it
records none).
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import numpy as np

from lib.engine.data import as_model_input
from lib.i18n import N_, _
from lib.runs.store import SHIPPED_MODEL, read_class_names

FEATURE_LAYERS = ("conv1", "pool1", "conv2", "pool2")
# The sets of the book's runs (folders of saved_models/) as the model lists name them.
GROUP_NAMES = {"optimizers": N_("optimizers"), "regularizers": N_("regularizers"), "baseline": N_("baseline"),
               "shipped": N_("shipped")}


class Classifier:
    def __init__(self, path: str | Path):
        import keras
        import tensorflow as tf

        from lib.engine.models import model_layers

        self.path = Path(path)
        self.model = keras.saving.load_model(self.path)  # safe_mode stays on
        self.layers = model_layers(self.model)
        names = [layer.name for layer in self.layers]
        # After a batch-normalized conv the activation is its own layer; show what follows the ReLU.
        self.feature_names = [f"{name}_relu" if f"{name}_relu" in names else name
                              for name in FEATURE_LAYERS if name in names]
        inputs = keras.Input(shape=(28, 28, 1))
        x, outputs = inputs, {}
        for layer in self.layers:  # re-wire the same layers (same weights) to expose inner outputs
            x = layer(x)
            outputs[layer.name] = x
        self._inside = keras.Model(inputs, [outputs.get("output", x),
                                            *(outputs[name] for name in self.feature_names)])
        signature = [tf.TensorSpec((None, 28, 28, 1), tf.float32)]
        self._probabilities = tf.function(lambda batch: self.model(batch, training=False), input_signature=signature)
        self._inside_fn = tf.function(lambda batch: self._inside(batch, training=False), input_signature=signature)
        self._lock = threading.Lock()
        self.num_classes = int(self._inside.outputs[0].shape[-1])
        names = read_class_names(self.path.parent)
        # A run that records no names (or names that do not fit its model) reads its outputs by number.
        self.class_names = names if len(names) == self.num_classes else tuple(str(i) for i in range(self.num_classes))
        self.predict_proba(np.zeros((1, 28, 28), np.uint8))  # trace once now, not on a user's first drawing
        self._inside_fn(as_model_input(np.zeros((1, 28, 28), np.uint8)))

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities for raw 0-255 images (28, 28) or (n, 28, 28)."""
        return self._probabilities(as_model_input(images)).numpy()

    def predict_batches(self, images: np.ndarray, batch_size: int = 2000) -> np.ndarray:
        return np.concatenate([self.predict_proba(images[i: i + batch_size]) for i in range(0, len(images), batch_size)])

    def feature_maps(self, image: np.ndarray) -> dict[str, np.ndarray]:
        """Activations (h, w, channels) of the conv and pooling layers for one image."""
        results = self._inside_fn(as_model_input(image))
        return {name: tensor.numpy()[0] for name, tensor in zip(self.feature_names, results[1:])}

    def first_kernels(self) -> np.ndarray | None:
        """The learned kernels of the first conv layer, (kh, kw, filters), or None for a dense network."""
        for layer in self.layers:
            if layer.name == "conv1":
                return layer.get_weights()[0][:, :, 0, :]
        return None


def model_label(run) -> str:
    """How a run's model is named in the app's lists, in the reader's language."""
    if run.source == "experiment":
        group = run.path.parent.name
        group = _(GROUP_NAMES[group]) if group in GROUP_NAMES else group
        return run.label if run.model_path == SHIPPED_MODEL else _("{group}: {run}").format(group=group, run=run.label)
    if run.source == "user":
        return _("my runs: {run}").format(run=run.label)
    return _("shared: {run}").format(run=run.label)


def unique_labels(labels: list[str], run_ids: list[str]) -> list[str]:
    """The labels made unique for a list: a repeated one gets its run's id, and any still repeated a counter.

    Runs are named by their learners, so two of one workspace, or two students' shared runs, may share a name.
    """
    repeated = Counter(labels)
    named = [f"{label} ({run_id})" if repeated[label] > 1 else label for label, run_id in zip(labels, run_ids)]
    taken, unique = set(named), []
    seen = Counter()
    for label in named:
        seen[label] += 1
        candidate, count = label, seen[label]
        while count > 1 and candidate in taken:
            candidate, count = f"{label} #{count}", count + 1
        taken.add(candidate)
        unique.append(candidate)
    return unique


def available_models(token: str | None = None) -> tuple[list[tuple[str, Path]], list[str]]:
    """(label, model path) of every trained model the app can read with: the shipped one first, then the
    cached experiments, this workspace's runs and the runs shared on this server; and a note for each run
    that could not be read. Labels are unique (see `unique_labels`); failed runs are left out."""
    from lib.runs.store import experiment_runs
    from lib.runs.workspaces import shared_runs, workspace_runs

    runs, notes = experiment_runs()
    if token:
        for found_runs, found_notes in (workspace_runs(token), shared_runs(exclude=token)):
            runs, notes = runs + found_runs, notes + found_notes
    usable = [run for run in runs if run.model_path.is_file() and not run.failed]
    usable.sort(key=lambda run: run.model_path != SHIPPED_MODEL)
    labels = unique_labels([model_label(run) for run in usable], [run.run_id for run in usable])
    return [(label, run.model_path) for label, run in zip(labels, usable)], notes
