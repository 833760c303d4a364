"""About how long the command line takes to train a config: what the Own classes page says before a run starts.

The constants are fitted to benchmarks/bench_own_classes.py's measurements (`speed` and `judge`).
"""

from __future__ import annotations

from lib.engine.config import TrainingConfig

# The cost of training on 2 quiet CPU cores (benchmarks/bench_own_classes.py: `speed`, 4 classes x 60 images for 40
# epochs at batch 16, and `judge`, 100 epochs at batch 8, fitted): the command line's start (TensorFlow's import,
# reading the data, building and tracing the model, saving the run); each epoch's fixed cost (validation,
# callbacks, the run's files), which augmentation raises by one call of its layers; and each training image's.
# Larger batches (MNIST's presets) cost less per image than these small ones.
START_SECONDS = 5.0
EPOCH_SECONDS = 0.03
AUGMENT_EPOCH_SECONDS = 0.05
IMAGE_SECONDS = {"lenet5": 0.00025, "dense": 0.00014}
AUGMENT_IMAGE_SECONDS = 0.00002


def estimated_seconds(config: TrainingConfig, n_examples: int | None = None) -> float:
    """About how long `python -m lib.cli` takes to train `config`, from its start to a written run, on a quiet
    machine like the one measured: on `n_examples` images of one's own (its validation share held out), or on
    MNIST's train_samples when the config trains on MNIST and no count is given."""
    count = config.train_samples if n_examples is None else round(n_examples * (1 - config.validation_fraction))
    per_epoch = EPOCH_SECONDS + count * IMAGE_SECONDS.get(config.model, IMAGE_SECONDS["lenet5"])
    if config.augment:
        per_epoch += AUGMENT_EPOCH_SECONDS + count * AUGMENT_IMAGE_SECONDS
    return START_SECONDS + config.epochs * per_epoch
