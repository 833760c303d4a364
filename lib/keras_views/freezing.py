"""Trainable and non-trainable parameters, and what `layer.trainable = False` does, on real Keras models.

`model.summary()` splits the parameters into trainable ones (what gradients change) and non-trainable ones.
In LeNet-5 with batch norm the non-trainable ones are each batch norm layer's moving mean and moving variance:
they are averaged from the batches during training, never moved by a gradient. Freezing a layer moves its
weights from one count to the other, and a training step then leaves them exactly as they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from lib.i18n import _

FREEZABLE = ("conv1", "conv2", "dense1", "dense2", "output")  # LeNet-5's layers with weights of their own


def _count(weights) -> int:
    return int(sum(np.prod(weight.shape) for weight in weights))


@dataclass(frozen=True)
class ParameterCounts:
    trainable: int
    non_trainable: int
    rows: list[dict]  # one per layer with weights: layer, type, trainable, non-trainable, and the non-trainable names
    summary_line: str  # the "Non-trainable params: ..." line of Keras's own summary

    @property
    def batch_norm_channels(self) -> int:
        """The features all batch norm layers normalize, together (one moving mean and variance each)."""
        return sum(row["features"] for row in self.rows if row["type"] == "BatchNormalization")


def parameter_counts(model) -> ParameterCounts:
    """The model's trainable and non-trainable parameters, layer by layer, and Keras's summary line for them."""
    from lib.engine.models import model_layers

    rows = []
    for layer in model_layers(model):
        if not layer.weights:
            continue
        row = {"layer": layer.name, "type": type(layer).__name__, "trainable": _count(layer.trainable_weights),
               "non-trainable": _count(layer.non_trainable_weights),
               "non-trainable weights": ", ".join(weight.path.split("/")[-1] for weight in layer.non_trainable_weights),
               "features": int(layer.weights[-1].shape[-1])}
        rows.append(row)
    lines: list[str] = []
    model.summary(print_fn=lambda text, line_break=False: lines.append(text))
    found = re.search(r"Non-trainable params: [^\n]*", "\n".join(lines))
    return ParameterCounts(_count(model.trainable_weights), _count(model.non_trainable_weights), rows,
                           found.group(0).strip() if found else "")


@dataclass(frozen=True)
class FreezingResult:
    frozen: str
    before: ParameterCounts  # the fresh model's counts
    after: ParameterCounts  # with the layer frozen
    changes: list[dict]  # one per weight: layer, weight, trainable, largest absolute change in one training step

    def change_of(self, layer: str) -> float:
        """The largest change any weight of `layer` made in the training step."""
        return max(row["change"] for row in self.changes if row["layer"] == layer)


def freezing_experiment(images: np.ndarray, labels: np.ndarray, frozen: str = "conv1", seed: int = 0) -> FreezingResult:
    """A fresh LeNet-5 with batch norm, `frozen` set to trainable = False, then one SGD step on the batch.

    Returns the parameter counts before and after freezing and how far the step moved each weight.
    """
    import keras

    from lib.engine.models import build_model, find_layer

    if frozen not in FREEZABLE:
        raise ValueError(_("Only {layers} can be frozen; got {name!r}.").format(layers=", ".join(FREEZABLE),
                                                                                name=frozen))
    if len(images) != len(labels) or not len(images):
        raise ValueError(_("Give one label per image: {images} images, {labels} labels.").format(
            images=len(images), labels=len(labels)))
    keras.utils.set_random_seed(seed)
    model = build_model("lenet5", "sequential", batch_norm=True, batch_norm_momentum=0.9)
    before = parameter_counts(model)
    find_layer(model, frozen).trainable = False
    after = parameter_counts(model)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy")
    weights = [(layer.name, weight) for layer in model.layers for weight in layer.weights]
    start = [np.array(weight.numpy()) for _name, weight in weights]
    model.fit(np.asarray(images, np.float32)[..., np.newaxis] if np.ndim(images) == 3 else images,
              np.asarray(labels), batch_size=len(images), epochs=1, verbose=0, shuffle=False)
    trainable = {id(weight) for weight in model.trainable_weights}
    changes = [{"layer": name, "weight": weight.path.split("/")[-1], "trainable": id(weight) in trainable,
                "change": float(np.max(np.abs(weight.numpy() - old)))}
               for (name, weight), old in zip(weights, start)]
    return FreezingResult(frozen, before, after, changes)
