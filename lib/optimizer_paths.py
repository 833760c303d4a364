"""The book's seven optimizers walking down two-dimensional loss surfaces, step by step, as Keras steps them.

`trajectory` builds the optimizer with the same builder the Training page uses
(lib.training.build_optimizer: "momentum" is SGD(momentum=0.9), "nag" adds
nesterov=True, and no rate means Keras's default), lets TensorFlow compute the
surface's gradient and applies Keras's own update to a float32 variable of two
values. Nothing here writes an update rule by hand; the formulas in
`UPDATE_RULES` are for reading only.

The whole walk runs inside one `tf.function` with a `tf.range` loop, traced
once per path, never once per step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lib.config import FIELDS, OPTIMIZERS, check_field

MAX_STEPS = 2000
# Close enough to a minimum to count as having arrived, in the surface's units.
ARRIVAL_DISTANCE = 0.01


@dataclass(frozen=True)
class Surface:
    title: str
    formula: str  # LaTeX
    function: Callable  # f(x, y), written with operators that work on numpy arrays and TensorFlow tensors alike
    minima: tuple[tuple[float, float], ...]  # empty when the surface has none (the saddle falls forever)
    x_range: tuple[float, float]  # the window the page draws
    y_range: tuple[float, float]
    start: tuple[float, float]  # a start that shows what the surface teaches
    lesson: str
    tuned_rates: dict  # rates that make every optimizer visibly move on this surface in 200 steps


def _two_minima_x() -> tuple[float, float]:
    # f(x, 0) = (x^2 - 1)^2 + 0.3 x: df/dx = 4x^3 - 4x + 0.3 = 0 has three real roots; the outer two are minima.
    roots = np.sort(np.roots([4.0, 0.0, -4.0, 0.3]).real)
    return float(roots[0]), float(roots[2])


_DEEP, _SHALLOW = _two_minima_x()

SURFACES: dict[str, Surface] = {
    "bowl": Surface(
        "A long narrow valley", r"f(x, y) = x^2 + 10\,y^2", lambda x, y: x * x + 10.0 * y * y,
        ((0.0, 0.0),), (-5.0, 5.0), (-2.0, 2.0), (-4.5, 1.5),
        "Steep across, gentle along: plain SGD zig-zags across the valley while crawling along it; momentum "
        "and adaptive rates straighten the path.",
        {"sgd": 0.09, "momentum": 0.02, "nag": 0.02, "adagrad": 1.0, "adadelta": 10.0, "rmsprop": 0.1, "adam": 0.2}),
    "rosenbrock": Surface(
        "Rosenbrock's curved valley", r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
        lambda x, y: (1.0 - x) * (1.0 - x) + 100.0 * (y - x * x) * (y - x * x),
        ((1.0, 1.0),), (-2.0, 2.0), (-1.0, 3.0), (-1.5, 2.0),
        "Finding the valley is easy; following its bend to the minimum at (1, 1) is slow for every optimizer.",
        {"sgd": 0.001, "momentum": 0.0005, "nag": 0.0005, "adagrad": 0.5, "adadelta": 10.0, "rmsprop": 0.01,
         "adam": 0.05}),
    "saddle": Surface(
        "A saddle", r"f(x, y) = x^2 - y^2", lambda x, y: x * x - y * y,
        (), (-2.5, 2.5), (-2.5, 2.5), (-2.0, 0.001),
        "A saddle point at (0, 0) and no minimum at all: started on the ridge, plain SGD lingers near the saddle, "
        "while adaptive methods amplify the tiny sideways slope and escape.",
        {"sgd": 0.05, "momentum": 0.02, "nag": 0.02, "adagrad": 0.3, "adadelta": 10.0, "rmsprop": 0.05, "adam": 0.1}),
    "two minima": Surface(
        "Two minima of different depth", r"f(x, y) = (x^2 - 1)^2 + 0.3\,x + y^2",
        lambda x, y: (x * x - 1.0) * (x * x - 1.0) + 0.3 * x + y * y,
        ((_DEEP, 0.0), (_SHALLOW, 0.0)), (-2.0, 2.0), (-1.5, 1.5), (1.8, 1.2),
        f"A shallow minimum near x = {_SHALLOW:.2f} and a deeper one near x = {_DEEP:.2f}: where an optimizer ends "
        "depends on its momentum and step size, not only on the slope where it starts.",
        {"sgd": 0.05, "momentum": 0.02, "nag": 0.02, "adagrad": 0.5, "adadelta": 10.0, "rmsprop": 0.05, "adam": 0.1}),
}

# The textbook update rules, for display beside each path (g = the gradient, eta = the learning rate).
UPDATE_RULES = {
    "sgd": r"\theta \leftarrow \theta - \eta\, g",
    "momentum": r"v \leftarrow 0.9\,v - \eta\, g;\quad \theta \leftarrow \theta + v",
    "nag": r"v \leftarrow 0.9\,v - \eta\, \nabla f(\theta + 0.9\,v);\quad \theta \leftarrow \theta + v",
    "adagrad": r"s \leftarrow s + g^2;\quad \theta \leftarrow \theta - \frac{\eta}{\sqrt{s} + \epsilon}\, g",
    "adadelta": r"s \leftarrow \rho s + (1-\rho) g^2;\ \Delta = -\frac{\sqrt{d + \epsilon}}{\sqrt{s + \epsilon}}\, g;"
                r"\ d \leftarrow \rho d + (1-\rho)\Delta^2;\ \theta \leftarrow \theta + \eta\,\Delta",
    "rmsprop": r"s \leftarrow \rho s + (1-\rho) g^2;\quad \theta \leftarrow \theta - \frac{\eta}{\sqrt{s} + \epsilon}\, g",
    "adam": r"m \leftarrow \beta_1 m + (1-\beta_1) g;\ v \leftarrow \beta_2 v + (1-\beta_2) g^2;\ "
            r"\theta \leftarrow \theta - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}",
}


def surface(name: str) -> Surface:
    if name not in SURFACES:
        raise ValueError(f"surface: must be one of {', '.join(SURFACES)}; got {name!r}")
    return SURFACES[name]


def _check_arguments(optimizer, surface_name, start, steps, learning_rate) -> tuple[Surface, np.ndarray]:
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer: must be one of {', '.join(OPTIMIZERS)}; got {optimizer!r}")
    chosen = surface(surface_name)
    point = np.asarray(start, dtype=np.float64)
    if point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(f"start: must be two finite numbers (x, y); got {start!r}")
    if isinstance(steps, bool) or int(steps) != steps or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps: must be a whole number between 1 and {MAX_STEPS}; got {steps!r}")
    check_field(FIELDS["learning_rate"], learning_rate)
    return chosen, point


def trajectory(optimizer: str, surface_name: str, start, steps: int, learning_rate: float | None = None) -> np.ndarray:
    """The points (steps + 1, 2) Keras's optimizer visits from `start`, the start first.

    A path that leaves the finite numbers (a rate too large for the surface)
    stops at its last finite point, so it is shorter: `len(path) - 1` steps.
    """
    import tensorflow as tf

    from lib.training import build_optimizer

    chosen, point = _check_arguments(optimizer, surface_name, start, steps, learning_rate)
    keras_optimizer = build_optimizer(optimizer, learning_rate)
    variable = tf.Variable(point.astype(np.float32))
    keras_optimizer.build([variable])
    function = chosen.function

    @tf.function
    def walk(count):
        points = tf.TensorArray(tf.float32, size=count + 1)
        points = points.write(0, variable.read_value())
        for index in tf.range(count):
            with tf.GradientTape() as tape:
                loss = function(variable[0], variable[1])
            keras_optimizer.apply_gradients([(tape.gradient(loss, variable), variable)])
            points = points.write(index + 1, variable.read_value())
        return points.stack()

    path = walk(tf.constant(int(steps))).numpy().astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        losses = chosen.function(path[:, 0], path[:, 1])
    finite = np.isfinite(path).all(axis=1) & np.isfinite(losses)
    if not finite.all():
        path = path[: int(np.argmin(finite))]
    return path


@dataclass(frozen=True)
class PathSummary:
    optimizer: str
    learning_rate: float
    steps_taken: int
    diverged_at: int | None  # the step that left the finite numbers, or None
    final_loss: float
    distance_to_minimum: float | None  # to the nearest minimum; None on a surface without one
    first_arrival: int | None  # the first step within ARRIVAL_DISTANCE of a minimum, or None


def summarize(optimizer: str, surface_name: str, path: np.ndarray, steps: int, learning_rate: float) -> PathSummary:
    """Final loss, distance to the nearest minimum and first step within ARRIVAL_DISTANCE of one."""
    chosen = surface(surface_name)
    diverged = len(path) - 1 < steps
    final = path[-1]
    distance = arrival = None
    if chosen.minima:
        minima = np.asarray(chosen.minima)
        distances = np.linalg.norm(path[:, np.newaxis, :] - minima[np.newaxis], axis=2).min(axis=1)
        distance = float(distances[-1])
        close = np.flatnonzero(distances <= ARRIVAL_DISTANCE)
        arrival = int(close[0]) if close.size else None
    return PathSummary(optimizer, learning_rate, len(path) - 1, len(path) if diverged else None,
                       float(chosen.function(final[0], final[1])), distance, arrival)


def loss_grid(surface_name: str, resolution: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x values, y values and f over the surface's window, for a contour plot."""
    chosen = surface(surface_name)
    xs = np.linspace(*chosen.x_range, resolution)
    ys = np.linspace(*chosen.y_range, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return xs, ys, chosen.function(grid_x, grid_y)
