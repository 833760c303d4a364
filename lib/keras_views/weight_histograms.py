"""What L1 and L2 do to the weights, and where early stopping stopped, read from the cached book runs.

The regularization experiments (saved_models/regularizers) trained the same LeNet-5 on the same 200 images
without regularization, with L1 and with L2 (0.01 each). Their kernels are compared here on common bins; the
book's first LeNet-5 run (saved_models/baseline) trained with early stopping, whose validation curve shows
where it stopped and which epoch it kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib.i18n import N_, _
from lib.runs.store import SAVED_MODELS

# The cached runs compared, in the order shown; their names are translated where shown.
REGULARIZER_RUNS = {"none": N_("no regularization"), "l1": "L1", "l2": "L2"}
EARLY_STOPPING_RUN = ("baseline", "lenet5-sgd-early-stopping")
NEAR_ZERO = 1e-3  # |w| below this counts as "at zero": a hundredth of the plain run's typical weight
LIMIT, BINS = 0.3, 61  # the histograms' common bins over [-LIMIT, LIMIT]


def regularizer_run_path(variant: str, root: Path = SAVED_MODELS) -> Path:
    if variant not in REGULARIZER_RUNS:
        raise ValueError(_("No regularization run named {name!r}; there are {names}.").format(
            name=variant, names=", ".join(REGULARIZER_RUNS)))
    return root / "regularizers" / variant


def early_stopping_run_path(root: Path = SAVED_MODELS) -> Path:
    return root.joinpath(*EARLY_STOPPING_RUN)


def kernel_weights(model) -> np.ndarray:
    """Every kernel weight of the model's Conv2D and Dense layers, flattened (the weights L1 and L2 act on)."""
    from lib.engine.models import model_layers

    kernels = [np.asarray(layer.kernel).ravel() for layer in model_layers(model) if hasattr(layer, "kernel")]
    if not kernels:
        raise ValueError(_("The model has no Conv2D or Dense kernel."))
    return np.concatenate(kernels)


@dataclass(frozen=True)
class WeightSpread:
    share_near_zero: float  # |w| < NEAR_ZERO
    mean_abs: float
    counts: np.ndarray  # on the common edges


@dataclass(frozen=True)
class WeightComparison:
    edges: np.ndarray
    runs: dict[str, WeightSpread]
    weights: int  # kernel weights per model

    @property
    def most_near_zero(self) -> str:
        return max(self.runs, key=lambda name: self.runs[name].share_near_zero)

    @property
    def smallest_mean_abs(self) -> str:
        return min(self.runs, key=lambda name: self.runs[name].mean_abs)


def compare_weights(weights: dict[str, np.ndarray], limit: float = LIMIT, bins: int = BINS) -> WeightComparison:
    """Each run's share of weights near zero, mean |w| and histogram on one set of bins over [-limit, limit]
    (weights outside it are counted in the outermost bins, so every weight is in a bar)."""
    sizes = {values.size for values in weights.values()}
    if len(sizes) != 1:
        raise ValueError(_("The runs have different numbers of weights ({sizes}); compare the same network.").format(
            sizes=", ".join(map(str, sorted(sizes)))))
    edges = np.linspace(-limit, limit, bins + 1)
    runs = {name: WeightSpread(float((np.abs(values) < NEAR_ZERO).mean()), float(np.abs(values).mean()),
                               np.histogram(np.clip(np.asarray(values, np.float64), -limit, limit), edges)[0])
            for name, values in weights.items()}
    return WeightComparison(edges, runs, sizes.pop())


@dataclass(frozen=True)
class EarlyStop:
    monitor: str
    patience: int
    epochs_allowed: int
    values: list[float]  # the monitored value, epoch 1 first
    best_epoch: int  # 1-based: the epoch whose weights restore_best_weights keeps
    stopped_epoch: int  # the last epoch trained
    restored_best: bool  # whether the saved model holds the best epoch's weights (restore_best_weights)

    @property
    def waited(self) -> int:
        """Epochs trained after the best one, without improvement."""
        return self.stopped_epoch - self.best_epoch


def early_stop(config: dict, history: list[dict]) -> EarlyStop:
    """Where a run with early stopping stopped, from its config and its history rows."""
    if not config.get("early_stopping"):
        raise ValueError(_("This run did not use early stopping."))
    monitor = config.get("early_stopping_monitor", "val_loss")
    values = [float(row[monitor]) for row in history if row.get(monitor) is not None]
    if not values:
        raise ValueError(_("The run's history has no {monitor} column.").format(monitor=monitor))
    best = int(np.argmax(values) if "accuracy" in monitor else np.argmin(values))
    return EarlyStop(monitor, int(config.get("early_stopping_patience", 0)), int(config.get("epochs", len(values))),
                     values, best + 1, len(values), bool(config.get("early_stopping_restore_best", True)))
