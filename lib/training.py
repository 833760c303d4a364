"""The training engine: one function that the page, the CLI, the experiments and tests call.

`train(config)` builds the model and optimizer the config names, fits it with
the callbacks it asks for, reports progress through `on_progress`, honours a
stop request within one batch, and writes a complete run folder (see
lib.runs). It never imports Streamlit; the caller decides how to show progress.
"""

from __future__ import annotations

import functools
import math
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lib.config import OPTIMIZERS, TrainingConfig
from lib.data import as_model_input, load_mnist
from lib.runs import RunBuilder, make_run_id, runs_dir

ProgressCallback = Callable[[dict], None]

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


@functools.cache
def default_learning_rates() -> dict[str, float]:
    """Each optimizer's default learning rate, read from Keras itself."""
    # Keras keeps the rate as a float32 variable: 0.01 reads back as 0.009999999776.
    return {name: float(f"{float(build_optimizer(name).learning_rate):.6g}") for name in OPTIMIZERS}


def schedule_function(config: TrainingConfig):
    """The learning-rate schedule for LearningRateScheduler, or None."""
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


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, classes: int = 10) -> list[list[int]]:
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (labels.astype(int), predictions.astype(int)), 1)
    return matrix.tolist()


def _make_progress_callback(config, batches, on_progress, stop_event):
    import keras

    class Progress(keras.callbacks.Callback):
        """Reports each batch and epoch, stops on request or on a NaN loss."""

        def __init__(self):
            super().__init__()
            self.rows, self.stopped_by_user, self.nan_at = [], False, None

        def _rate(self):
            return float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch_start, self.epoch_rate = time.perf_counter(), self._rate()

        def on_train_batch_end(self, batch, logs=None):
            logs = logs or {}
            loss = float(logs.get("loss", 0.0))
            if not math.isfinite(loss):
                self.nan_at = (len(self.rows) + 1, batch + 1)
                self.model.stop_training = True
            if stop_event is not None and stop_event.is_set():
                self.stopped_by_user = True
                self.model.stop_training = True
            on_progress({"type": "batch", "epoch": len(self.rows) + 1, "batch": batch + 1, "batches": batches,
                         "loss": loss, "accuracy": float(logs.get("accuracy", 0.0))})

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            row = {"epoch": epoch + 1, "learning_rate": self.epoch_rate,
                   "seconds": round(time.perf_counter() - self.epoch_start, 3)}
            for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
                if key in logs:
                    row[key] = float(logs[key])
            self.rows.append(row)
            if not math.isfinite(row.get("loss", 0.0)) and self.nan_at is None:
                self.nan_at = (epoch + 1, batches)
                self.model.stop_training = True
            on_progress({"type": "epoch", "row": row, "epochs": config.epochs})

    return Progress()


def train(config: TrainingConfig, data: Dataset | None = None, out_dir: Path | None = None,
          on_progress: ProgressCallback | None = None, stop_event: threading.Event | None = None,
          run_id: str | None = None, replace: bool = False) -> TrainingResult:
    """Train as `config` says and write a run folder under `out_dir` (default: runs_dir()).

    With `replace`, a run of the same id already there is swapped out for the
    new one. In a multi-worker run only the chief writes a run; the other
    workers train in step with it and leave nothing behind.
    """
    from lib.distribute import is_chief, make_strategy

    config.validate()
    on_progress = on_progress or (lambda event: None)
    # The strategy comes first: MultiWorkerMirroredStrategy must exist before any other TensorFlow work.
    strategy = make_strategy(config.strategy, config.devices)
    chief = is_chief(strategy)
    root = Path(out_dir) if out_dir is not None else runs_dir()
    # Fail on an unwritable folder before spending any time on training.
    builder = RunBuilder(root if chief else Path(tempfile.mkdtemp(prefix="cnn-lab-worker-")),
                         run_id or make_run_id(config.name))
    try:
        return _train_into(builder, config, data, on_progress, stop_event, strategy, chief, replace)
    except BaseException:
        builder.discard()
        raise


