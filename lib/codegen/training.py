"""The Train page's recipe: a TrainingConfig written out as the Keras program that trains it.

Data loading (MNIST's first `train_samples` images, validated on its test set as the book does), the model in the
config's style with its regularizers (lib.codegen.models, in the engine's layer order), `compile` with the
config's optimizer, rate and schedule, the callbacks it asks for, `fit` and `evaluate`. Seeded and shuffled as
lib.engine.training seeds and shuffles (`keras.utils.set_random_seed`, then the model; a `tf.data` shuffle over
the whole training slice with the same seed), so its first epoch is the engine's first epoch.
"""

from __future__ import annotations

import textwrap

from lib.codegen.models import ModelOptions, model_source, summary_source
from lib.codegen.program import Program, literal
from lib.engine.config import TrainingConfig
from lib.engine.optimizers import KERAS_DEFAULT_LEARNING_RATES, optimizer
from lib.i18n import _


def optimizer_code(name: str, rate: str = "learning_rate") -> str:
    """The Keras expression that builds optimizer `name` as the engine does (its entry in lib.engine.optimizers)
    with the learning rate held in the variable `rate`: one source for the Train recipe and the Optimizers page's
    path."""
    return optimizer(name).code(rate)


STRATEGIES = {"mirrored": "tf.distribute.MirroredStrategy()",
              "multiworker": "tf.distribute.MultiWorkerMirroredStrategy()"}


def learning_rate_of(config: TrainingConfig) -> float:
    """The rate the engine trains with: the config's, or Keras's default for its optimizer."""
    return KERAS_DEFAULT_LEARNING_RATES[config.optimizer] if config.learning_rate is None else config.learning_rate


def imports_cell() -> str:
    return "import os\n\nimport numpy as np\nimport tensorflow as tf\nimport keras\nfrom keras import layers"


def constants_cell(config: TrainingConfig) -> str:
    lines = [_("# The settings of the Training form."),
             f"SEED = {config.seed}",
             f"TRAIN_SAMPLES = {config.train_samples}",
             f"BATCH_SIZE = {config.batch_size}",
             f"EPOCHS = {config.epochs}",
             f"LEARNING_RATE = {literal(learning_rate_of(config))}",
             *schedule_constants(config)]
    return "\n".join(lines)


def schedule_constants(config: TrainingConfig) -> list[str]:
    """The constants the config's learning-rate schedule reads."""
    lines = []
    if config.lr_schedule in ("step", "exponential"):
        lines.append(f"SCHEDULE_FACTOR = {literal(config.lr_schedule_factor)}")
    if config.lr_schedule == "step":
        lines.append(f"SCHEDULE_EVERY = {config.lr_schedule_every}")
    if config.lr_schedule == "cosine":
        lines.append(f"WARMUP_EPOCHS = {literal(config.warmup_epochs)}")
    return lines


def mnist_cell() -> str:
    return "\n".join([
        _("# MNIST: read from the file MNIST_PATH names when it is set, downloaded by Keras otherwise."),
        'if os.environ.get("MNIST_PATH"):',
        '    with np.load(os.environ["MNIST_PATH"]) as mnist:',
        '        x_train, y_train = mnist["x_train"], mnist["y_train"]',
        '        x_test, y_test = mnist["x_test"], mnist["y_test"]',
        "else:",
        "    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()",
        _("# The first TRAIN_SAMPLES training images; pixels scaled to [0, 1], a channel axis added."),
        'x_train = x_train[:TRAIN_SAMPLES, ..., np.newaxis].astype("float32") / 255',
        "y_train = y_train[:TRAIN_SAMPLES]",
        'x_test = x_test[..., np.newaxis].astype("float32") / 255',
        _("# Shuffled anew every epoch, the same way for the same seed."),
        "train_data = (tf.data.Dataset.from_tensor_slices((x_train, y_train))",
        "              .shuffle(len(x_train), seed=SEED).batch(BATCH_SIZE))",
    ])


def rate_lines(config: TrainingConfig) -> list[str]:
    """`learning_rate`: a number, or the cosine schedule with its warm-up, as the engine builds it."""
    scaled = config.scale_learning_rate and config.strategy != "default"
    base = "LEARNING_RATE * strategy.num_replicas_in_sync" if scaled else "LEARNING_RATE"
    lines = [_("# The learning rate times the number of replicas (one per GPU or worker)."),
             f"learning_rate = {base}"] if scaled else [f"learning_rate = {base}"]
    if config.lr_schedule != "cosine":
        return lines
    return lines + [
        _("# Cosine decay, every batch: a linear warm-up from 0, then down to 0 along a cosine."),
        "steps_per_epoch = len(train_data)",
        "total_steps = EPOCHS * steps_per_epoch",
        "warmup_steps = min(round(WARMUP_EPOCHS * steps_per_epoch), total_steps - 1)",
        "learning_rate = keras.optimizers.schedules.CosineDecay(",
        "    initial_learning_rate=0.0 if warmup_steps else learning_rate, decay_steps=total_steps - warmup_steps,",
        "    warmup_target=learning_rate if warmup_steps else None, warmup_steps=warmup_steps)",
    ]


