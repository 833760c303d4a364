"""The training engine: one function that the command line, the experiments and tests call.

`train(config, out_dir)` builds the model and optimizer the config names, fits
it with the callbacks it asks for, reports progress through `on_progress` as
the typed events of lib.engine.events, honours a stop request, and writes a
complete run folder under `out_dir` (through lib.engine.run_files). The
Training page reaches it through the command line, in a child process
(lib.server.process_runner). It never imports Streamlit; the caller decides how
to show progress.

It is fast and light with what Keras offers: `fit` reads a `tf.data` pipeline
over the uint8 images (shuffled anew each epoch, cast inside the graph; the
model's Rescaling layer scales), so no float32 copy of the data set is ever
made, and `steps_per_execution` runs many batches per graph call, as many as
keep a Stop request answered in well under half a second.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import math
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib.engine.config import KERAS_DEFAULT_LEARNING_RATES, TrainingConfig
from lib.engine.data import as_model_input, load_mnist
from lib.engine.data_record import EVALUATION_FILE, evaluation_bytes, public_config, set_digest
from lib.engine.events import DIVERGED, EARLY_STOPPED, STOPPED, TRAINED, EndEvent, EvaluateEvent, Event, StartEvent
from lib.engine.run_files import (
    CLASS_NAMES_KEY,
    CONFIG_FILE,
    DIGIT_CLASS_NAMES,
    LAYERS_FILE,
    METRICS_FILE,
    RunBuilder,
    make_run_id,
)
from lib.i18n import N_

ProgressCallback = Callable[[Event], None]
# Images per graph call: enough to make steps_per_execution worth it (64 batches of 32), few enough that
# a Stop request, checked between calls, takes effect in a fraction of a second even on a slow core.
IMAGES_PER_EXECUTION = 2048

# Marked for the catalog; the pages translate it where they show it (the CLI prints it in English).
ADADELTA_NOTE = N_("Keras's Adadelta defaults to a learning rate of 0.001 and barely learns with it; "
                   "its documentation notes that 1.0 matches the original paper.")


# Augmentation of the training batches (config.augment): small, so a shape stays the shape it was. Rotations are a
# fraction of a full turn (0.05: up to 18 degrees either way), shifts and zooms a fraction of the 28 px side.
AUGMENT_ROTATION, AUGMENT_SHIFT, AUGMENT_ZOOM = 0.05, 0.1, 0.1
AUGMENT_CHUNK = 512


@dataclass
class Dataset:
    """Training and validation arrays: raw uint8 images (n, 28, 28) and integer labels.

    MNIST validates on its test set, as the book does, and so tests on it too; a data set of one's own validates
    on a held-out split and tests on its test_data when it has one (x_test, y_test; None: the validation part).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    class_names: tuple[str, ...] = DIGIT_CLASS_NAMES
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    notes: tuple[str, ...] = ()  # what reading a data set of one's own skipped
    # What config.json records for `data` and `test_data` of a set of one's own: their content digests
    # (lib.engine.data_record), never where they were read from.
    data_digest: str = ""
    test_digest: str = ""

    @property
    def test_images(self) -> tuple[np.ndarray, np.ndarray]:
        """The images and labels test_accuracy is measured on."""
        return (self.x_val, self.y_val) if self.x_test is None else (self.x_test, self.y_test)


@dataclass
class TrainingResult:
    path: Path | None  # None on a worker that is not the chief
    status: str  # "finished", "stopped" or "failed"
    message: str
    metrics: dict
    history: list[dict]


def build_optimizer(name: str, learning_rate: float | None = None):
    """The book's seven optimizers, with Keras's default learning rate unless one is given."""
    import keras

    rate = {} if learning_rate is None else {"learning_rate": learning_rate}
    builders = {
        "sgd": lambda: keras.optimizers.SGD(**rate),
        "momentum": lambda: keras.optimizers.SGD(momentum=0.9, **rate),
        "nag": lambda: keras.optimizers.SGD(momentum=0.9, nesterov=True, **rate),
        "adagrad": lambda: keras.optimizers.Adagrad(**rate),
        "adadelta": lambda: keras.optimizers.Adadelta(**rate),
        "rmsprop": lambda: keras.optimizers.RMSprop(**rate),
        "adam": lambda: keras.optimizers.Adam(**rate),
    }
    if name not in builders:
        raise ValueError(f"optimizer: must be one of {', '.join(builders)}; got {name!r}")
    return builders[name]()


def schedule_function(config: TrainingConfig):
    """The per-epoch schedule for LearningRateScheduler, or None (none, or cosine, which works per batch)."""
    factor, every = config.lr_schedule_factor, config.lr_schedule_every
    if config.lr_schedule == "step":
        return lambda epoch, rate: rate * factor if epoch > 0 and epoch % every == 0 else rate
    if config.lr_schedule == "exponential":
        return lambda epoch, rate: rate * factor if epoch > 0 else rate
    return None


