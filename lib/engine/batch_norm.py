"""Batch normalization's moving statistics: how fast they forget their start, and when a run was too short for them.

While training, batch normalization normalizes each batch with that batch's own
mean and variance. Evaluation and prediction use moving averages instead,
updated after every step as

    moving = momentum * moving + (1 - momentum) * this batch's statistic

from a start of mean 0 and variance 1. They average over about
1 / (1 - momentum) steps, and after n steps the start still makes up
momentum ** n of them. Keras's 0.99 suits runs of thousands of steps. The
Quick look preset takes 141: trained at 0.99, a quarter of its statistics is
still the start when it is tested, and its test accuracy falls to 26 % while
its training accuracy reads 97 %.

Plain arithmetic on a run's config and history: no TensorFlow here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lib.engine.config import KERAS_BATCH_NORM_MOMENTUM
from lib.i18n import _

# The momenta this module suggests, slowest first. Below 0.9 the statistics follow the noise of the last few
# batches rather than the data.
MOMENTUM_LADDER = (0.99, 0.98, 0.95, 0.9)
# The statistics count as caught up once their start makes up at most this share of them.
FORGOTTEN = 0.01
# A final validation accuracy this far below the final training accuracy asks for an explanation.
LAG_GAP = 0.15


def averaging_steps(momentum: float) -> float:
    """About how many of the latest steps the moving statistics average over."""
    return math.inf if momentum >= 1 else 1 / (1 - momentum)


def start_share(momentum: float, steps: int) -> float:
    """The share of the moving statistics that is still their start (mean 0, variance 1) after `steps` steps."""
    return momentum ** max(int(steps), 0)


def steps_per_epoch(train_samples: int, batch_size: int) -> int:
    return max(1, math.ceil(train_samples / batch_size))


def suggested_momentum(steps_in_first_epoch: int) -> float:
    """The slowest momentum of MOMENTUM_LADDER whose statistics have caught up by the end of the first epoch.

    The first epoch, not the whole run: validation after every epoch uses the
    moving statistics too, so the curves read right from the start. 0.9 when
    none does (a very short epoch).
    """
    for momentum in MOMENTUM_LADDER:
        if start_share(momentum, steps_in_first_epoch) <= FORGOTTEN:
            return momentum
    return MOMENTUM_LADDER[-1]


def share_text(share: float) -> str:
    """A share as a percentage that never reads 0 % while something is left."""
    return f"{share:.1%}" if share >= 0.001 else _("under 0.1 %")


def momentum_note(momentum: float, train_samples: int, batch_size: int, epochs: int) -> str:
    """One or two sentences for the Training form: what this momentum means for a run of this length."""
    per_epoch = steps_per_epoch(train_samples, batch_size)
    total = per_epoch * epochs
    note = _("Momentum {momentum:g} averages the statistics that evaluation uses over about {averaged:.0f} steps; "
             "this run takes {per_epoch:,} steps an epoch, {total:,} in all. Their starting guess still makes up "
             "{first} of them when the first epoch is validated, {last} when the model is tested.").format(
        momentum=momentum, averaged=averaging_steps(momentum), per_epoch=per_epoch, total=total,
        first=share_text(start_share(momentum, per_epoch)), last=share_text(start_share(momentum, total)))
    suggested = suggested_momentum(per_epoch)
    if start_share(momentum, per_epoch) > FORGOTTEN and suggested < momentum:
        note += " " + _("Validation will lag training until they catch up: {suggested:g} would suit this run.").format(
            suggested=suggested)
    return note


@dataclass(frozen=True)
class BatchNormLag:
    """A finished batch-norm run whose validation lags its training because the moving statistics had not caught up."""

    momentum: float
    steps_per_epoch: int
    steps: int
    start_share: float  # of the moving statistics, when the run was tested
    accuracy: float
    val_accuracy: float
    suggested_momentum: float

    def explanation(self) -> str:
        return _("Training accuracy reached {accuracy:.1%} but validation only {val_accuracy:.1%}. With batch "
                 "normalization that is usually not overfitting: evaluation normalizes with moving averages of the "
                 "batch statistics, and at momentum {momentum:g} they average over about {averaged:.0f} steps. This "
                 "run took {steps:,} steps, so their starting guess (mean 0, variance 1) still made up {share} of "
                 "them when the model was evaluated: the moving statistics had not caught up. A lower momentum lets "
                 "them: {suggested:g} suits this run's {per_epoch:,} steps an epoch.").format(
            accuracy=self.accuracy, val_accuracy=self.val_accuracy, momentum=self.momentum,
            averaged=averaging_steps(self.momentum), steps=self.steps, share=share_text(self.start_share),
            suggested=self.suggested_momentum, per_epoch=self.steps_per_epoch)


def diagnose_lag(config: dict, history: list[dict]) -> BatchNormLag | None:
    """The moving-statistics explanation of a run's train/validation gap, or None when it does not apply.

    `config` is a run's config.json as read back. Runs written before the
    batch_norm_momentum field existed were trained at Keras's 0.99, which is
    what a missing value means here. It applies when batch normalization was
    on, the last epoch's validation accuracy is more than LAG_GAP below its
    training accuracy, the statistics had not caught up by the end
    (start_share > FORGOTTEN) and a lower momentum is there to suggest.
    """
    if not config.get("batch_norm") or not history:
        return None
    last = history[-1]
    if "accuracy" not in last or "val_accuracy" not in last:
        return None
    try:  # a config read from disk may hold anything: then there is nothing to say
        accuracy, val_accuracy = float(last["accuracy"]), float(last["val_accuracy"])
        momentum = float(config.get("batch_norm_momentum", KERAS_BATCH_NORM_MOMENTUM))
        per_epoch = steps_per_epoch(int(config.get("train_samples", 60000)), max(1, int(config.get("batch_size", 32))))
    except (TypeError, ValueError):
        return None
    if accuracy - val_accuracy <= LAG_GAP or not 0 <= momentum < 1:
        return None
    steps = per_epoch * len(history)
    share = start_share(momentum, steps)
    suggested = suggested_momentum(per_epoch)
    if share <= FORGOTTEN or suggested >= momentum:
        return None
    return BatchNormLag(momentum, per_epoch, steps, share, accuracy, val_accuracy, suggested)
