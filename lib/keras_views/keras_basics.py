"""The computations behind the Keras basics page (chapter 2): nothing on it is typed in.

The models the page shows are lib.codegen's programs, run as shown (lib.codegen.keras_basics); losses,
parameter arithmetic and histograms are computed here from real arrays and real Keras objects.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from lib.engine.data import as_model_input
from lib.i18n import N_, _

BOOK_Y_TRUE = [1, 2]
BOOK_Y_PRED = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]
# The book's accuracy example: one of three predictions is wrong, so the metric reads 2/3.
BOOK_METRIC_TRUE = [1, 0, 1]
BOOK_METRIC_PRED = [1, 0, 0]
# A row of typed probabilities counts as a distribution when its sum is this close to 1 (three decimals typed).
ROW_SUM_TOLERANCE = 1e-3
# The two cross-entropies agree to float32 rounding on distributions; farther apart than this, they differ.
LOSS_TOLERANCE = 1e-5


def normalization_histograms(images: np.ndarray, bins: int = 32) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Pixel histograms of raw images, scaled to [0, 1] and to [-1, 1]: (counts, bin edges) each.

    The names are English, marked for the catalog: the page translates them where it shows them."""
    raw = images.astype(np.float64).ravel()
    versions = {N_("raw 0-255"): raw, N_("scaled to [0, 1]"): raw / 255.0, N_("scaled to [-1, 1]"): raw / 127.5 - 1.0}
    return {name: np.histogram(values, bins=bins) for name, values in versions.items()}


def parameter_arithmetic(model) -> list[dict]:
    """Per layer with weights: the count spelled out (inputs x units + biases = total), from the real layer.

    A layer whose weights are not a kernel and biases gets a `note` naming them (English, marked for the
    catalog: the page translates it, as these rows are cached for every visitor)."""
    from lib.engine.models import model_layers

    rows = []
    for layer in model_layers(model):
        weights = layer.get_weights()
        if not weights:
            continue
        kernel = weights[0]
        biases = weights[1].size if len(weights) > 1 and layer.__class__.__name__ in ("Dense", "Conv2D") else 0
        note = ""
        if layer.__class__.__name__ == "Dense":
            formula = f"{kernel.shape[0]:,} x {kernel.shape[1]:,} + {biases:,}"
        elif layer.__class__.__name__ == "Conv2D":
            kh, kw, channels, filters = kernel.shape
            formula = f"{kh} x {kw} x {channels} x {filters} + {biases}"
        else:
            formula = " + ".join(f"{w.size}" for w in weights)
            note = N_("scale, offset, moving mean, moving variance")
        rows.append({"layer": layer.name, "type": layer.__class__.__name__, "arithmetic": formula, "note": note,
                     "parameters": layer.count_params()})
    return rows


