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
from lib.engine.events import EndEvent, EvaluateEvent, Event, StartEvent
from lib.engine.run_files import CONFIG_FILE, LAYERS_FILE, METRICS_FILE, RunBuilder, make_run_id

ProgressCallback = Callable[[Event], None]
# Images per graph call: enough to make steps_per_execution worth it (64 batches of 32), few enough that
# a Stop request, checked between calls, takes effect in a fraction of a second even on a slow core.
IMAGES_PER_EXECUTION = 2048

ADADELTA_NOTE = ("Keras's Adadelta defaults to a learning rate of 0.001 and barely learns with it; "
                 "its documentation notes that 1.0 matches the original paper.")


@dataclass
class Dataset:
    """Training and validation arrays: raw uint8 images (n, 28, 28) and integer labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


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
    """MNIST cut to the config's number of training samples; the test set validates, as in the book."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    return Dataset(x_train[: config.train_samples], y_train[: config.train_samples], x_test, y_test)


def steps_per_execution(batch_size: int) -> int:
    return max(1, IMAGES_PER_EXECUTION // batch_size)


def build_compiled_model(config: TrainingConfig, strategy, batches_per_epoch: int):
    """Model and optimizer built and compiled in the strategy's scope, as tf.distribute requires."""
    import keras

    from lib.engine.models import build_model

    rate = config.learning_rate if config.learning_rate is not None else KERAS_DEFAULT_LEARNING_RATES[config.optimizer]
    if config.scale_learning_rate and strategy.num_replicas_in_sync > 1:
        rate *= strategy.num_replicas_in_sync
    with strategy.scope():
        model = build_model(config.model, config.style, l1=config.l1, l2=config.l2, dropout=config.dropout,
                            batch_norm=config.batch_norm, batch_norm_momentum=config.batch_norm_momentum)
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


def image_dataset(images: np.ndarray, labels: np.ndarray, batch_size: int, shuffle_seed: int | None = None):
    """Batches of (float32 images (n, 28, 28, 1), labels) made inside the graph from the arrays as they are."""
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
    return (dataset.batch(batch_size)
            .map(lambda x, y: (tf.cast(x, tf.float32)[..., tf.newaxis], y), num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(2).with_options(options))


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

    x_train, y_train = data.x_train[: config.train_samples], data.y_train[: config.train_samples]
    try:
        if config.strategy == "multiworker":
            custom_fit(model, strategy, as_model_input(x_train), y_train, as_model_input(data.x_val), data.y_val,
                       config.batch_size, config.epochs, callbacks, config.seed)
        else:
            model.fit(image_dataset(x_train, y_train, config.batch_size, shuffle_seed=config.seed),
                      epochs=config.epochs, validation_data=image_dataset(data.x_val, data.y_val, 1024),
                      callbacks=callbacks, verbose=verbose, shuffle=False)  # the dataset shuffles itself
    except Exception as error:  # Anything TensorFlow raises mid-training is reported in the run.
        return f"Training failed: {type(error).__name__}: {error}"
    return None


def _outcome(config, progress, early_stopping, error_message) -> tuple[str, str]:
    """The run's status and the sentence that explains it."""
    if progress.nan_at is not None:
        epoch, batch = progress.nan_at
        return "failed", (f"The loss became NaN at epoch {epoch}, batch {batch}: training diverged. "
                          "Try a lower learning rate.")
    if error_message:
        return "failed", error_message
    if progress.stopped_by_user:
        return "stopped", f"Stopped by request after {len(progress.rows)} epoch(s)."
    if early_stopping is not None and early_stopping.stopped_epoch > 0:
        return "finished", (f"Early stopping ended training after epoch {early_stopping.stopped_epoch + 1}: "
                            f"{config.early_stopping_monitor} had not improved for "
                            f"{config.early_stopping_patience} epochs.")
    return "finished", f"Trained {len(progress.rows)} epoch(s)."


def _train_into(builder, config, data, on_progress, stop_event, strategy, chief, replace, verbose) -> TrainingResult:
    import keras

    from lib.engine.callbacks import Progress
    from lib.engine.evaluation import evaluation_metrics
    from lib.engine.models import summary_rows

    if config.train_samples > len(data.x_train):
        raise ValueError(f"train_samples: {config.train_samples} asked for, but only {len(data.x_train)} are available")
    keras.utils.set_random_seed(config.seed)
    batches = math.ceil(config.train_samples / config.batch_size)
    model = build_compiled_model(config, strategy, batches)
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
    if status != "failed":
        on_progress(EvaluateEvent())
        metrics.update(evaluation_metrics(model, data.x_val, data.y_val))
        if chief:
            model.save(builder.model_path)
            builder.write_json(LAYERS_FILE, {"layers": summary_rows(model)})
    if not chief:
        builder.discard()
        on_progress(EndEvent(status, f"{message} (this worker writes no run: the chief does)", ""))
        return TrainingResult(None, status, message, metrics, progress.rows)
    path = _write_run(builder, config, metrics, replace)
    on_progress(EndEvent(status, message, str(path)))
    return TrainingResult(path, status, message, metrics, progress.rows)


def _write_run(builder: RunBuilder, config: TrainingConfig, metrics: dict, replace: bool) -> Path:
    """history.csv is already there (CSVLogger wrote it epoch by epoch); add the rest and publish."""
    if not builder.history_path.exists():  # no epoch ended at all
        builder.write_history([])
    builder.write_json(CONFIG_FILE, config.to_dict())
    builder.write_json(METRICS_FILE, metrics)
    return builder.publish(replace=replace)
