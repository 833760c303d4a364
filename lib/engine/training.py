"""The training engine: the book's recipe, as keras-io's mnist_convnet.py writes it, wrapped for the app.

`train(config, out_dir)` reads as the recipe does: the data (lib.engine.training_data), the model and its
optimizer compiled together (`build_compiled_model`: lib.engine.models and the optimizer registry,
lib.engine.optimizers), `fit` with the callbacks the config asks for, `evaluate`, and the run written (a folder
published in one rename by lib.engine.run_files). Around the recipe the engine adds what an app needs: progress
reported through `on_progress` as the typed events of lib.engine.events, a stop request honoured between graph
calls, a tf.distribute strategy, and the memory handed back afterwards. The Training page reaches it through the
command line, in a child process (lib.server.process_runner); it never imports Streamlit.

`steps_per_execution` runs many batches per graph call, as many as keep a Stop request answered in well under
half a second.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import math
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lib.engine.config import TrainingConfig
from lib.engine.data import as_model_input
from lib.engine.data_record import EVALUATION_FILE, evaluation_bytes
from lib.engine.events import DIVERGED, EARLY_STOPPED, STOPPED, TRAINED, EndEvent, EvaluateEvent, Event, StartEvent
from lib.engine.optimizers import KERAS_DEFAULT_LEARNING_RATES, batch_schedule, build_optimizer, schedule_function
from lib.engine.run_files import CLASS_NAMES_KEY, DIGIT_CLASS_NAMES, LAYERS_FILE, RunBuilder, make_run_id, write_run
from lib.engine.training_data import Dataset, image_dataset, load_dataset, training_count

ProgressCallback = Callable[[Event], None]
# Images per graph call: enough to make steps_per_execution worth it (64 batches of 32), few enough that
# a Stop request, checked between calls, takes effect in a fraction of a second even on a slow core.
IMAGES_PER_EXECUTION = 2048


@dataclass
class TrainingResult:
    path: Path | None  # None on a worker that is not the chief
    status: str  # "finished", "stopped" or "failed"
    message: str
    metrics: dict
    history: list[dict]


def steps_per_execution(batch_size: int) -> int:
    return max(1, IMAGES_PER_EXECUTION // batch_size)


def build_compiled_model(config: TrainingConfig, strategy, batches_per_epoch: int, num_classes: int = 10):
    """Model and optimizer built and compiled in the strategy's scope, as tf.distribute requires."""
    from lib.engine.models import build_model

    rate = config.learning_rate if config.learning_rate is not None else KERAS_DEFAULT_LEARNING_RATES[config.optimizer]
    if config.scale_learning_rate and strategy.num_replicas_in_sync > 1:
        rate *= strategy.num_replicas_in_sync
    with strategy.scope():
        model = build_model(config.model, config.style, l1=config.l1, l2=config.l2, dropout=config.dropout,
                            batch_norm=config.batch_norm, batch_norm_momentum=config.batch_norm_momentum,
                            num_classes=num_classes, dropout_at=config.dropout_at)
        optimizer = build_optimizer(config.optimizer, batch_schedule(config, rate, batches_per_epoch))
        # Several batches per graph call on one device; MirroredStrategy's multi-step function fails on the
        # epoch's last, partial call (TensorFlow 2.21), so replicas take one batch per call.
        per_call = steps_per_execution(config.batch_size) if strategy.num_replicas_in_sync == 1 else 1
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      steps_per_execution=per_call)
    return model


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
    # A worker other than the chief builds its copy of the run in a folder of its own, removed when it ends.
    scratch = None if chief else Path(tempfile.mkdtemp(prefix="cnn-lab-worker-"))
    builder = RunBuilder(scratch or root, run_id or make_run_id(config.name))
    try:
        return _train_into(builder, config, data or load_dataset(config), on_progress, stop_event, strategy, chief,
                           replace, verbose)
    except BaseException:
        builder.discard()
        raise
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
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
    """The recipe: seed, build and compile, fit with the callbacks, evaluate, save the model, write the run."""
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
    path = write_run(builder, config.to_dict(), metrics, replace, list(data.class_names) if own_classes else None,
                     {"data": data.data_digest, "test_data": data.test_digest})
    on_progress(EndEvent(status, message, str(path)))
    return TrainingResult(path, status, message, metrics, progress.rows)