def crossentropy_pair(y_true: list[int], y_pred: list[list[float]]) -> dict:
    """Sparse categorical cross-entropy on integer labels and categorical on one-hot labels, per sample.

    On rows that are probability distributions they agree: the one-hot vector picks out exactly the
    predicted probability of the true class, and both are -log(p[true class]). A row that does not sum to 1
    is rescaled by Keras (`from_logits=False`), and the two losses rescale it differently:
    `categorical_crossentropy` divides the row by its sum, then clips into [epsilon, 1 - epsilon];
    `sparse_categorical_crossentropy` clips first (a value above 1 becomes 1 - epsilon), then divides by the
    clipped row's sum. So they part as soon as a value exceeds 1 - epsilon. Also returned: each row's sum,
    the rows that are not distributions (sum off 1 by more than ROW_SUM_TOLERANCE), -log of the true class's
    probability as typed, and the rows on which the two losses differ.
    """
    import keras

    labels = np.asarray(y_true)
    predictions = np.asarray(y_pred, dtype=np.float32)
    if predictions.ndim != 2 or len(labels) != len(predictions):
        raise ValueError(_("Give one row of predicted probabilities per label."))
    if not np.all(np.isfinite(predictions)):
        raise ValueError(_("Every probability must be a number."))
    if labels.min() < 0 or labels.max() >= predictions.shape[1]:
        raise ValueError(_("Labels must be between 0 and {last}.").format(last=predictions.shape[1] - 1))
    if np.any(predictions < 0):
        raise ValueError(_("Probabilities cannot be negative."))
    if np.any(predictions.sum(axis=1) <= 0):
        raise ValueError(_("A row of probabilities cannot be all zeros."))
    epsilon = keras.config.epsilon()
    one_hot = np.eye(predictions.shape[1], dtype=np.float32)[labels]
    sparse = keras.ops.convert_to_numpy(keras.losses.sparse_categorical_crossentropy(labels, predictions))
    categorical = keras.ops.convert_to_numpy(keras.losses.categorical_crossentropy(one_hot, predictions))
    row_sums = predictions.sum(axis=1)
    true_probability = predictions[np.arange(len(labels)), labels]
    as_typed = -np.log(np.clip(true_probability, epsilon, 1 - epsilon))
    # categorical_crossentropy's own rescaling: divide by the row's sum, then clip away exact zeros and ones.
    by_hand = -np.log(np.clip(true_probability / row_sums, epsilon, 1 - epsilon))
    return {"one_hot": one_hot, "sparse": sparse, "categorical": categorical, "by_hand": by_hand,
            "as_typed": as_typed, "row_sums": row_sums,
            "not_distributions": [int(row) for row in np.flatnonzero(np.abs(row_sums - 1) > ROW_SUM_TOLERANCE)],
            "differing_rows": [int(row) for row in np.flatnonzero(
                ~np.isclose(sparse, categorical, rtol=LOSS_TOLERANCE, atol=LOSS_TOLERANCE))],
            "sparse_mean": float(sparse.mean()), "categorical_mean": float(categorical.mean())}


def optimizer_string_vs_object(learning_rate: float) -> dict:
    """What optimizer="sgd" builds (Keras's defaults) next to SGD(learning_rate=...)."""
    import keras

    from_string = keras.optimizers.get("sgd")
    explicit = keras.optimizers.SGD(learning_rate=learning_rate)
    return {"string_class": type(from_string).__name__, "string_rate": float(from_string.learning_rate),
            "string_momentum": float(from_string.momentum), "object_rate": float(explicit.learning_rate)}


def layer_weights(trained, name: str = "conv1") -> dict:
    """get_weights() of a real trained layer, and set_weights copying it into a fresh, untrained LeNet-5.

    The trained model itself is only read, never changed.
    """
    from lib.engine.models import build_model

    kernel, bias = trained.get_layer(name).get_weights()
    fresh = build_model("lenet5", "sequential").get_layer(name)
    before = bool(np.array_equal(fresh.get_weights()[0], kernel))
    fresh.set_weights([kernel, bias])
    after = bool(np.array_equal(fresh.get_weights()[0], kernel))
    return {"kernel_shape": kernel.shape, "bias_shape": bias.shape, "kernel_sample": kernel[:, :, 0, 0],
            "bias": bias, "equal_before": before, "equal_after": after}


def input_size_experiment(lenet, dense, digit: np.ndarray, size: int = 64) -> dict:
    """LeNet-5's own conv1 on the 28 x 28 digit and on the digit enlarged to size x size, and the dense
    baseline given the larger image: conv1 works at any size with the same weights; the dense network cannot.
    """
    from PIL import Image

    large = np.asarray(Image.fromarray(np.asarray(digit, np.uint8)).resize((size, size), Image.Resampling.LANCZOS))
    conv1 = lenet.get_layer("conv1")
    scale = lenet.get_layer("scale")
    batches = {(28, 28): as_model_input(digit), (size, size): large[np.newaxis, :, :, np.newaxis].astype(np.float32)}
    maps = {shape: np.asarray(conv1(scale(batch)))[0] for shape, batch in batches.items()}
    try:
        dense(batches[(size, size)])
        dense_error = None
    except Exception as error:  # Keras's own message is the lesson; show whatever it raises
        # Keras colours parts of its messages for terminals; the page shows plain text.
        dense_error = re.sub(r"\x1b\[[0-9;]*m", "", f"{type(error).__name__}: {error}")
    return {"large": large, "maps": maps, "conv1_parameters": conv1.count_params(),
            "dense_parameters": dense.count_params(), "dense_error": dense_error}


