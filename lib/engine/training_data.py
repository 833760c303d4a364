"""The images a training run learns from, and the `tf.data` pipeline that feeds them to `fit`.

`load_dataset` gives MNIST cut to the config's number of training samples (validated on its test set, as the book
does) or a data set of one's own split into training and validation parts; `image_dataset` batches the uint8
images inside the graph (shuffled anew each epoch, cast there; the model's Rescaling layer scales), so no float32
copy of a data set is ever made, and with augmentation jitters each training chunk with Keras's preprocessing
layers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.engine.config import TrainingConfig
from lib.engine.data import load_mnist
from lib.engine.data_record import set_digest
from lib.engine.run_files import DIGIT_CLASS_NAMES

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
