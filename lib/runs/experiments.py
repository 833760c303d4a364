"""The book's experiments, re-created into saved_models/ so the app shows them at once.

`python -m lib.runs.experiments NAME` trains every variant of one set and writes a
run folder per variant (the training engine's format) under
saved_models/NAME/, with its exact config in config.json. Sets:

- optimizers: LeNet-5 on all 60,000 images, batch 32, 20 epochs, seed 42, each
  of the book's optimizers (lib.engine.optimizers) at Keras's default rate, plus Adadelta at 1.0;
- regularizers: 200 training images, SGD, batch 32, 300 epochs, validated on
  the test set, with no regularization, L1, L2, dropout, batch norm and the
  combinations the book's notebook meant to compare (with dropout really on);
- baseline: the book's first LeNet-5 run (early stopping, patience 5, up to
  80 epochs) and the chapter-2 dense network (25 epochs);
- shipped: the LeNet-5 the Draw page uses by default.
"""

from __future__ import annotations

import argparse
import sys

from lib.engine.config import TrainingConfig
from lib.engine.optimizers import OPTIMIZERS
from lib.runs.labels import regularization_label
from lib.runs.store import SAVED_MODELS


def _optimizers() -> dict[str, TrainingConfig]:
    common = dict(model="lenet5", batch_size=32, epochs=20, train_samples=60000, seed=42)
    variants = {name: TrainingConfig(optimizer=name, name=f"{name} (Keras default rate)", **common)
                for name in OPTIMIZERS}
    variants["adadelta-lr1"] = TrainingConfig(optimizer="adadelta", learning_rate=1.0, name="adadelta (rate 1.0)",
                                              **common)
    return variants


def _regularizers() -> dict[str, TrainingConfig]:
    common = dict(model="lenet5", optimizer="sgd", batch_size=32, epochs=300, train_samples=200, seed=42)
    options = {
        "none": {},
        "l1": dict(l1=0.01),
        "l2": dict(l2=0.01),
        "dropout": dict(dropout=0.25),
        "batch-norm": dict(batch_norm=True),
        "l1-dropout": dict(l1=0.01, dropout=0.25),
        "l1-batch-norm": dict(l1=0.01, batch_norm=True),
        "l1-dropout-batch-norm": dict(l1=0.01, dropout=0.25, batch_norm=True),
    }
    return {variant: TrainingConfig(name=f"200 samples: {regularization_label(extra)}", **common, **extra)
            for variant, extra in options.items()}


def _baseline() -> dict[str, TrainingConfig]:
    return {
        "lenet5-sgd-early-stopping": TrainingConfig(
            model="lenet5", optimizer="sgd", batch_size=32, epochs=80, train_samples=60000, seed=42,
            early_stopping=True, early_stopping_monitor="val_loss", early_stopping_patience=5,
            name="LeNet-5, SGD, early stopping"),
        "dense-sgd": TrainingConfig(model="dense", optimizer="sgd", batch_size=32, epochs=25, train_samples=60000,
                                    seed=42, name="Dense network (chapter 2), SGD"),
    }


def _shipped() -> dict[str, TrainingConfig]:
    return {"lenet5": TrainingConfig(model="lenet5", optimizer="adam", batch_size=64, epochs=15, train_samples=60000,
                                     seed=42, early_stopping=True, early_stopping_monitor="val_accuracy",
                                     early_stopping_patience=4, reduce_lr_on_plateau=True, reduce_lr_patience=2,
                                     name="Shipped LeNet-5")}


EXPERIMENTS = {"optimizers": _optimizers, "regularizers": _regularizers, "baseline": _baseline, "shipped": _shipped}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.runs.experiments", description=__doc__.split("\n\n")[0])
    parser.add_argument("name", choices=sorted(EXPERIMENTS), help="which set to re-create")
    parser.add_argument("--only", nargs="*", help="train only these variants")
    arguments = parser.parse_args(argv)
    from lib.engine.events import progress_printer
    from lib.engine.training import train

    variants = EXPERIMENTS[arguments.name]()
    chosen = arguments.only or list(variants)
    unknown = sorted(set(chosen) - set(variants))
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)}; {arguments.name} has {', '.join(variants)}")
    for variant in chosen:
        print(f"== {arguments.name}/{variant}", flush=True)
        result = train(variants[variant], out_dir=SAVED_MODELS / arguments.name, run_id=variant, replace=True,
                       on_progress=progress_printer(keras_bar=False))
        if result.status == "failed":
            print(f"{variant} failed: {result.message}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