def parse_labels(text: str) -> list[int]:
    """Whole numbers typed as "1, 0, 1"; ValueError naming the first entry that is not one."""
    labels = []
    for part in text.split(","):
        try:
            labels.append(int(part))
        except ValueError:
            raise ValueError(_("{entry} is not a whole number; type them separated by commas.").format(
                entry=repr(part.strip()))) from None
    return labels


def accuracy_updates(labels, predicted) -> list[dict]:
    """keras.metrics.Accuracy fed one prediction at a time: the running result after each update_state."""
    import keras

    if len(labels) != len(predicted) or not len(labels):
        raise ValueError(_("Give one prediction per ground-truth label: {labels} labels, {predictions} predictions.")
                         .format(labels=len(labels), predictions=len(predicted)))
    accuracy = keras.metrics.Accuracy()
    rows = []
    for index, (truth, guess) in enumerate(zip(labels, predicted)):
        accuracy.update_state([int(truth)], [int(guess)])
        rows.append({"update": index + 1, "ground truth": int(truth), "prediction": int(guess),
                     "correct": bool(truth == guess), "accuracy.result()": float(accuracy.result())})
    return rows


def first_mistake(labels, predicted) -> int | None:
    """The index of the first prediction that differs from its label, or None when all are right."""
    wrong = np.flatnonzero(np.asarray(labels) != np.asarray(predicted))
    return int(wrong[0]) if wrong.size else None


# The custom scalars' folders, one per visitor, under the system's temporary folder; a folder no visitor has written
# to for this long is removed when another is handed out, so the disk does not keep one folder per visit.
SCALARS_FOLDER = "cnn-lab-scalars"
SCALARS_KEPT_SECONDS = 24 * 3600


def scalar_folder(previous: str | None = None, root: Path | None = None) -> Path:
    """An empty folder for one visitor's custom scalars: `previous` again (a folder an earlier call gave this
    visitor, still there) or a new one, under `root` (the system's temporary folder) / SCALARS_FOLDER."""
    parent = Path(root or tempfile.gettempdir()) / SCALARS_FOLDER
    parent.mkdir(mode=0o700, exist_ok=True)
    now = time.time()
    for folder in parent.iterdir():
        try:
            stale = str(folder) != previous and now - folder.stat().st_mtime > SCALARS_KEPT_SECONDS
        except OSError:  # removed meanwhile by another visitor's call
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
    if previous and Path(previous).parent == parent and Path(previous).is_dir():
        shutil.rmtree(previous, ignore_errors=True)
        Path(previous).mkdir(mode=0o700)
        return Path(previous)
    return Path(tempfile.mkdtemp(dir=parent))


def write_and_read_scalars(log_dir, name: str, values) -> list[tuple[int, float]]:
    """Write `values` as a custom TensorBoard scalar (tf.summary.scalar, one per step) into `log_dir`,
    then read them back with TensorBoard's own event reader."""
    import tensorflow as tf
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.util import tensor_util

    writer = tf.summary.create_file_writer(str(log_dir))
    with writer.as_default():
        for step, value in enumerate(values):
            tf.summary.scalar(name, float(value), step=step)
    writer.flush()
    writer.close()
    events = EventAccumulator(str(log_dir), size_guidance={"tensors": 0})
    events.Reload()
    return [(event.step, float(tensor_util.make_ndarray(event.tensor_proto))) for event in events.Tensors(name)]
