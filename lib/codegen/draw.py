"""The Draw page's program: the prepared 28x28 digit, the model reading it with `model.predict(...).argmax(-1)`,
and why: the occlusion loop and integrated gradients with tf.GradientTape, for the answer and its runner-up.

The digit is embedded as the page prepared it. The preprocessing steps come along as the functions the page runs
(their source is read from lib.explore.drawing, so they are written once) and apply to a drawing saved as
`my_digit.png` when there is one. The explanation functions do what lib.keras_views.explain does, without the
page's traced functions; tests/test_code_draw_optimizers.py runs them and compares.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np

from lib import REPO_ROOT
from lib.codegen.program import Program, literal
from lib.explore import drawing
from lib.explore.images import LUMA_WEIGHTS
from lib.i18n import _

DRAWING_FILE = "my_digit.png"


def model_path_literal(path) -> tuple[str, str]:
    """The model's path as the program names it, and a comment: relative to the app's folder for the models it
    ships, the bare file name for a run of one's own (a server's folders are nobody's business)."""
    path = Path(path).resolve()
    try:
        return path.relative_to(REPO_ROOT).as_posix(), _("run this program in the app's folder, or change the path")
    except ValueError:
        return path.name, _("the model.keras file of your run, next to this program")


def preprocessing_cell(crop: bool, centre: bool) -> str:
    """The page's preprocessing, as functions, applied to DRAWING_FILE if it exists."""
    functions = [drawing._resize, drawing.crop_to_ink, drawing.fit_in_box, drawing.place_centred,
                 drawing.centre_of_mass_shift]
    return "\n".join([
        "# " + _("To read a drawing of your own (white on black, like the canvas), save it as {file}: these are "
                 "the page's preprocessing steps.").format(file=DRAWING_FILE),
        "import os",
        "from PIL import Image",
        "",
        f"FIELD = {drawing.FIELD}",
        f"BOX = {drawing.BOX}",
        f"CROP_AND_SCALE = {crop!r}",
        f"CENTRE_BY_MASS = {centre!r}",
        "",
        "",
        *[inspect.getsource(function) + "\n" for function in functions],
        "def prepare(path):",
        "    rgba = np.asarray(Image.open(path).convert(\"RGBA\"), dtype=np.float64)",
        f"    ink = (rgba[..., :3] @ np.array({literal(LUMA_WEIGHTS.tolist())})) * rgba[..., 3] / 255",
        "    if CROP_AND_SCALE:",
        "        image = place_centred(fit_in_box(crop_to_ink(ink)))",
        "    else:",
        "        image = _resize(ink, (FIELD, FIELD))",
        "    if CENTRE_BY_MASS:",
        "        image = centre_of_mass_shift(image)",
        "    if image.max() > 0:",
        "        image = image * (255 / image.max())  # " + _("full-intensity strokes, as in MNIST"),
        "    return np.round(image).clip(0, 255).astype(np.uint8)",
        "",
        "",
        f"if os.path.exists({DRAWING_FILE!r}):",
        f"    DIGIT = prepare({DRAWING_FILE!r})",
    ])