def load_dataset(config: TrainingConfig) -> Dataset:
    """MNIST cut to the config's number of training samples, the test set validating as in the book; or, when
    the config names a data set of its own, that set (see `own_dataset`)."""
    if config.data:
        return own_dataset(config)
    (x_train, y_train), (x_test, y_test) = load_mnist()
    return Dataset(x_train[: config.train_samples], y_train[: config.train_samples], x_test, y_test)


def own_dataset(config: TrainingConfig) -> Dataset:
    """The config's own data set split into training and validation parts (stratified), and its test set.

    Raises lib.engine.image_sets.ImageSetError, one line, for a set that cannot be trained on.
    """
    from lib.engine.image_sets import ImageSetError, load_image_set, matching_test_set, split_image_set
    from lib.i18n import _

    image_set = load_image_set(config.data, config.preparation)
    for name, count in image_set.counts().items():
        if count < 2:
            raise ImageSetError(_("The class {name!r} has only one example; training needs at least two of each "
                                  "class, as one is held out for validation.").format(name=name))
    train_part, validation = split_image_set(image_set, config.validation_fraction, config.seed)
    test = matching_test_set(load_image_set(config.test_data, config.preparation), image_set.class_names) if config.test_data else None
    notes = image_set.notes + (() if test is None else tuple(_("Test data: {note}").format(note=note)
                                                               for note in test.notes))
    return Dataset(train_part.images, train_part.labels, validation.images, validation.labels, image_set.class_names,
                   None if test is None else test.images, None if test is None else test.labels, notes,
                   set_digest(image_set.images, image_set.labels, image_set.class_names),
                   "" if test is None else set_digest(test.images, test.labels, test.class_names))


def training_count(config: TrainingConfig, data: Dataset) -> int:
    """How many training images `fit` sees an epoch: MNIST's train_samples; all of a data set of one's own."""
    return len(data.x_train) if config.data else config.train_samples


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


def steps_per_execution(batch_size: int) -> int:
    return max(1, IMAGES_PER_EXECUTION // batch_size)


def build_compiled_model(config: TrainingConfig, strategy, batches_per_epoch: int, num_classes: int = 10):
    """Model and optimizer built and compiled in the strategy's scope, as tf.distribute requires."""
    import keras

    from lib.engine.models import build_model

    rate = config.learning_rate if config.learning_rate is not None else KERAS_DEFAULT_LEARNING_RATES[config.optimizer]
    if config.scale_learning_rate and strategy.num_replicas_in_sync > 1:
        rate *= strategy.num_replicas_in_sync
    with strategy.scope():
        model = build_model(config.model, config.style, l1=config.l1, l2=config.l2, dropout=config.dropout,
                            batch_norm=config.batch_norm, batch_norm_momentum=config.batch_norm_momentum,
                            num_classes=num_classes, dropout_at=config.dropout_at)
        if config.lr_schedule == "cosine":
            total = batches_per_epoch * config.epochs
            warmup = min(round(config.warmup_epochs * batches_per_epoch), total - 1)
            rate = keras.optimizers.schedules.CosineDecay(0.0 if warmup else rate, decay_steps=total - warmup,
                                                          warmup_target=rate if warmup else None, warmup_steps=warmup)
        optimizer = build_optimizer(config.optimizer, rate)
        # Several batches per graph call on one device; MirroredStrategy's multi-step function fails on the
        # epoch's last, partial call (TensorFlow 2.21), so replicas take one batch per call.
        per_call = steps_per_execution(config.batch_size) if strategy.num_replicas_in_sync == 1 else 1
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      steps_per_execution=per_call)
    return model


def augmentation(seed: int):
    """Keras's preprocessing layers that jitter training images a little: rotation, shift, zoom, black fill.

    Applied to the training batches in the input pipeline, never inside the model: the saved model holds only
    the network, whose layers the Draw and Receptive fields pages read one by one.
    """
    import keras
    from keras import layers

    fill = {"fill_mode": "constant", "fill_value": 0.0}
    return keras.Sequential([
        layers.RandomRotation(AUGMENT_ROTATION, seed=seed, **fill),
        layers.RandomTranslation(AUGMENT_SHIFT, AUGMENT_SHIFT, seed=seed + 1, **fill),
        layers.RandomZoom(AUGMENT_ZOOM, seed=seed + 2, **fill),
    ], name="augmentation")


