"""Your own classes as a program: the page's downloaded set (a zip of class folders of 28 x 28 PNGs) read with
`keras.utils.image_dataset_from_directory`, and LeNet-5 trained on it with the page's form.

Keras splits the set its own way (`validation_split`, by file), not class by class as the app's engine does, so
the program's accuracy varies a little from the app's; the model, its parameters and the recipe are the same.
"""

from __future__ import annotations

from lib.codegen.models import ModelOptions, model_source, summary_source
from lib.codegen.program import Program, literal
from lib.codegen.training import callbacks_cell, learning_rate_of, optimizer_code, rate_lines, schedule_constants
from lib.engine.config import TrainingConfig
from lib.engine.training_data import AUGMENT_ROTATION, AUGMENT_SHIFT, AUGMENT_ZOOM
from lib.i18n import _

SET_FOLDER = "my-classes"  # the page's download is my-classes.zip


def data_cell(config: TrainingConfig, class_names: tuple[str, ...]) -> str:
    lines = [
        _("# Unzip my-classes.zip (the page's download) here: one folder per class."),
        f"DATA_DIR = {literal(SET_FOLDER)}",
        f"CLASS_NAMES = {literal(list(class_names))}",
        f"SEED = {config.seed}",
        f"BATCH_SIZE = {config.batch_size}",
        f"EPOCHS = {config.epochs}",
        f"VALIDATION_SPLIT = {literal(config.validation_fraction)}",
        f"LEARNING_RATE = {literal(learning_rate_of(config))}",
        *schedule_constants(config),
        "",
        _("# Grey 28 x 28 images, labelled by their folder; a share of them held out for validation."),
        "train_data, validation_data = keras.utils.image_dataset_from_directory(",
        '    DATA_DIR, class_names=CLASS_NAMES, color_mode="grayscale", image_size=(28, 28),',
        '    batch_size=BATCH_SIZE, validation_split=VALIDATION_SPLIT, subset="both", seed=SEED)',
        "num_examples = len(train_data.file_paths) + len(validation_data.file_paths)",
        "num_classes = len(train_data.class_names)",
        _("# Pixels scaled to [0, 1], as for MNIST."),
        "train_data = train_data.map(lambda x, y: (x / 255, y))",
        "validation_data = validation_data.map(lambda x, y: (x / 255, y))",
    ]
    if config.augment:
        lines += [
            _("# Small random rotations, shifts and zooms of the training images, new each epoch."),
            "augment = keras.Sequential([",
            f'    layers.RandomRotation({literal(AUGMENT_ROTATION)}, fill_mode="constant"),',
            f'    layers.RandomTranslation({literal(AUGMENT_SHIFT)}, {literal(AUGMENT_SHIFT)}, fill_mode="constant"),',
            f'    layers.RandomZoom({literal(AUGMENT_ZOOM)}, fill_mode="constant"),',
            "])",
            "train_data = train_data.map(lambda x, y: (augment(x, training=True), y))",
        ]
    return "\n".join(lines)


def model_cell(config: TrainingConfig, options: ModelOptions) -> str:
    return "\n".join([
        "keras.utils.set_random_seed(SEED)",
        model_source(options, config.style),
        *rate_lines(config),
        f"optimizer = {optimizer_code(config.optimizer)}",
        'model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])',
    ])


def fit_cell() -> str:
    return "\n".join([
        "history = model.fit(train_data, epochs=EPOCHS, validation_data=validation_data, callbacks=callbacks,",
        "                    verbose=2)",
        "validation_loss, validation_accuracy = model.evaluate(validation_data, verbose=0)",
        'print(f"validation accuracy: {validation_accuracy:.2%}")',
    ])


def own_classes_program(config: TrainingConfig, class_names: tuple[str, ...], num_examples: int) -> Program:
    """The recipe for the page's form on its set of `class_names` (`num_examples` images in all)."""
    options = ModelOptions(config.model, l1=config.l1, l2=config.l2, dropout=config.dropout,
                           batch_norm=config.batch_norm, batch_norm_momentum=config.batch_norm_momentum,
                           num_classes=len(class_names))
    return Program(
        name="own_classes",
        title=_("Train {model} on your own classes").format(
            model="LeNet-5" if config.model == "lenet5" else _("the dense network")),
        cells=("import numpy as np\nimport keras\n"
               "from keras import layers",
               data_cell(config, class_names),
               model_cell(config, options), summary_source(config.style), callbacks_cell(config), fit_cell()),
        checks={"num_classes": len(class_names), "num_examples": num_examples},
    )