def _compiled_model(config: TrainingConfig, strategy):
    """Model and optimizer built and compiled in the strategy's scope, as tf.distribute requires."""
    from lib.models import build_model

    with strategy.scope():
        model = build_model(config.model, config.style, l1=config.l1, l2=config.l2, dropout=config.dropout,
                            batch_norm=config.batch_norm)
        optimizer = build_optimizer(config.optimizer, config.learning_rate)
        if config.scale_learning_rate and strategy.num_replicas_in_sync > 1:
            rate = float(optimizer.learning_rate) * strategy.num_replicas_in_sync
            optimizer = build_optimizer(config.optimizer, rate)
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _train_into(builder, config, data, on_progress, stop_event, strategy, chief, replace) -> TrainingResult:
    import keras

    from lib.distribute import custom_fit, evaluate_local

    data = data or load_dataset(config)
    if config.train_samples > len(data.x_train):
        raise ValueError(f"train_samples: {config.train_samples} asked for, but only {len(data.x_train)} are available")
    x_train = as_model_input(data.x_train[: config.train_samples])
    y_train = data.y_train[: config.train_samples]
    x_val, y_val = as_model_input(data.x_val), data.y_val

    keras.utils.set_random_seed(config.seed)
    model = _compiled_model(config, strategy)
    replicas = strategy.num_replicas_in_sync

    batches = math.ceil(len(x_train) / config.batch_size)
    progress = _make_progress_callback(config, batches, on_progress, stop_event)
    callbacks = []
    if (schedule := schedule_function(config)) is not None:
        callbacks.append(keras.callbacks.LearningRateScheduler(schedule))
    early_stopping = None
    if config.early_stopping:
        early_stopping = keras.callbacks.EarlyStopping(
            monitor=config.early_stopping_monitor, patience=config.early_stopping_patience,
            restore_best_weights=config.early_stopping_restore_best)
        callbacks.append(early_stopping)
    if config.reduce_lr_on_plateau:
        callbacks.append(keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=config.reduce_lr_factor, patience=config.reduce_lr_patience))
    callbacks.append(keras.callbacks.TensorBoard(log_dir=str(builder.tensorboard_dir), write_graph=False,
                                                 update_freq="epoch", profile_batch=0))
    callbacks.append(progress)

    on_progress({"type": "start", "run_id": builder.run_id, "epochs": config.epochs, "batches": batches,
                 "parameters": model.count_params(), "strategy": config.strategy, "replicas": replicas})
    started = time.perf_counter()
    error_message = None
    try:
        if config.strategy == "multiworker":
            custom_fit(model, strategy, x_train, y_train, x_val, y_val, config.batch_size, config.epochs,
                       callbacks, config.seed)
        else:
            model.fit(x_train, y_train, batch_size=config.batch_size, epochs=config.epochs,
                      validation_data=(x_val, y_val), validation_batch_size=1024, callbacks=callbacks, verbose=0,
                      shuffle=True)
    except Exception as error:  # Anything TensorFlow raises mid-training is reported in the run.
        error_message = f"Training failed: {type(error).__name__}: {error}"
    wall = time.perf_counter() - started

    if progress.nan_at is not None:
        epoch, batch = progress.nan_at
        status, message = "failed", (f"The loss became NaN at epoch {epoch}, batch {batch}: training diverged. "
                                     "Try a lower learning rate.")
    elif error_message:
        status, message = "failed", error_message
    elif progress.stopped_by_user:
        status, message = "stopped", f"Stopped by request after {len(progress.rows)} complete epoch(s)."
    elif early_stopping is not None and early_stopping.stopped_epoch > 0:
        status, message = "finished", (f"Early stopping ended training after epoch {early_stopping.stopped_epoch + 1}: "
                                       f"{config.early_stopping_monitor} had not improved for "
                                       f"{config.early_stopping_patience} epochs.")
    else:
        status, message = "finished", f"Trained {len(progress.rows)} epoch(s)."

    metrics = {"status": status, "message": message, "parameters": int(model.count_params()),
               "wall_seconds": round(wall, 2), "epochs_completed": len(progress.rows),
               "early_stopped_epoch": (early_stopping.stopped_epoch + 1) if early_stopping and early_stopping.stopped_epoch else None,
               "strategy": config.strategy, "replicas": replicas, "keras_version": keras.__version__}
    if status != "failed":
        on_progress({"type": "evaluate"})
        loss, accuracy, probabilities = evaluate_local(model, x_val, y_val)
        metrics.update(test_loss=float(loss), test_accuracy=float(accuracy),
                       confusion_matrix=confusion_matrix(y_val, probabilities.argmax(axis=1)))
        if chief:
            model.save(builder.staging / "model.keras")
    if not chief:
        builder.discard()
        on_progress({"type": "end", "status": status, "message": f"{message} (this worker writes no run: the chief does)",
                     "path": ""})
        return TrainingResult(None, status, message, metrics, progress.rows)
    builder.write_json("config.json", config.to_dict())
    builder.write_history(progress.rows)
    builder.write_json("metrics.json", metrics)
    path = builder.publish(replace=replace)
    on_progress({"type": "end", "status": status, "message": message, "path": str(path)})
    return TrainingResult(path, status, message, metrics, progress.rows)
