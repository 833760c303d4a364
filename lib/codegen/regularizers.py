"""The Dropout and batch norm page's programs: dropout on the trained model's Dense(120) outputs, batch norm on a
layer's pre-activations, parameter counts and `layer.trainable = False`, the L1/L2 kernel histograms, where early
stopping stopped and the dropout-placement runs.

Each program reads the stored runs the page reads, by their paths in the app's folder (see
lib.codegen.draw.model_path_literal), and spells out what lib.keras_views computes with public Keras and numpy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lib.codegen.comments import wrap_comments
from lib.codegen.draw import model_path_literal
from lib.codegen.program import Program, literal
from lib.codegen.training import mnist_cell
from lib.i18n import _


def mnist_test_cell() -> str:
    """MNIST's test digits, 0-255 as stored (the models scale them themselves)."""
    return "\n".join(mnist_cell().split("\n")[:7])


def _program(name: str, title: str, cells, checks: dict) -> Program:
    return Program(name=name, title=title, cells=tuple(wrap_comments(cell) for cell in cells), checks=checks)


def _model_setup(model_path, *constants: str) -> str:
    path, where = model_path_literal(model_path)
    return "\n".join(["import numpy as np", "import keras", "", f"# {where}", f"MODEL_PATH = {path!r}", *constants])


def _up_to(layer: str) -> list[str]:
    """Lines that load the model and make `features`, the model up to the layer the code `layer` names (the model
    scales 0-255 to 0-1 itself)."""
    return [
        "model = keras.models.load_model(MODEL_PATH)",
        "# " + _("The model up to that layer: its outputs are what the picture shows"),
        f"features = keras.Model(inputs=model.inputs, outputs=model.get_layer({layer}).output)",
    ]


def dropout_program(model_path, digit: np.ndarray, rate: float, activations: np.ndarray) -> Program:
    """`activations` are the page's Dense(120) outputs for `digit` (what test time passes on unchanged)."""
    setup = _model_setup(model_path, f"RATE = {literal(float(rate))}",
                         "# " + _("The digit the page shows: 28x28, white ink (255) on black (0)"),
                         f"DIGIT = {literal(np.asarray(digit, dtype=np.uint8))}")
    run = "\n".join([
        *_up_to('"dense1"'),
        'x = DIGIT.reshape((1, 28, 28, 1)).astype("float32")',
        "activations = features.predict(x, verbose=0)[0]",
        "",
        "dropout = keras.layers.Dropout(rate=RATE)",
        "# " + _("training=True: a fresh random mask on every call; the survivors are scaled by 1 / (1 - RATE)"),
        "training_output = dropout(activations[np.newaxis], training=True).numpy()[0]",
        "# " + _("training=False, as at test time: every unit passes unchanged"),
        "test_output = dropout(activations[np.newaxis], training=False).numpy()[0]",
        "scale = 1 / (1 - RATE)",
        "kept = (training_output != 0) & (activations != 0)",
        "print(f\"" + _("units set to zero: {dropped} of {units}").format(
            dropped="{int((training_output == 0).sum())}", units="{activations.size}") + "\")",
        "scaled = np.allclose(training_output[kept], activations[kept] * scale)",
        "print(" + repr(_("scale of the survivors:")) + ", round(scale, 3), scaled)",
        "print(" + repr(_("unchanged at test time:")) + ", np.array_equal(test_output, activations))",
    ])
    activations = np.asarray(activations, dtype=np.float64)
    return _program("dropout", _("Dropout"), (setup, run),
                    {"activations": activations, "test_output": activations, "scale": 1.0 / (1.0 - float(rate))})


