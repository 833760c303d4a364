"""The computations behind the Keras basics page (chapter 2): nothing on it is typed in.

Source code shown on the page is read from lib.models with `inspect`, so the
page cannot drift from the code that trains; losses, parameter arithmetic and
histograms are computed here from real arrays and real Keras objects.
"""

from __future__ import annotations

import inspect

import numpy as np

BOOK_Y_TRUE = [1, 2]
BOOK_Y_PRED = [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]


def source_of(*objects) -> str:
    """The real source code of functions or classes, one after another."""
    return "\n\n".join(inspect.getsource(item) for item in objects)


def normalization_histograms(images: np.ndarray, bins: int = 32) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Pixel histograms of raw images, scaled to [0, 1] and to [-1, 1]: (counts, bin edges) each."""
    raw = images.astype(np.float64).ravel()
    versions = {"raw 0-255": raw, "scaled to [0, 1]": raw / 255.0, "scaled to [-1, 1]": raw / 127.5 - 1.0}
    return {name: np.histogram(values, bins=bins) for name, values in versions.items()}


def parameter_arithmetic(model) -> list[dict]:
    """Per layer with weights: the count spelled out (inputs x units + biases = total), from the real layer."""
    rows = []
    for layer in getattr(model, "stack", None) or model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        kernel = weights[0]
        biases = weights[1].size if len(weights) > 1 and layer.__class__.__name__ in ("Dense", "Conv2D") else 0
        if layer.__class__.__name__ == "Dense":
            formula = f"{kernel.shape[0]:,} x {kernel.shape[1]:,} + {biases:,}"
        elif layer.__class__.__name__ == "Conv2D":
            kh, kw, channels, filters = kernel.shape
            formula = f"{kh} x {kw} x {channels} x {filters} + {biases}"
        else:
            formula = " + ".join(f"{w.size}" for w in weights) + " (scale, offset, moving mean, moving variance)"
        rows.append({"layer": layer.name, "type": layer.__class__.__name__, "arithmetic": formula,
                     "parameters": layer.count_params()})
    return rows


def crossentropy_pair(y_true: list[int], y_pred: list[list[float]]) -> dict:
    """Sparse categorical cross-entropy on integer labels and categorical on one-hot labels, per sample.

    They agree because the one-hot vector picks out exactly the predicted
    probability of the true class: both are -log(p[true class]).
    """
    import keras

    labels = np.asarray(y_true)
    predictions = np.asarray(y_pred, dtype=np.float32)
    if predictions.ndim != 2 or len(labels) != len(predictions):
        raise ValueError("Give one row of predicted probabilities per label.")
    if labels.min() < 0 or labels.max() >= predictions.shape[1]:
        raise ValueError(f"Labels must be between 0 and {predictions.shape[1] - 1}.")
    if np.any(predictions < 0):
        raise ValueError("Probabilities cannot be negative.")
    one_hot = np.eye(predictions.shape[1], dtype=np.float32)[labels]
    sparse = keras.ops.convert_to_numpy(keras.losses.sparse_categorical_crossentropy(labels, predictions))
    categorical = keras.ops.convert_to_numpy(keras.losses.categorical_crossentropy(one_hot, predictions))
    # Keras rescales each row to sum to 1 and clips away exact zeros (epsilon) before the log.
    normalised = predictions / predictions.sum(axis=1, keepdims=True)
    by_hand = -np.log(np.clip(normalised[np.arange(len(labels)), labels], keras.config.epsilon(),
                              1 - keras.config.epsilon()))
    return {"one_hot": one_hot, "sparse": sparse, "categorical": categorical, "by_hand": by_hand,
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
    from lib.models import build_model

    kernel, bias = trained.get_layer(name).get_weights()
    fresh = build_model("lenet5", "sequential").get_layer(name)
    before = bool(np.array_equal(fresh.get_weights()[0], kernel))
    fresh.set_weights([kernel, bias])
    after = bool(np.array_equal(fresh.get_weights()[0], kernel))
    return {"kernel_shape": kernel.shape, "bias_shape": bias.shape, "kernel_sample": kernel[:, :, 0, 0],
            "bias": bias, "equal_before": before, "equal_after": after}