def image_dataset(images: np.ndarray, labels: np.ndarray, batch_size: int, shuffle_seed: int | None = None,
                  augment_seed: int | None = None):
    """Batches of (float32 images (n, 28, 28, 1), labels) made inside the graph from the arrays as they are;
    with `augment_seed`, jittered anew each epoch by `augmentation`."""
    import tensorflow as tf

    from lib.engine.resources import usable_cpus

    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(images), seed=shuffle_seed, reshuffle_each_iteration=True)
    # tf.data's own threads, like TensorFlow's pools, no more than the cores this process may use: every
    # extra runnable thread takes CPU time from the app's server on a one-core machine.
    options = tf.data.Options()
    options.threading.private_threadpool_size = usable_cpus()
    options.threading.max_intra_op_parallelism = 1
    def as_float(x, y):
        return tf.cast(x, tf.float32)[..., tf.newaxis], y

    if augment_seed is None:
        dataset = dataset.batch(batch_size).map(as_float, num_parallel_calls=tf.data.AUTOTUNE)
    else:
        # Keras's layers cost about as much per call as per image, so they jitter whole chunks (a small data set's
        # epoch in one call, each image its own way), which are then cut into the training batches.
        jitter = augmentation(augment_seed)
        dataset = (dataset.batch(AUGMENT_CHUNK).map(as_float).map(lambda x, y: (jitter(x, training=True), y))
                   .unbatch().batch(batch_size))
    return dataset.prefetch(2).with_options(options)


def train(config: TrainingConfig, out_dir: Path, data: Dataset | None = None,
          on_progress: ProgressCallback | None = None, stop_event: threading.Event | None = None,
          run_id: str | None = None, replace: bool = False, verbose: int = 0) -> TrainingResult:
    """Train as `config` says and write a run folder under `out_dir` (the CLI's --out, or the app's runs folder).

    With `replace`, a run of the same id already there is swapped out for the
    new one. In a multi-worker run only the chief writes a run; the other
    workers train in step with it and leave nothing behind. `verbose` is
    passed to Keras's `fit` (1: its progress bar).
    """
    from lib.engine.distribute import is_chief, make_strategy

    config.validate()
    on_progress = on_progress or (lambda event: None)
    # The strategy comes first: MultiWorkerMirroredStrategy must exist before any other TensorFlow work.
    strategy = make_strategy(config.strategy, config.devices)
    chief = is_chief(strategy)
    root = Path(out_dir)
    # Fail on an unwritable folder before spending any time on training.
    if data is None and config.data:
        data = load_dataset(config)  # a data set of one's own is checked before anything is written
    builder = RunBuilder(root if chief else Path(tempfile.mkdtemp(prefix="cnn-lab-worker-")),
                         run_id or make_run_id(config.name))
    try:
        return _train_into(builder, config, data or load_dataset(config), on_progress, stop_event, strategy, chief,
                           replace, verbose)
    except BaseException:
        builder.discard()
        raise
    finally:
        release_memory()


def release_memory() -> None:
    """Hand freed memory back to the system: glibc keeps what TensorFlow freed in its arenas otherwise."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _training_callbacks(config: TrainingConfig, builder: RunBuilder, progress) -> tuple[list, object]:
    """The callbacks the config asks for, then the engine's own; and the EarlyStopping one, if any."""
    import keras

    from lib.engine.callbacks import EpochColumns

    callbacks, early_stopping = [], None
    if (schedule := schedule_function(config)) is not None:
        callbacks.append(keras.callbacks.LearningRateScheduler(schedule))
    if config.early_stopping:
        early_stopping = keras.callbacks.EarlyStopping(
            monitor=config.early_stopping_monitor, patience=config.early_stopping_patience,
            restore_best_weights=config.early_stopping_restore_best)
        callbacks.append(early_stopping)
    if config.reduce_lr_on_plateau:
        callbacks.append(keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=config.reduce_lr_factor, patience=config.reduce_lr_patience))
    # EpochColumns fills in learning_rate and seconds before CSVLogger writes the epoch's line.
    callbacks += [EpochColumns(), keras.callbacks.CSVLogger(str(builder.history_path)),
                  keras.callbacks.TensorBoard(log_dir=str(builder.tensorboard_dir), write_graph=False,
                                              update_freq="epoch", profile_batch=0),
                  progress]
    return callbacks, early_stopping


def _fit(model, config, strategy, data: Dataset, callbacks, verbose: int) -> str | None:
    """Run the training; return an error message if TensorFlow raised one mid-way."""
    from lib.engine.distribute import custom_fit

    count = training_count(config, data)
    x_train, y_train = data.x_train[:count], data.y_train[:count]
    try:
        if config.strategy == "multiworker":
            custom_fit(model, strategy, as_model_input(x_train), y_train, as_model_input(data.x_val), data.y_val,
                       config.batch_size, config.epochs, callbacks, config.seed)
        else:
            model.fit(image_dataset(x_train, y_train, config.batch_size, shuffle_seed=config.seed,
                                    augment_seed=config.seed if config.augment else None),
                      epochs=config.epochs, validation_data=image_dataset(data.x_val, data.y_val, 1024),
                      callbacks=callbacks, verbose=verbose, shuffle=False)  # the dataset shuffles itself
    except Exception as error:  # Anything TensorFlow raises mid-training is reported in the run.
        return f"Training failed: {type(error).__name__}: {error}"
    return None


