"""Dropout and batch normalization at work inside the cached regularization experiments' LeNet-5s.

Every number comes from the trained Keras layers themselves: dropout's masks
are drawn by the model's own `Dropout` layer called with `training=True`, and
batch norm's three stages are the layer's own outputs. The saved models are
only read: batch norm runs on a copy of its layer, because `training=True`
would otherwise move the model's moving averages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.engine.data import as_model_input
from lib.i18n import _

# The book's runs (lib.runs.store.BOOK_RUNS) whose models the Dropout and batch norm page opens with; the server's
# warm-up (ui/warmup.py) loads the same ones.
DROPOUT_RUN = "dropout"
BATCH_NORM_RUN = "batch norm"
PAGE_RUNS = (DROPOUT_RUN, BATCH_NORM_RUN)


def _output_of(model, layer_name: str, images: np.ndarray) -> np.ndarray:
    """Run the layers up to and including `layer_name` in inference mode."""
    from lib.engine.models import model_layers

    x = as_model_input(images)
    for layer in model_layers(model):
        x = layer(x, training=False)
        if layer.name == layer_name:
            return np.asarray(x)
    raise ValueError(_("The model has no layer {name!r}.").format(name=layer_name))


@dataclass(frozen=True)
class DropoutDraw:
    rate: float
    activations: np.ndarray  # the Dense layer's outputs, (units,): what test time uses, never changing
    output: np.ndarray  # the Dropout layer's output: zeros where dropped, the rest times 1 / (1 - rate)
    dropped: np.ndarray  # bool (units,)

    @property
    def scale(self) -> float:
        return 1.0 / (1.0 - self.rate)


def trained_dropout_rate(model, dropout: str = "dense1_dropout") -> float:
    """The rate the model's `dropout` layer was trained with."""
    return float(_dropout_layer(model, dropout).rate)


def _dropout_layer(model, dropout: str):
    from lib.engine.models import find_layer

    layer = find_layer(model, dropout)
    if type(layer).__name__ != "Dropout":
        raise ValueError(_("Layer {name!r} is a {kind}, not a Dropout layer.").format(name=dropout, kind=type(layer).__name__))
    return layer


def dropout_draw(model, image: np.ndarray, training: bool, dense: str = "dense1",
                 dropout: str = "dense1_dropout", rate: float | None = None) -> DropoutDraw:
    """The activations of `dense` for one image, passed through the model's `dropout` layer.

    With training=True each call draws a fresh mask; with training=False the
    layer passes the activations through unchanged, as at test time. A `rate` other than the trained one
    passes them through a Keras Dropout layer of that rate instead (dropout has no weights: only its mask changes).
    """
    import keras

    layer = _dropout_layer(model, dropout)
    if rate is not None and rate != layer.rate:
        if not 0 <= rate < 1:
            raise ValueError(_("A dropout rate must be at least 0 and below 1; got {rate:g}.").format(rate=rate))
        layer = keras.layers.Dropout(rate)
    activations = _output_of(model, dense, image[np.newaxis])[0]
    # A unit that ReLU already set to zero looks the same dropped or kept, so the layer is fed 1 there: its
    # output then shows Keras's mask for every unit, and those units go back to zero afterwards.
    probe = np.where(activations == 0, 1.0, activations).astype(np.float32)
    passed = np.asarray(layer(probe[np.newaxis], training=training))[0]
    dropped = passed == 0
    output = np.where(activations == 0, 0.0, passed)
    return DropoutDraw(float(layer.rate), activations, output, dropped)


@dataclass(frozen=True)
class BatchNormStages:
    """One feature over a batch: before batch norm, normalized, then scaled by gamma and shifted by beta."""

    before: np.ndarray
    normalized: np.ndarray
    after: np.ndarray
    gamma: float
    beta: float
    moving_mean: float
    moving_variance: float
    gammas: np.ndarray  # the layer's gamma for every feature, (features,)
    betas: np.ndarray  # and its beta

    @property
    def passed_normalized(self) -> float:
        """The share of normalized values the ReLU after batch norm would pass, were gamma 1 and beta 0."""
        return float((self.normalized > 0).mean())

    @property
    def passed_after(self) -> float:
        """The share the ReLU does pass: of the values after gamma and beta."""
        return float((self.after > 0).mean())


def batch_norm_parameters(model, layer_name: str) -> tuple[np.ndarray, np.ndarray]:
    """(gamma, beta) of every feature of the batch norm layer after `layer_name`, as trained."""
    from lib.engine.models import find_layer

    gamma, beta = find_layer(model, f"{layer_name}_bn").get_weights()[:2]
    return gamma, beta


def most_changed_feature(model, layer_name: str) -> int:
    """The feature whose gamma and beta training moved furthest from where they start (1 and 0)."""
    gamma, beta = batch_norm_parameters(model, layer_name)
    return int(np.argmax(np.abs(gamma - 1) + np.abs(beta)))


def batch_norm_stages(model, images: np.ndarray, layer_name: str = "dense1", feature: int = 0) -> BatchNormStages:
    """The pre-activations of `layer_name` (a Conv2D or Dense followed by `<name>_bn`) for one feature (unit or
    channel) over a batch, and what the batch norm layer makes of them in training mode."""
    import keras

    from lib.engine.models import find_layer

    bn = find_layer(model, f"{layer_name}_bn")
    before = _output_of(model, layer_name, images)
    if not 0 <= feature < before.shape[-1]:
        raise ValueError(_("feature must be 0-{last} for {layer}; got {value}.").format(last=before.shape[-1] - 1,
                                                                                   layer=layer_name, value=feature))
    # A copy of the layer, so that training=True cannot move the saved model's moving averages.
    copy = keras.layers.BatchNormalization.from_config(bn.get_config())
    copy.build(before.shape)
    copy.set_weights(bn.get_weights())
    gammas, betas, moving_means, moving_variances = bn.get_weights()
    after = np.asarray(copy(before, training=True))
    normalized = (after - betas) / gammas
    return BatchNormStages(before[..., feature].ravel(), normalized[..., feature].ravel(),
                           after[..., feature].ravel(), float(gammas[feature]), float(betas[feature]),
                           float(moving_means[feature]), float(moving_variances[feature]), gammas, betas)