def batch_norm_program(model_path, layer: str, feature: int, images: int, stages) -> Program:
    """`stages` is the page's lib.keras_views.regularizer_views.BatchNormStages for `layer`'s `feature` over the
    first `images` MNIST test digits."""
    setup = "\n".join([
        "import os", "",
        _model_setup(model_path, f"LAYER = {layer!r}", f"FEATURE = {int(feature)}", f"IMAGES = {int(images)}"),
    ])
    run = "\n".join([
        *_up_to("LAYER"),
        'x = x_test[:IMAGES, ..., np.newaxis].astype("float32")',
        "before = features.predict(x, verbose=0)  # " + _("the pre-activations batch norm receives"),
        'bn = model.get_layer(LAYER + "_bn")',
        "gammas, betas, moving_means, moving_variances = (w.numpy() for w in bn.weights)",
        "# " + _("A fresh BatchNormalization layer with the trained one's settings and weights; training=True "
                 "normalizes with this batch's mean and variance (and would move the trained layer's averages)"),
        "copy = keras.layers.BatchNormalization.from_config(bn.get_config())",
        "copy.build(before.shape)",
        "copy.set_weights(bn.get_weights())",
        "after_all = copy(before, training=True).numpy()",
        "normalized_all = (after_all - betas) / gammas  # " + _("before gamma scales and beta shifts"),
        "before, normalized, after = (v[..., FEATURE].ravel() for v in (before, normalized_all, after_all))",
        "gamma, beta = float(gammas[FEATURE]), float(betas[FEATURE])",
        "moving_mean, moving_variance = float(moving_means[FEATURE]), float(moving_variances[FEATURE])",
        "for name, values in ((" + repr(_("before")) + ", before), (" + repr(_("normalized")) + ", normalized), ("
        + repr(_("after")) + ", after)):",
        "    print(f\"{name}: " + _("mean {mean}, standard deviation {std}").format(
            mean="{values.mean():.3f}", std="{values.std():.3f}") + "\")",
        'print(f"gamma = {gamma:.4f}, beta = {beta:.4f}, moving_mean = {moving_mean:.4f}, "',
        '      f"moving_variance = {moving_variance:.4f}")',
    ])
    checks = {"before": stages.before, "normalized": stages.normalized, "after": stages.after,
              "gamma": stages.gamma, "beta": stages.beta, "moving_mean": stages.moving_mean,
              "moving_variance": stages.moving_variance}
    return _program("batch_norm", _("Batch normalization"), (setup, mnist_test_cell(), run),
                    {name: np.asarray(value, dtype=np.float64) if isinstance(value, np.ndarray) else float(value)
                     for name, value in checks.items()})


def freezing_program(model_path, frozen: str, batch: int, before, after, frozen_change: float) -> Program:
    """`before` and `after` are the page's ParameterCounts without and with `frozen` frozen; `frozen_change` the
    largest change one SGD step on `batch` test digits made to it."""
    setup = "\n".join(["import os", "", _model_setup(model_path, f"FROZEN = {frozen!r}", f"BATCH = {int(batch)}")])
    run = "\n".join([
        "# " + _("The page freezes a fresh LeNet-5 with batch norm; the trained one has the same layers, so the "
                 "same counts"),
        "model = keras.models.load_model(MODEL_PATH)",
        "",
        "",
        "def counts(model):",
        "    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)",
        "    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)",
        "    return trainable, non_trainable",
        "",
        "",
        "# " + _("The summary ends with the counts: batch norm's moving means and variances are non-trainable"),
        "model.summary()",
        "trainable_params, non_trainable_params = counts(model)",
        "# " + _("Freezing a layer moves its weights from the trainable count to the non-trainable one"),
        "model.get_layer(FROZEN).trainable = False",
        "frozen_trainable, frozen_non_trainable = counts(model)",
        "print(" + repr(_("trainable:")) + ", trainable_params, \"->\", frozen_trainable)",
        "print(" + repr(_("non-trainable:")) + ", non_trainable_params, \"->\", frozen_non_trainable)",
        "",
        "# " + _("One SGD step on BATCH test digits: the frozen layer's weights stay exactly as they were"),
        "start = [w.numpy().copy() for w in model.get_layer(FROZEN).weights]",
        "model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),",
        '              loss="sparse_categorical_crossentropy")',
        'x = x_test[:BATCH, ..., np.newaxis].astype("float32")',
        "model.fit(x, y_test[:BATCH], batch_size=BATCH, epochs=1, verbose=0, shuffle=False)",
        "end = [w.numpy() for w in model.get_layer(FROZEN).weights]",
        "frozen_change = max(float(np.abs(new - old).max()) for new, old in zip(end, start))",
        "print(" + repr(_("largest change of the frozen layer:")) + ", frozen_change)",
    ])
    # The page freezes a fresh LeNet-5 with batch norm; the trained one has the same layers, so the same counts.
    return _program("freezing", _("Non-trainable parameters and freezing a layer"), (setup, mnist_test_cell(), run),
                    {"trainable_params": int(before.trainable), "non_trainable_params": int(before.non_trainable),
                     "frozen_trainable": int(after.trainable), "frozen_non_trainable": int(after.non_trainable),
                     "frozen_change": float(frozen_change)})