def _outcome(config, progress, early_stopping, error_message) -> tuple[str, str]:
    """The run's status and the sentence that explains it."""
    if progress.nan_at is not None:
        epoch, batch = progress.nan_at
        return "failed", DIVERGED.format(epoch=epoch, batch=batch)
    if error_message:
        return "failed", error_message
    if progress.stopped_by_user:
        return "stopped", STOPPED.format(epochs=len(progress.rows))
    if early_stopping is not None and early_stopping.stopped_epoch > 0:
        return "finished", EARLY_STOPPED.format(epoch=early_stopping.stopped_epoch + 1,
                                                monitor=config.early_stopping_monitor,
                                                patience=config.early_stopping_patience)
    return "finished", TRAINED.format(epochs=len(progress.rows))


def _train_into(builder, config, data, on_progress, stop_event, strategy, chief, replace, verbose) -> TrainingResult:
    import keras

    from lib.engine.callbacks import Progress
    from lib.engine.evaluation import evaluation_metrics
    from lib.engine.models import summary_rows

    count = training_count(config, data)
    if count > len(data.x_train):
        raise ValueError(f"train_samples: {config.train_samples} asked for, but only {len(data.x_train)} are available")
    keras.utils.set_random_seed(config.seed)
    batches = math.ceil(count / config.batch_size)
    model = build_compiled_model(config, strategy, batches, len(data.class_names))
    progress = Progress(config.epochs, batches, on_progress, stop_event)
    callbacks, early_stopping = _training_callbacks(config, builder, progress)

    on_progress(StartEvent(builder.run_id, config.epochs, batches, model.count_params(), config.strategy,
                           strategy.num_replicas_in_sync))
    started = time.perf_counter()
    error_message = _fit(model, config, strategy, data, callbacks, verbose)
    wall = time.perf_counter() - started
    status, message = _outcome(config, progress, early_stopping, error_message)
    metrics = {"status": status, "message": message, "parameters": int(model.count_params()),
               "wall_seconds": round(wall, 2), "epochs_completed": len(progress.rows),
               "early_stopped_epoch": (early_stopping.stopped_epoch + 1) if early_stopping and early_stopping.stopped_epoch else None,
               "strategy": config.strategy, "replicas": strategy.num_replicas_in_sync,
               "keras_version": keras.__version__}
    own_classes = bool(config.data) or tuple(data.class_names) != DIGIT_CLASS_NAMES
    if own_classes:
        metrics.update({CLASS_NAMES_KEY: list(data.class_names), "train_examples": count,
                        "validation_examples": len(data.y_val), "tested_on": "test_data" if data.x_test is not None
                        else "validation", "data_notes": list(data.notes)})
    if status != "failed":
        on_progress(EvaluateEvent())
        metrics.update(evaluation_metrics(model, *data.test_images, classes=len(data.class_names)))
        if chief:
            model.save(builder.model_path)
            builder.write_json(LAYERS_FILE, {"layers": summary_rows(model)})
    if not chief:
        builder.discard()
        on_progress(EndEvent(status, f"{message} (this worker writes no run: the chief does)", ""))
        return TrainingResult(None, status, message, metrics, progress.rows)
    if own_classes and chief:
        (builder.staging / EVALUATION_FILE).write_bytes(evaluation_bytes(*data.test_images))
    path = _write_run(builder, config, metrics, replace, list(data.class_names) if own_classes else None,
                      {"data": data.data_digest, "test_data": data.test_digest})
    on_progress(EndEvent(status, message, str(path)))
    return TrainingResult(path, status, message, metrics, progress.rows)


def _write_run(builder: RunBuilder, config: TrainingConfig, metrics: dict, replace: bool,
               class_names: list[str] | None = None, digests: dict | None = None) -> Path:
    """history.csv is already there (CSVLogger wrote it epoch by epoch); add the rest and publish.

    A run on classes of its own records their names beside the config (an MNIST run's config stays as it was),
    and its data sets as content digests, never as the paths they were read from: a run may be shared, and the
    app's sets live in a folder named after their owner's workspace token (lib.engine.data_record).
    """
    if not builder.history_path.exists():  # no epoch ended at all
        builder.write_history([])
    recorded = {name: (digests or {}).get(name) or value for name, value in config.to_dict().items()
                if name in ("data", "test_data") and value}
    builder.write_json(CONFIG_FILE, public_config(config.to_dict() | recorded)
                       | ({CLASS_NAMES_KEY: class_names} if class_names else {}))
    builder.write_json(METRICS_FILE, metrics)
    return builder.publish(replace=replace)