def draw_program(model_path, digit: np.ndarray, crop: bool, centre: bool, patch: int, stride: int,
                 probabilities: np.ndarray, targets: tuple[int, int], occlusions: np.ndarray,
                 attributions: np.ndarray) -> Program:
    """`probabilities` (classes,), `targets` (answer, runner-up) and for each target its occlusion map and
    integrated gradients (2, 28, 28) are what the page shows for this digit and these settings."""
    path, where = model_path_literal(model_path)
    setup = "\n".join([
        "import numpy as np",
        "import tensorflow as tf",
        "import keras",
        "",
        f"# {where}",
        f"MODEL_PATH = {path!r}",
        f"PATCH = {int(patch)}  # " + _("the occlusion square, in pixels"),
        f"STRIDE = {int(stride)}  # " + _("how far the square moves each time"),
        "# " + _("The digit as the page prepared it: 28x28, white ink (255) on black (0)"),
        f"DIGIT = {literal(np.asarray(digit, dtype=np.uint8))}",
    ])
    predict = "\n".join([
        "model = keras.models.load_model(MODEL_PATH)",
        "image = DIGIT.astype(np.float32)",
        "# " + _("A batch of one, channels last; the model scales 0-255 to 0-1 itself"),
        "x = image.reshape((1, 28, 28, 1))",
        "probabilities = model.predict(x, verbose=0)[0]",
        "prediction = int(model.predict(x, verbose=0).argmax(-1)[0])",
        "answer, runner_up = (int(number) for number in np.argsort(probabilities)[::-1][:2])",
        "print(" + repr(_("prediction:")) + ", prediction)",
        "print(" + repr(_("probabilities:")) + ", np.round(probabilities, 4))",
    ])
    explain = "\n".join([
        "def occlusion(image, target):",
        "    # " + _("Cover one square at a time with black and measure how much p(target) drops"),
        "    corners = [(r, c) for r in range(0, 28 - PATCH + 1, STRIDE) for c in range(0, 28 - PATCH + 1, STRIDE)]",
        "    covered = np.repeat(image[np.newaxis], len(corners) + 1, axis=0)",
        "    for index, (r, c) in enumerate(corners, start=1):",
        "        covered[index, r:r + PATCH, c:c + PATCH] = 0",
        "    p = model.predict(covered[..., np.newaxis], verbose=0)[:, target]",
        "    total, count = np.zeros((28, 28)), np.zeros((28, 28))",
        "    for drop, (r, c) in zip(p[0] - p[1:], corners):",
        "        total[r:r + PATCH, c:c + PATCH] += drop",
        "        count[r:r + PATCH, c:c + PATCH] += 1",
        "    return np.divide(total, count, out=np.zeros_like(total), where=count > 0)",
        "",
        "",
        "def probability_and_gradient(images, target):",
        "    images = tf.constant(images[..., np.newaxis])",
        "    with tf.GradientTape() as tape:",
        "        tape.watch(images)",
        "        probability = model(images, training=False)[:, target]",
        "    return probability.numpy(), tape.gradient(probability, images).numpy()[..., 0]",
        "",
        "",
        "def integrated_gradients(image, target, steps=64):",
        "    # " + _("The mean gradient on the straight path from a black image to the digit, times the digit"),
        "    ends = probability_and_gradient(np.stack([np.zeros_like(image), image]), target)[0]",
        "    for points in (steps, 2 * steps, 4 * steps, 8 * steps, 16 * steps):",
        "        alphas = np.linspace(0.0, 1.0, points + 1, dtype=np.float32)[:, np.newaxis, np.newaxis]",
        "        gradients = probability_and_gradient(alphas * image, target)[1]",
        "        attributions = image * (gradients[:-1] + gradients[1:]).mean(axis=0) / 2",
        "        # " + _("They add up to p(digit) - p(black); where they do not yet, sample the path twice as finely"),
        "        if abs(attributions.sum() - (ends[1] - ends[0])) <= 0.01 * abs(ends[1] - ends[0]) + 0.005:",
        "            break",
        "    return attributions",
        "",
        "",
        "occlusions = np.stack([occlusion(image, target) for target in (answer, runner_up)])",
        "attributions = np.stack([integrated_gradients(image, target) for target in (answer, runner_up)])",
        "for target, drops, shares in zip((answer, runner_up), occlusions, attributions):",
        "    print(" + repr(_("class {target}: largest drop when covered {drop:.4f}, integrated gradients add up "
                            "to {total:+.4f}")) + ".format(",
        "        target=target, drop=drops.max(), total=shares.sum()))",
    ])
    answer, runner_up = (int(target) for target in targets)
    return Program(name="draw", title=_("Draw a digit"),
                   cells=(setup, preprocessing_cell(crop, centre), predict, explain),
                   checks={"DIGIT": np.asarray(digit, dtype=np.uint8),
                           "probabilities": np.asarray(probabilities, dtype=np.float64),
                           "prediction": int(np.argmax(probabilities)), "answer": answer, "runner_up": runner_up,
                           "occlusions": np.asarray(occlusions, dtype=np.float64),
                           "attributions": np.asarray(attributions, dtype=np.float64)})