def model_cell(config: TrainingConfig, options: ModelOptions) -> str:
    """Seed, model, optimizer and compile; inside the strategy's scope when the config names one."""
    body = "\n".join([
        _("# The same seed gives the same starting weights."),
        "keras.utils.set_random_seed(SEED)",
        model_source(options, config.style),
        *rate_lines(config),
        f"optimizer = {optimizer_code(config.optimizer)}",
        'model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])',
    ])
    if config.strategy == "default":
        return body
    head = [_("# Build and compile the model inside the strategy's scope.")]
    if config.strategy == "multiworker":
        head.append(_("# Each machine sets TF_CONFIG first: the cluster's addresses and its own index."))
    head += [f"strategy = {STRATEGIES[config.strategy]}",
             'print("replicas:", strategy.num_replicas_in_sync)', "with strategy.scope():"]
    return "\n".join(head) + "\n" + textwrap.indent(body, "    ")


def callbacks_cell(config: TrainingConfig) -> str:
    lines = [_("# history.csv and TensorBoard logs, as every run of the app keeps them."),
             "callbacks = [",
             '    keras.callbacks.CSVLogger("history.csv"),',
             '    keras.callbacks.TensorBoard(log_dir="logs"),',
             "]"]
    if config.lr_schedule == "step":
        lines += [_("# Step decay: multiply the rate by SCHEDULE_FACTOR every SCHEDULE_EVERY epochs."),
                  "callbacks.append(keras.callbacks.LearningRateScheduler(",
                  "    lambda epoch, rate: rate * SCHEDULE_FACTOR if epoch > 0 and epoch % SCHEDULE_EVERY == 0 "
                  "else rate))"]
    if config.lr_schedule == "exponential":
        lines += [_("# Exponential decay: multiply the rate by SCHEDULE_FACTOR every epoch."),
                  "callbacks.append(keras.callbacks.LearningRateScheduler(",
                  "    lambda epoch, rate: rate * SCHEDULE_FACTOR if epoch > 0 else rate))"]
    if config.early_stopping:
        lines += ["callbacks.append(keras.callbacks.EarlyStopping(",
                  f"    monitor={literal(config.early_stopping_monitor)}, patience={config.early_stopping_patience},"
                  f" restore_best_weights={config.early_stopping_restore_best}))"]
    if config.reduce_lr_on_plateau:
        lines += ["callbacks.append(keras.callbacks.ReduceLROnPlateau(",
                  f'    monitor="val_loss", factor={literal(config.reduce_lr_factor)}, '
                  f"patience={config.reduce_lr_patience}))"]
    return "\n".join(lines)


def fit_cell() -> str:
    return "\n".join([
        _("# MNIST's test set validates after each epoch, as in the book."),
        "history = model.fit(train_data, epochs=EPOCHS, validation_data=(x_test, y_test), callbacks=callbacks,",
        "                    verbose=2)",
        'first_epoch_loss = history.history["loss"][0]',
        "test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)",
        'print(f"first epoch loss: {first_epoch_loss:.4f}")',
        'print(f"test accuracy: {test_accuracy:.2%}")',
    ])


def training_program(config: TrainingConfig) -> Program:
    """The whole recipe for `config` (trained on MNIST)."""
    options = ModelOptions(config.model, l1=config.l1, l2=config.l2, dropout=config.dropout,
                           batch_norm=config.batch_norm, batch_norm_momentum=config.batch_norm_momentum)
    return Program(
        name=f"train_{config.model}_{config.style}",
        title=_("Train {model} on MNIST, as the Training form is set").format(
            model="LeNet-5" if config.model == "lenet5" else _("the dense network")),
        cells=(imports_cell(), constants_cell(config), mnist_cell(), model_cell(config, options),
               summary_source(config.style), callbacks_cell(config), fit_cell()),
        checks={"SEED": config.seed, "TRAIN_SAMPLES": config.train_samples, "BATCH_SIZE": config.batch_size,
                "EPOCHS": config.epochs, "LEARNING_RATE": learning_rate_of(config)},
    )
