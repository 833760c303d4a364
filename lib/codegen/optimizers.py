"""The Optimizers page's program: one optimizer's steps on the page's surface, with the page's rate, start and
step count, each step Keras's own `optimizer.apply` of a GradientTape gradient; then the path's last point.

The surface is written once (lib.keras_views.optimizer_paths.Expression keeps its source), and the program
builds the optimizer from its entry in lib.engine.optimizers, as the engine does (tests/test_code_draw_optimizers.py checks the
two agree). The page runs its whole loop inside one tf.function; the
program traces one step and loops in Python, which a learner reads more easily and which gives the same float32
points.
"""

from __future__ import annotations

import numpy as np

from lib.codegen.program import Program, literal
from lib.codegen.training import optimizer_code
from lib.i18n import _
from lib.keras_views.optimizer_paths import surface


def optimizer_program(optimizer: str, surface_name: str, start, steps: int, learning_rate: float,
                      path: np.ndarray) -> Program:
    """`path` (points, 2) is what the page drew for these values: the start first, cut where it diverged."""
    build = optimizer_code(optimizer, "LEARNING_RATE")  # a ValueError naming the choices for an unknown optimizer
    chosen = surface(surface_name)
    x, y = (float(value) for value in start)
    setup = "\n".join([
        "import numpy as np",
        "import tensorflow as tf",
        "import keras",
        "",
        f"LEARNING_RATE = {literal(float(learning_rate))}",
        f"START = ({literal(x)}, {literal(y)})",
        f"STEPS = {int(steps)}",
        "",
        "",
        "def f(x, y):",
        f"    return {chosen.function.source}",
    ])
    walk = "\n".join([
        f"optimizer = {build}",
        "# " + _("A variable of two numbers, (x, y), is all the optimizer moves"),
        "point = tf.Variable(np.array(START, dtype=np.float32))",
        "",
        "",
        "@tf.function  # " + _("traced once: each call is one step, fast"),
        "def step():",
        "    with tf.GradientTape() as tape:",
        "        loss = f(point[0], point[1])",
        "    gradient = tape.gradient(loss, point)",
        "    optimizer.apply([gradient], [point])",
        "",
        "",
        "path = [point.numpy().astype(np.float64)]",
        "for number in range(STEPS):",
        "    step()",
        "    x, y = point.numpy().astype(np.float64)",
        "    if not np.isfinite(f(x, y)):",
        "        print(" + repr(_("The rate is too large for this surface: step {step} left the finite numbers."))
        + ".format(step=number + 1))",
        "        break",
        "    path.append(np.array([x, y]))",
        "path = np.array(path)",
        "print(" + repr(_("steps taken:")) + ", len(path) - 1)",
        "print(" + repr(_("last point:")) + ", path[-1], " + repr(_("loss:")) + ", f(*path[-1]))",
    ])
    return Program(name=f"optimizer_{optimizer}", title=_("Optimizers"), cells=(setup, walk),
                   checks={"path": np.asarray(path, dtype=np.float64)})