def weights_program(model_paths: dict[str, Path], limit: float, bins: int, near_zero: float, comparison) -> Program:
    """`model_paths` maps each run's name to its model.keras, in the page's order; `comparison` is the page's
    WeightComparison of their kernels on `bins` bins over [-limit, limit]."""
    paths = {name: model_path_literal(path)[0] for name, path in model_paths.items()}
    setup = "\n".join([
        "import numpy as np", "import keras", "",
        "# " + _("run this program in the app's folder, or change the paths"),
        "MODEL_PATHS = {",
        *[f"    {name!r}: {path!r}," for name, path in paths.items()],
        "}",
        f"LIMIT = {literal(float(limit))}",
        f"BINS = {int(bins)}",
        f"NEAR_ZERO = {literal(float(near_zero))}  # " + _("|w| below this counts as zero"),
    ])
    run = "\n".join([
        "# " + _("One set of bins for all three runs; weights beyond LIMIT fall in the outermost bins"),
        "edges = np.linspace(-LIMIT, LIMIT, BINS + 1)",
        "counts, shares, mean_abs = [], [], []",
        "for name, path in MODEL_PATHS.items():",
        "    model = keras.models.load_model(path)",
        "    # " + _("The kernels of the Conv2D and Dense layers: the weights L1 and L2 act on"),
        "    kernels = [layer.kernel.numpy().ravel()",
        '               for layer in model.layers if hasattr(layer, "kernel")]',
        "    weights = np.concatenate(kernels)",
        "    clipped = np.clip(weights.astype(np.float64), -LIMIT, LIMIT)",
        "    counts.append(np.histogram(clipped, edges)[0])",
        "    shares.append(float((np.abs(weights) < NEAR_ZERO).mean()))",
        "    mean_abs.append(float(np.abs(weights).mean()))",
        "    share, mean = shares[-1], mean_abs[-1]",
        "    print(f\"{name}: " + _("{n} weights, {share} within {near} of zero, mean |w| {mean}").format(
            n="{weights.size}", share="{share:.1%}", near="{NEAR_ZERO}", mean="{mean:.4f}") + "\")",
        "counts = np.array(counts)",
    ])
    runs = list(comparison.runs.values())
    return _program("weight_histograms", _("What L1 and L2 do to the weights"), (setup, run),
                    {"counts": np.array([spread.counts for spread in runs], dtype=np.float64),
                     "shares": np.array([spread.share_near_zero for spread in runs]),
                     "mean_abs": np.array([spread.mean_abs for spread in runs])})


def early_stopping_program(run_folder, stop) -> Program:
    """`stop` is the page's lib.keras_views.weight_histograms.EarlyStop for the run in `run_folder`."""
    folder = model_path_literal(Path(run_folder) / "history.csv")[0].rsplit("/", 1)[0]
    setup = "\n".join([
        "import pandas as pd", "",
        "# " + _("run this program in the app's folder, or change the path"),
        "# " + _("one row per epoch, as Keras's CSVLogger writes it"),
        f"HISTORY = {folder + '/history.csv'!r}",
        f"MONITOR = {stop.monitor!r}",
    ])
    pick = "idxmax" if "accuracy" in stop.monitor else "idxmin"
    run = "\n".join([
        "history = pd.read_csv(HISTORY)",
        "values = history[MONITOR].to_numpy()",
        "# " + _("EarlyStopping keeps the best epoch's weights; training stopped after the last row"),
        f"best_epoch = int(history.loc[history[MONITOR].{pick}(), \"epoch\"])",
        "stopped_epoch = int(history[\"epoch\"].iloc[-1])",
        "print(" + repr(_("best epoch:")) + ", best_epoch, MONITOR, round(float(values[best_epoch - 1]), 4))",
        "print(" + repr(_("stopped at epoch:")) + ", stopped_epoch)",
    ])
    return _program("early_stopping", _("Where early stopping stopped"), (setup, run),
                    {"values": np.asarray(stop.values, dtype=np.float64), "best_epoch": int(stop.best_epoch),
                     "stopped_epoch": int(stop.stopped_epoch)})


def placement_program(root, places: tuple[str, ...], seeds: tuple[int, ...], comparison) -> Program:
    """`comparison` is the page's PlacementComparison of the runs `<place>-seed<seed>` under `root`."""
    folder = model_path_literal(Path(root) / "x")[0].rsplit("/", 1)[0]
    setup = "\n".join([
        "import json", "import numpy as np", "",
        "# " + _("run this program in the app's folder, or change the path"),
        f"RUNS = {folder!r}",
        f"PLACES = {literal(list(places))}",
        f"SEEDS = {literal(list(seeds))}",
    ])
    run = "\n".join([
        "accuracies = []",
        "for place in PLACES:",
        "    # " + _("Each run's metrics.json holds its test accuracy"),
        "    runs = [json.load(open(f\"{RUNS}/{place}-seed{seed}/metrics.json\")) for seed in SEEDS]",
        "    accuracies.append([run[\"test_accuracy\"] for run in runs])",
        "accuracies = np.array(accuracies)",
        "means = accuracies.mean(axis=1)",
        "spreads = np.ptp(accuracies, axis=1)  # " + _("best seed minus worst seed"),
        "for place, mean, spread in zip(PLACES, means, spreads):",
        "    print(f\"{place}: " + _("mean {mean}, seeds differ by {spread}").format(
            mean="{mean:.2%}", spread="{spread:.2%}") + "\")",
    ])
    placements = [comparison.placements[place] for place in places]
    return _program("dropout_placement", _("Where to put dropout"), (setup, run),
                    {"accuracies": np.array([p.test_accuracies for p in placements], dtype=np.float64),
                     "means": np.array([p.mean for p in placements]),
                     "spreads": np.array([p.spread for p in placements])})
